#include "reporters/text.h"

#include <algorithm>
#include <cstdint>

#include "base/utf8.h"

namespace faultline::reporters {

namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD";  // U+FFFD

// Bytes of the ANSI escape sequence starting with ESC at s[i] (CSI, OSC, or a
// two-byte escape); 1 when the ESC stands alone.
std::size_t escape_length(std::string_view s, std::size_t i) {
  std::size_t j = i + 1;
  if (j >= s.size()) return 1;
  if (s[j] == '[') {  // CSI: parameters and intermediates, then a final byte 0x40–0x7E
    for (++j; j < s.size(); ++j) {
      const auto c = static_cast<unsigned char>(s[j]);
      if (c >= 0x40 && c <= 0x7E) return j + 1 - i;
      if (c < 0x20 || c > 0x3F) return j - i;  // malformed: drop what was read
    }
    return j - i;
  }
  if (s[j] == ']') {  // OSC: up to BEL or ESC '\'
    for (++j; j < s.size(); ++j) {
      if (s[j] == '\a') return j + 1 - i;
      if (s[j] == '\033' && j + 1 < s.size() && s[j + 1] == '\\') return j + 2 - i;
      if (s[j] == '\n') return j - i;
    }
    return j - i;
  }
  const auto c = static_cast<unsigned char>(s[j]);
  return c >= 0x20 && c <= 0x7E ? 2 : 1;
}

}  // namespace

namespace {
void append_escape(std::string& out, const char* prefix, unsigned value) {
  static constexpr char k_hex[] = "0123456789abcdef";
  out += prefix;
  out += k_hex[(value >> 4) & 0xF];
  out += k_hex[value & 0xF];
}
}  // namespace

std::string terminal_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    std::size_t len = utf8_char_length(s, i, cp);
    if (len == 0)
      append_escape(out, "\\x", c);
    else if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7F)
      append_escape(out, "\\x", cp);
    else if (cp >= 0x80 && cp <= 0x9F)
      append_escape(out, "\\u00", cp);
    else
      out.append(s.substr(i, len));
    i += len == 0 ? 1 : len;
  }
  return out;
}

std::string clean_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c >= 0x20 && c < 0x7F) {  // the common case, in runs
      std::size_t j = i + 1;
      while (j < s.size() && s[j] >= 0x20 && s[j] < 0x7F) ++j;
      out.append(s.substr(i, j - i));
      i = j;
      continue;
    }
    if (c == '\n' || c == '\t') {
      out += c;
      ++i;
      continue;
    }
    if (c == '\r') {
      out += '\n';
      i += (i + 1 < s.size() && s[i + 1] == '\n') ? 2 : 1;
      continue;
    }
    if (c == '\033') {
      i += escape_length(s, i);
      continue;
    }
    std::uint32_t cp = 0;
    const std::size_t len = utf8_char_length(s, i, cp);
    const bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
    if (len == 0 || control || cp == 0xFFFE || cp == 0xFFFF) {
      out += k_replacement;
      i += len == 0 ? 1 : len;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  // Back up over at most three continuation bytes: a longer run is not UTF-8 anyway.
  std::size_t n = max_bytes;
  for (int k = 0; k < 3 && n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80; ++k) --n;
  return s.substr(0, n);
}

std::string bounded_text(std::string_view raw, const Bounds& b) {
  std::string out;
  std::size_t lines = 0, pos = 0;
  // Long lines are cut before cleaning so a 10 MB line costs no more than a short one.
  while (pos < raw.size()) {
    std::size_t end = raw.find('\n', pos);
    if (end == std::string_view::npos) end = raw.size();
    if (lines == b.max_lines || out.size() >= b.max_bytes) {
      const auto rest =
          std::count(raw.begin() + static_cast<std::ptrdiff_t>(pos), raw.end(), '\n') +
          (raw.back() == '\n' ? 0 : 1);
      out += "… [" + std::to_string(rest) + (rest == 1 ? " more line]\n" : " more lines]\n");
      return out;
    }
    std::string_view line = raw.substr(pos, end - pos);
    const std::string_view head = utf8_prefix(line, b.max_line_bytes * 2);
    const std::string cleaned = clean_text(head);
    const std::string_view kept =
        utf8_prefix(cleaned, std::min(b.max_line_bytes, b.max_bytes - out.size()));
    out.append(kept);
    if (head.size() < line.size() || kept.size() < cleaned.size())
      out += " … [" + std::to_string(line.size() - std::min(line.size(), kept.size())) +
             " more bytes]";
    out += '\n';
    ++lines;
    pos = end + 1;
  }
  return out;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string md_inline(std::string_view s) {
  // What can start or end markup (emphasis, code, links, HTML, entities, table
  // cells, strikethrough); '.', '-', ':' and '=' stay as they are so ids read well.
  static constexpr std::string_view k_special = "\\`*_{}[]<>#|~&!";
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\n' || c == '\t') {
      out += ' ';
      continue;
    }
    const bool list_marker = i == 0 && (c == '-' || c == '+' || c == '=');
    if (list_marker || k_special.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

namespace {

std::size_t longest_run(std::string_view s, char c) {
  std::size_t best = 0, run = 0;
  for (char x : s) {
    run = x == c ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}

}  // namespace

std::string md_code_block(std::string_view s, std::string_view info) {
  const std::string fence(std::max<std::size_t>(3, longest_run(s, '`') + 1), '`');
  std::string out = fence;
  out.append(info);
  out += '\n';
  out.append(s);
  if (!s.empty() && s.back() != '\n') out += '\n';
  out += fence;
  out += '\n';
  return out;
}

std::string md_code_span(std::string_view s) {
  std::string body(s);
  std::replace(body.begin(), body.end(), '\n', ' ');
  const std::string fence(longest_run(body, '`') + 1, '`');
  const bool pad =
      !body.empty() && (body.front() == '`' || body.back() == '`' || body.front() == ' ');
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string uri_path(std::string_view path) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out += ch;
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 0xF];
    }
  }
  return out;
}

}  // namespace faultline::reporters
