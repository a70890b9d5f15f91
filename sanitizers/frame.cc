#include "sanitizers/frame.h"

#include <array>
#include <cstdlib>

#include "base/text.h"

namespace faultline::sanitizers {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::string_view skip_digits(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && is_digit(s[i])) ++i;
  return s.substr(i);
}

std::uint64_t parse_hex(std::string_view s) {
  if (starts_with(s, "0x")) s.remove_prefix(2);
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_hex(c)) break;
    v = v * 16 + static_cast<std::uint64_t>(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

// Position of the '(' that opens the parenthesised group ending at s.back().
std::size_t matching_open(std::string_view s) {
  int depth = 0;
  for (std::size_t i = s.size(); i-- > 0;) {
    if (s[i] == ')')
      ++depth;
    else if (s[i] == '(' && --depth == 0)
      return i;
  }
  return std::string_view::npos;
}

// Removes a trailing "(module+0xoffset)" into `frame`; returns the rest.
std::string_view take_module(std::string_view rest, Frame& frame) {
  rest = trim(rest);
  if (rest.empty() || rest.back() != ')') return rest;
  std::size_t open = matching_open(rest);
  if (open == std::string_view::npos) return rest;
  std::string_view inside = rest.substr(open + 1, rest.size() - open - 2);
  std::size_t plus = inside.rfind("+0x");
  if (plus == std::string_view::npos || inside.find(' ') != std::string_view::npos) return rest;
  frame.module = std::string(inside.substr(0, plus));
  frame.offset = parse_hex(inside.substr(plus + 1));
  return trim(rest.substr(0, open));
}

bool looks_like_location(std::string_view token) {
  return token == "<null>" || split_file_line(token).has_value();
}

// gdb: "f (p=0x0) at g.c:2", "main () at g.c:3", "raise () from /lib/libc.so.6".
bool take_gdb_location(std::string_view rest, Frame& frame) {
  for (std::string_view sep : {" at ", " from "}) {
    std::size_t pos = rest.rfind(sep);
    if (pos == std::string_view::npos) continue;
    std::string_view where = trim(rest.substr(pos + sep.size()));
    std::string_view function = trim(rest.substr(0, pos));
    if (sep == " at ") {
      auto fl = split_file_line(where);
      if (!fl) continue;
      frame.file = std::string(fl->file);
      frame.line = fl->line;
    } else {
      frame.module = std::string(where);
    }
    if (!function.empty() && function.back() == ')') {
      std::size_t open = matching_open(function);
      if (open != std::string_view::npos) function = trim(function.substr(0, open));
    }
    frame.function = function == "??" ? "" : std::string(function);
    return true;
  }
  return false;
}

void take_function_and_file(std::string_view rest, Frame& frame) {
  std::size_t space = rest.rfind(' ');
  std::string_view last = space == std::string_view::npos ? rest : rest.substr(space + 1);
  std::string_view function = rest;
  if (space != std::string_view::npos && looks_like_location(last)) {
    function = trim(rest.substr(0, space));
    if (auto fl = split_file_line(last)) {
      frame.file = std::string(fl->file);
      frame.line = fl->line;
    }
  }
  if (function != "<null>" && function != "??") frame.function = std::string(function);
}

}  // namespace

std::string_view basename(std::string_view path) {
  std::size_t slash = path.find_last_of("/\\");
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::optional<FileLine> split_file_line(std::string_view text) {
  // Accept "file:12" and "file:12:5"; the file part must be non-empty.
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view tail = text.substr(colon + 1);
  if (!tail.empty() && skip_digits(tail).empty()) {
    std::size_t prev = text.rfind(':', colon - 1);
    std::string_view mid =
        prev == std::string_view::npos ? "" : text.substr(prev + 1, colon - prev - 1);
    if (prev != std::string_view::npos && prev > 0 && !mid.empty() && skip_digits(mid).empty()) {
      return FileLine{text.substr(0, prev), std::atoi(std::string(mid).c_str())};
    }
    return FileLine{text.substr(0, colon), std::atoi(std::string(tail).c_str())};
  }
  return std::nullopt;
}

std::string_view strip_line_prefix(std::string_view line) {
  std::string_view s = line;
  // GitHub Actions: "2024-05-01T12:00:00.1234567Z "
  if (s.size() > 20 && is_digit(s[0]) && s[4] == '-' && s[10] == 'T') {
    std::size_t z = s.find("Z ");
    if (z != std::string_view::npos && z < 40) s.remove_prefix(z + 2);
  }
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
  s.remove_prefix(i);
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  return s;
}

std::optional<Frame> parse_hash_frame(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  if (s.size() < 3 || s[0] != '#' || !is_digit(s[1])) return std::nullopt;
  std::string_view rest = skip_digits(s.substr(1));
  if (rest.empty() || rest[0] != ' ') return std::nullopt;
  rest = trim(rest);
  Frame frame;
  frame.raw = std::string(s);
  if (starts_with(rest, "0x")) {
    std::size_t i = 2;
    while (i < rest.size() && is_hex(rest[i])) ++i;
    rest = trim(rest.substr(i));
    if (starts_with(rest, "in ")) rest = trim(rest.substr(3));
  }
  std::size_t build_id = rest.rfind(" (BuildId: ");
  if (build_id != std::string_view::npos) rest = rest.substr(0, build_id);
  if (take_gdb_location(rest, frame)) return frame;
  rest = take_module(rest, frame);
  take_function_and_file(rest, frame);
  return frame;
}

std::optional<Frame> parse_go_function_line(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  // A Go function line: no leading tab, ends with ")" (arguments) or "...)".
  if (s.empty() || s.back() != ')' || line.empty() || line[0] == '\t') return std::nullopt;
  if (starts_with(s, "created by ")) return std::nullopt;
  std::size_t open = matching_open(s);
  if (open == std::string_view::npos || open == 0) return std::nullopt;
  std::string_view name = s.substr(0, open);
  if (name.find(' ') != std::string_view::npos) return std::nullopt;
  Frame frame;
  frame.function = std::string(name);
  frame.raw = std::string(s);
  return frame;
}

bool parse_go_file_line(std::string_view line, Frame& frame) {
  if (line.empty() || (line[0] != '\t' && line[0] != ' ')) return false;
  std::string_view s = strip_line_prefix(line);
  std::size_t space = s.find(" +0x");
  if (space != std::string_view::npos) s = s.substr(0, space);
  std::size_t fp = s.find(" fp=");
  if (fp != std::string_view::npos) s = s.substr(0, fp);
  auto fl = split_file_line(s);
  if (!fl) return false;
  frame.file = std::string(fl->file);
  frame.line = fl->line;
  return true;
}

std::optional<Frame> parse_rust_function_line(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  if (s.empty() || !is_digit(s[0])) return std::nullopt;
  std::string_view rest = skip_digits(s);
  if (!starts_with(rest, ": ")) return std::nullopt;
  rest = trim(rest.substr(2));
  if (starts_with(rest, "0x")) {  // "  5:     0x55d4 - main::f"
    std::size_t dash = rest.find(" - ");
    if (dash == std::string_view::npos) return std::nullopt;
    rest = rest.substr(dash + 3);
  }
  Frame frame;
  frame.function = std::string(rest);
  frame.raw = std::string(s);
  return frame;
}

bool parse_rust_file_line(std::string_view line, Frame& frame) {
  std::string_view s = strip_line_prefix(line);
  if (!starts_with(s, "at ")) return false;
  auto fl = split_file_line(trim(s.substr(3)));
  if (!fl) return false;
  frame.file = std::string(fl->file);
  frame.line = fl->line;
  return true;
}

namespace {

// "0x4854A3C" at the front of `s`: the rest after it, or nullopt.
std::optional<std::string_view> skip_address(std::string_view s) {
  if (!starts_with(s, "0x")) return std::nullopt;
  std::size_t i = 2;
  while (i < s.size() && is_hex(s[i])) ++i;
  if (i == 2) return std::nullopt;
  return s.substr(i);
}

}  // namespace

std::optional<Frame> parse_valgrind_frame(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  if (!starts_with(s, "at 0x") && !starts_with(s, "by 0x")) return std::nullopt;
  auto rest = skip_address(s.substr(3));
  if (!rest || !starts_with(*rest, ": ")) return std::nullopt;
  std::string_view text = trim(rest->substr(2));
  Frame frame;
  frame.raw = std::string(s);
  if (!text.empty() && text.back() == ')') {
    std::size_t open = matching_open(text);
    if (open != std::string_view::npos && open > 0 && text[open - 1] == ' ') {
      std::string_view where = text.substr(open + 1, text.size() - open - 2);
      if (starts_with(where, "in "))
        frame.module = std::string(where.substr(3));
      else if (auto fl = split_file_line(where)) {
        frame.file = std::string(fl->file);
        frame.line = fl->line;
      }
      text = trim(text.substr(0, open));
    }
  }
  if (text != "???") frame.function = std::string(text);
  return frame;
}

std::optional<Frame> parse_node_frame(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  if (s.empty() || !is_digit(s[0])) return std::nullopt;
  std::string_view rest = skip_digits(s);
  if (!starts_with(rest, ": ")) return std::nullopt;
  auto after = skip_address(rest.substr(2));
  if (!after || s.back() != ']') return std::nullopt;
  std::size_t open = after->rfind(" [");
  if (open == std::string_view::npos) return std::nullopt;
  Frame frame;
  frame.raw = std::string(s);
  frame.module = std::string(after->substr(open + 2, after->size() - open - 3));
  frame.function = std::string(trim(after->substr(0, open)));
  return frame;
}

std::optional<Frame> parse_jvm_frame(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  if (s.size() < 4 || std::string_view("CVvjJA").find(s[0]) == std::string_view::npos ||
      s[1] != ' ')
    return std::nullopt;
  std::string_view rest = trim(s.substr(2));
  Frame frame;
  frame.raw = std::string(s);
  if (starts_with(rest, "[")) {  // "[libzstdjni.so+0x121d4]  ZSTD_decompressStream+0x54"
    std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view module = rest.substr(1, close - 1);
    std::size_t plus = module.rfind("+0x");
    frame.module = std::string(module.substr(0, plus));
    if (plus != std::string_view::npos) frame.offset = parse_hex(module.substr(plus + 1));
    rest = trim(rest.substr(close + 1));
  } else if (s[0] == 'J') {  // "J 1234 c2 java.util.HashMap.get(Ljava/lang/Object;)… @ 0x…"
    std::size_t paren = rest.find('(');
    std::size_t space = rest.rfind(' ', paren);
    if (paren == std::string_view::npos || space == std::string_view::npos) return std::nullopt;
    rest = rest.substr(space + 1);
  }
  std::size_t end = rest.find_first_of("(+ ");
  frame.function = std::string(rest.substr(0, end));
  return frame;
}

std::optional<Frame> parse_python_frame(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  if (!starts_with(s, "File \"")) return std::nullopt;
  std::size_t close = s.find("\", line ", 6);
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view after = s.substr(close + 8);
  std::size_t in = after.find(" in ");
  if (in == std::string_view::npos) return std::nullopt;
  Frame frame;
  frame.raw = std::string(s);
  frame.file = std::string(s.substr(6, close - 6));
  frame.line = std::atoi(std::string(after.substr(0, in)).c_str());
  frame.function = std::string(after.substr(in + 4));
  return frame;
}

namespace {

// Removes every balanced <…> group, leaving "operator<", "operator<<" and "->" alone.
std::string strip_templates(std::string_view s) {
  std::string out;
  int depth = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '<') {
      if (depth == 0 && ends_with(out, "operator")) {
        out += c;
        if (i + 1 < s.size() && s[i + 1] == '<') out += s[++i];
        continue;
      }
      ++depth;
    } else if (c == '>' && depth > 0) {
      --depth;
    } else if (depth == 0) {
      if (c == '>' &&
          (ends_with(out, "-") || ends_with(out, "operator") || ends_with(out, "operator>")))
        out += c;
      else if (c != '>')
        out += c;
    }
  }
  return out;
}

void erase_all(std::string& s, std::string_view what) {
  for (std::size_t pos; (pos = s.find(what)) != std::string::npos;) s.erase(pos, what.size());
}

// "foo(int) const" → "foo"; keeps "operator()" and Go's "(*T)" receivers.
void strip_parameters(std::string& s) {
  for (std::string_view q : {" const", " volatile", " &&", " &"}) {
    if (ends_with(s, q)) s.erase(s.size() - q.size());
  }
  if (s.empty() || s.back() != ')') return;
  std::size_t open = matching_open(s);
  if (open == std::string::npos || open == 0) return;
  if (ends_with(std::string_view(s).substr(0, open), "operator") && s.substr(open) == "()") return;
  s.erase(open);
  while (!s.empty() && s.back() == ' ') s.pop_back();
}

// ".cold", ".isra.0", ".constprop.0", ".part.0", ".lto_priv.0", ".llvm.123".
void strip_clone_suffixes(std::string& s) {
  static const std::array<std::string_view, 7> k_suffixes = {
      ".cold", ".isra", ".constprop", ".part", ".lto_priv", ".llvm", ".localalias"};
  bool changed = true;
  while (changed) {
    changed = false;
    std::size_t end = s.size();
    while (end > 0 && is_digit(s[end - 1])) --end;
    std::string_view head = std::string_view(s).substr(0, end);
    if (end < s.size() && ends_with(head, ".")) head.remove_suffix(1);
    for (std::string_view suffix : k_suffixes) {
      if (ends_with(head, suffix)) {
        s.erase(head.size() - suffix.size());
        changed = true;
        break;
      }
    }
  }
}

void strip_clone_brackets(std::string& s) {
  for (std::size_t pos; (pos = s.find(" [clone ")) != std::string::npos;) {
    std::size_t close = s.find(']', pos);
    s.erase(pos, close == std::string::npos ? std::string::npos : close - pos + 1);
  }
}

// Rust legacy mangling keeps "::h0123456789abcdef" at the end.
void strip_rust_hash(std::string& s) {
  if (s.size() > 19 && s.compare(s.size() - 19, 3, "::h") == 0) {
    bool hex = true;
    for (std::size_t i = s.size() - 16; i < s.size(); ++i) hex = hex && is_hex(s[i]);
    if (hex) s.erase(s.size() - 19);
  }
}

// Go generics "pkg.F[...]" and "pkg.F[go.shape.int]".
void strip_go_brackets(std::string& s) {
  std::size_t from = 0;
  for (std::size_t pos; (pos = s.find('[', from)) != std::string::npos && pos > 0;) {
    std::size_t close = s.find(']', pos);
    if (close == std::string::npos) break;
    if (close == pos + 1) {  // C++ operator[] / new[] / delete[]
      from = close + 1;
      continue;
    }
    s.erase(pos, close - pos + 1);
    from = pos;
  }
}

// Rust qualified paths: "<wirefmt::Frame as core::fmt::Display>::fmt" →
// "wirefmt::Frame::fmt" (the trait is how it was called, not where the code is).
void unqualify_rust_path(std::string& s) {
  if (s.empty() || s[0] != '<') return;
  int depth = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<')
      ++depth;
    else if (s[i] == '>' && --depth == 0) {
      std::size_t as = s.find(" as ");
      std::string type =
          as != std::string::npos && as < i ? s.substr(1, as - 1) : s.substr(1, i - 1);
      s = type + s.substr(i + 1);
      return;
    }
  }
}

// Windows spells Rust closures "f::closure$0", Linux and macOS "f::{{closure}}".
void unify_rust_closures(std::string& s) {
  for (std::size_t pos; (pos = s.find("closure$")) != std::string::npos;) {
    std::size_t end = pos + 8;
    while (end < s.size() && is_digit(s[end])) ++end;
    s.replace(pos, end - pos, "{{closure}}");
  }
}

}  // namespace

std::string normalise_function(std::string_view name) {
  std::string s(trim(name));
  // Python's code objects without a name of their own: "<module>", "<lambda>".
  if (s.size() > 2 && s.front() == '<' && s.back() == '>' &&
      s.find_first_of("<> ", 1) == s.size() - 1)
    return s;
  unqualify_rust_path(s);
  unify_rust_closures(s);
  erase_all(s, "(anonymous namespace)::");
  erase_all(s, "{anonymous}::");
  strip_clone_brackets(s);
  s = strip_templates(s);
  strip_rust_hash(s);
  strip_parameters(s);
  strip_clone_suffixes(s);
  strip_go_brackets(s);
  erase_all(s, "...");
  while (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace faultline::sanitizers
