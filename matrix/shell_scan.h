// Where a point of a shell command stands in the POSIX shell grammar (XCU 2.2
// quoting, 2.3 comments, 2.6 expansions, 2.7.4 here-documents, 2.9.4 case) and
// bash's process substitution: a reader of the text between template
// placeholders that follows quotes, command and process substitution ($(…),
// `…`, <(…), >(…)), parameter expansion, arithmetic, comments, case patterns and
// here-documents, and notices where text becomes code (matrix/shell_programs
// says which words a program reads as code): the words of eval and `sh -c`'s
// script, awk's and sed's program, and what a program reads as code from its
// input or from a file a process substitution gives it (`sh <<EOF`,
// `… | python3 -`, `sh <(…)`, `source <(…)`, `awk -f - <<EOF`, `… > >(sh)`).
// matrix/template uses it to write each placeholder's reference for its place,
// or to refuse the place. Text that flows into such a program is seen only
// after the program, so those refusals come late: `refused()` names
// placeholders by their number, after `finish()`.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
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
  // The program that reads a word starting at the current point as one of its options, when
  // an option can give it code (sed, python3, env: a value "-e…" would be code), or "".
  std::string option_reader() const;
  // The command's text has ended: judges its last pipeline.
  void finish();
  // Placeholders refused after they were accepted (their text reached a program that reads its
  // input as code), as (placeholder number from 0, sentence as for `here`), in the order found.
  const std::vector<std::pair<std::size_t, std::string>>& refused() const { return m_refused; }

 private:
  // in_subst: <(…), whose output the command reads as a file; out_subst: >(…), whose input is
  // what the command writes there.
  enum class Frame {
    command,
    subst,
    backquote,
    in_subst,
    out_subst,
    dq,
    sq,
    ansi_sq,
    param,
    arith
  };
  // Where a `case` command stands (XCU 2.9.4.3): its word, `in`, a pattern list ending in `)`,
  // or the list of commands a pattern runs, ended by `;;`, `;&` or `;;&`.
  enum class Case { subject, in, pattern, body };
  // What ends a simple command: `|` (the pipeline goes on), `;`, `&`, `&&`, `||` or a newline
  // (a list: the pipeline ends, unless inside a group), or a group's `(` / `)`.
  enum class End { pipe, list, group };
  struct Level {
    Frame kind = Frame::command;
    int depth = 0;                   // open parentheses or braces inside this frame
    bool brackets = false;           // arith: bash's $[ … ], which brackets open and close
    std::vector<std::string> words;  // the current simple command's finished words
    std::string word;                // the word being read
    bool in_word = false;
    bool quoted_end = false;  // the word's last character was quoted (`">"|` is no redirection)
    bool all_code = false;    // eval, trap, alias: every later word is run as code
    bool arithmetic = false;  // let, [[ … ]]: later words may be evaluated as arithmetic
    // Placeholders (numbered from 0) whose text may flow down the current pipeline: those of its
    // finished stages and groups (`upstream`), of the current simple command (`stage`), and of
    // its here-strings (`input`).
    std::vector<std::size_t> upstream, stage, input;
    std::vector<std::size_t> inside;  // every placeholder in this frame: what <(…) prints
    // Placeholders of <(…) substitutions in each finished word (beside `words`), and in `word`.
    std::vector<std::vector<std::size_t>> flows;
    // Placeholders in each finished word (beside `words`), and in `word`: a permuting program's
    // operand is judged when its command ends (`sed {{ x }} -e p`: a file, not the program).
    std::vector<std::vector<std::size_t>> ids;
    std::vector<std::size_t> word_ids;
    std::vector<std::size_t> word_flow;
    std::string output_reader;  // a >(…) in the current command runs what it writes as code
    std::string reads_input;    // in a >(…) frame: a program in it that runs its input as code
    std::vector<Case> cases;    // the `case` commands open here, innermost last
    // Per open compound command, innermost last: a program in it that runs its input, or "".
    std::vector<std::string> group_readers;
    std::string closed_reader;  // the compound command the current one ends had such a program
    std::string exec_output;    // `exec > >(sh)` ran here: all written from now on is code
    std::vector<std::size_t> exec_input;  // placeholders `exec <<<…`/`exec <…` made the input
    int groups = 0;  // open compound commands: ( … ), { …; }, if, while, until, for, case
    bool pipe_open = false;    // the last operator was '|': a newline goes on with the pipeline
    bool herestring = false;   // the word being read follows <<<
    std::size_t pipeline = 0;  // the current pipeline's number, unique in the scan
  };
  struct Heredoc {
    std::string delimiter;
    bool quoted = false;
    bool strip_tabs = false;
    std::size_t level = 0;     // index in m_stack of the command it is attached to
    std::size_t pipeline = 0;  // that command's pipeline
    std::string reader;        // the program that reads the body as code, or empty
    bool exec = false;         // a bare `exec`'s: the shell's input from then on
  };

  std::size_t step(std::string_view s, std::size_t i);
  std::size_t command_char(std::string_view s, std::size_t i);
  std::size_t operator_char(std::string_view s, std::size_t i);
  std::size_t list_char(std::string_view s, std::size_t i);
  std::size_t redirect_char(std::string_view s, std::size_t i);
  std::size_t dollar(std::string_view s, std::size_t i);
  std::size_t dq_char(char c);
  std::size_t param_char(std::string_view s, std::size_t i);
  std::size_t quoted_char(std::string_view s, std::size_t i);
  std::size_t delimiter_char(std::string_view s, std::size_t i);
  void body_char(char c);
  void quoted_text(char c);
  std::size_t case_char(std::string_view s, std::size_t i);
  bool case_word(Level& top);
  void push(Frame kind, int depth = 0);
  void close_subst();
  void end_word();
  void note_word(Level& top);
  void end_command(End end = End::list);
  void judge_input(Level& top);
  void judge_exec(Level& top);
  void open_group(Level& top);
  void close_group(Level& top);
  void refuse_all(const std::vector<std::size_t>& ids, const std::string& why);
  void refuse(std::size_t placeholder, std::string why);
  void note_placeholder(std::size_t placeholder, std::size_t levels);
  bool commandlike() const;
  static bool is_command(Frame kind);
  std::variant<PlaceholderContext, std::string> body_context() const;
  std::optional<std::string> enclosing_code() const;
  std::optional<std::string> assignment_code(const Level& level) const;

  std::vector<Level> m_stack{Level{}};
  bool m_escape = false;  // a backslash waits for the character it quotes
  bool m_dollar = false;  // the text read so far ends in an unquoted '$'
  bool m_comment = false;
  int m_delimiter = 0;  // here-document delimiter: 1 before its word, 2 inside it
  char m_delimiter_quote = 0;
  Heredoc m_next;                  // the delimiter being read
  std::vector<Heredoc> m_pending;  // here-documents whose bodies start at the next newline
  bool m_in_body = false;
  std::string m_line;                // the body line read so far
  std::size_t m_placeholders = 0;    // placeholders seen
  std::size_t m_pipelines = 0;       // pipelines begun
  std::set<std::string> m_integers;  // variables declare -i made integers: bash evaluates values
  std::vector<std::pair<std::size_t, std::string>> m_refused;
};

}  // namespace faultline::matrix
