// Where a point of a shell command stands in the POSIX shell grammar (XCU 2.2
// quoting, 2.3 comments, 2.6 expansions, 2.7.4 here-documents): a reader of
// the text between template placeholders that follows quotes, command
// substitution ($(…) and `…`), parameter expansion, arithmetic, comments and
// here-documents, and notices commands that run text as shell code (eval,
// `sh -c SCRIPT`, ssh). matrix/template uses it to write each placeholder's
// reference for its place, or to refuse the place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "matrix/template.h"

namespace faultline::matrix {

class ShellScan {
 public:
  // Reads `text`, the command's text up to the next placeholder (or its end).
  void feed(std::string_view text);
  // A placeholder stood at the current point: it continues the current word.
  void placeholder();
  // How a placeholder at the current point is written, or why no reference is
  // safe there: a sentence to follow the placeholder ("is inside …; …"), in
  // which "$VAR" stands for its environment variable.
  std::variant<PlaceholderContext, std::string> here() const;

 private:
  enum class Frame { command, subst, backquote, dq, sq, ansi_sq, param, arith };
  struct Level {
    Frame kind = Frame::command;
    int depth = 0;                   // open parentheses or braces inside this frame
    std::vector<std::string> words;  // the current simple command's finished words
    std::string word;                // the word being read
    bool in_word = false;
    bool all_code = false;    // eval, ssh: every later word is run as code
    bool arithmetic = false;  // let, [[ … ]]: later words may be evaluated as arithmetic
    std::size_t script_word = SIZE_MAX;  // sh -c: index of the word that is the script
  };
  struct Heredoc {
    std::string delimiter;
    bool quoted = false;
    bool strip_tabs = false;
  };

  std::size_t step(std::string_view s, std::size_t i);
  std::size_t command_char(std::string_view s, std::size_t i);
  std::size_t dollar(std::string_view s, std::size_t i);
  std::size_t quoted_char(std::string_view s, std::size_t i);
  std::size_t delimiter_char(std::string_view s, std::size_t i);
  void body_char(char c);
  void push(Frame kind, int depth = 0);
  void end_word();
  void end_command();
  bool commandlike() const;
  std::variant<PlaceholderContext, std::string> body_context() const;

  std::vector<Level> m_stack{Level{}};
  bool m_escape = false;  // a backslash waits for the character it quotes
  bool m_dollar = false;  // the text read so far ends in an unquoted '$'
  bool m_comment = false;
  int m_delimiter = 0;  // here-document delimiter: 1 before its word, 2 inside it
  char m_delimiter_quote = 0;
  Heredoc m_next;                  // the delimiter being read
  std::vector<Heredoc> m_pending;  // here-documents whose bodies start at the next newline
  bool m_in_body = false;
  std::string m_line;  // the body line read so far
};

}  // namespace faultline::matrix
