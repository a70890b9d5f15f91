// reporters/text.h — crash output made safe for a report: valid UTF-8, no
// terminal escapes or control bytes, bounded length with a note saying what was
// cut, and escaping for each target (Markdown, XML/HTML, URIs). Every renderer
// passes text from a workload through here; what to show is theirs to decide.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace faultline::reporters {

// `text` as valid UTF-8 that any format can carry: invalid bytes, NUL and other
// control characters (but tab and newline) become U+FFFD, ANSI escape sequences
// are removed, CR LF and lone CR become LF, and U+FFFE/U+FFFF become U+FFFD.
std::string clean_text(std::string_view text);

// `text` for a terminal, shown as it is but unable to drive the terminal: every
// C0 control character but tab and newline, and DEL, becomes \xHH (ESC is
// "\x1b"); every C1 control (U+0080–U+009F) becomes \u00HH; a byte that is not
// valid UTF-8 becomes \xHH. Everything else, backslashes included, is unchanged.
std::string terminal_text(std::string_view text);

// The longest prefix of UTF-8 `text` of at most `max_bytes` bytes that does not
// split a character.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

struct Bounds {
  std::size_t max_lines = 60;        // lines kept; a note says how many more were cut
  std::size_t max_line_bytes = 400;  // bytes per line; longer lines end in a note
  std::size_t max_bytes = 8'000;     // bytes in all
};

// clean_text(text), cut to `bounds`; each cut is marked where it happened:
// "… [1234 more bytes]" at the end of a long line, "… [N more lines]" at the end.
std::string bounded_text(std::string_view text, const Bounds& bounds);

// & < > " ' as XML character references (for XML and HTML text and attributes).
std::string xml_escape(std::string_view clean);

// Text for a Markdown paragraph or table cell that renders literally: punctuation
// that Markdown or HTML would interpret is backslash-escaped, newlines become spaces.
std::string md_inline(std::string_view clean);

// A fenced code block holding `clean` literally: the fence is longer than any run
// of backticks inside, so nothing inside can close it.
std::string md_code_block(std::string_view clean, std::string_view info = "");

// An inline code span holding `clean` literally (newlines become spaces).
std::string md_code_span(std::string_view clean);

// A relative path as a URI reference: every byte outside RFC 3986's unreserved
// set and '/' is percent-encoded.
std::string uri_path(std::string_view path);

}  // namespace faultline::reporters
