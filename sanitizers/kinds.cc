#include "sanitizers/kinds.h"

#include <array>
#include <cctype>
#include <csignal>

namespace faultline::sanitizers {

namespace {

using Phrase = std::pair<std::string_view, std::string_view>;  // text → kind

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool contains(std::string_view s, std::string_view p) {
  return s.find(p) != std::string_view::npos;
}

constexpr std::array<Phrase, 20> k_sanitizer_phrases = {{
    {"attempting double-free", "double-free"},
    {"attempting free on address which was not malloc()-ed", "bad-free"},
    {"requested allocation size", "allocation-size-too-big"},
    {"allocator is out of memory", "out-of-memory"},
    {"out of memory", "out-of-memory"},
    {"calloc parameters overflow", "calloc-overflow"},
    {"data race on vptr", "data-race-on-vptr"},
    {"data race", "data-race"},
    {"lock-order-inversion", "lock-order-inversion"},
    {"thread leak", "thread-leak"},
    {"signal-unsafe call inside of a signal", "signal-unsafe-call"},
    {"signal handler spoils errno", "signal-handler-spoils-errno"},
    {"unlock of an unlocked mutex", "unlock-of-unlocked-mutex"},
    {"destroy of a locked mutex", "destroy-of-locked-mutex"},
    {"double lock of a mutex", "double-lock"},
    {"read lock of a write locked mutex", "read-lock-of-write-locked-mutex"},
    {"read unlock of a write locked mutex", "read-unlock-of-write-locked-mutex"},
    {"unlock of a read locked mutex", "unlock-of-read-locked-mutex"},
    {"use of an invalid mutex", "invalid-mutex"},
    {"detected memory leaks", "memory-leak"},
}};

// UBSan: the message after "runtime error: " → the -fsanitize= check name
// (FSanitizeFlagName in compiler-rt's ubsan_checks.inc, what a suppression
// file names). Ordered: the first phrase the message contains wins.
constexpr std::array<Phrase, 33> k_ubsan_phrases = {{
    {"signed integer overflow", "signed-integer-overflow"},
    {"unsigned integer overflow", "unsigned-integer-overflow"},
    {"negation of", "signed-integer-overflow"},
    {"division by zero", "integer-divide-by-zero"},  // float: SUMMARY says float-divide-by-zero
    {"divide by zero", "integer-divide-by-zero"},
    {"shift exponent", "shift-exponent"},
    {"left shift of", "shift-base"},
    {"out of bounds for type", "bounds"},
    {"null pointer passed as argument", "nonnull-attribute"},
    {"null pointer returned from function", "returns-nonnull-attribute"},
    {"applying non-zero offset", "pointer-overflow"},
    {"applying zero offset to null pointer", "pointer-overflow"},
    {"pointer index expression", "pointer-overflow"},
    {"addition of unsigned offset", "pointer-overflow"},
    {"subtraction of unsigned offset", "pointer-overflow"},
    {"insufficient space for an object", "object-size"},
    {"null pointer", "null"},
    {"misaligned address", "alignment"},
    {"assumption of", "alignment"},
    {"bool'", "bool"},
    {"not a valid value for type", "enum"},
    {"unreachable program point", "unreachable"},
    {"without returning a value", "return"},
    {"variable length array bound", "vla-bound"},
    {"through pointer to incorrect function type", "function"},
    {"which does not point to an object of type", "vptr"},
    {"invalid vptr", "vptr"},
    {"is outside the range of representable values", "float-cast-overflow"},
    {"implicit conversion from type", "implicit-conversion"},
    {"passing zero to", "invalid-builtin-use"},
    {"control flow integrity check", "cfi"},
    {"division of", "signed-integer-overflow"},  // INT_MIN / -1
    {"load of value", "undefined"},
}};

// UBSan's SUMMARY with report_error_type=1 names the error type (SummaryKind
// in ubsan_checks.inc); its check name. "undefined-behavior" (no type) is absent.
constexpr std::array<Phrase, 33> k_ubsan_error_types = {{
    {"null-pointer-use", "null"},
    {"nullptr-with-offset", "pointer-overflow"},
    {"nullptr-with-nonzero-offset", "pointer-overflow"},
    {"nullptr-after-nonzero-offset", "pointer-overflow"},
    {"pointer-overflow", "pointer-overflow"},
    {"misaligned-pointer-use", "alignment"},
    {"alignment-assumption", "alignment"},
    {"insufficient-object-size", "object-size"},
    {"signed-integer-overflow", "signed-integer-overflow"},
    {"unsigned-integer-overflow", "unsigned-integer-overflow"},
    {"integer-divide-by-zero", "integer-divide-by-zero"},
    {"float-divide-by-zero", "float-divide-by-zero"},
    {"fixed-point-divide-by-zero", "fixed-point-divide-by-zero"},
    {"invalid-builtin-use", "invalid-builtin-use"},
    {"invalid-objc-cast", "invalid-objc-cast"},
    {"implicit-unsigned-integer-truncation", "implicit-unsigned-integer-truncation"},
    {"implicit-signed-integer-truncation-or-sign-change", "implicit-signed-integer-truncation"},
    {"implicit-signed-integer-truncation", "implicit-signed-integer-truncation"},
    {"implicit-integer-sign-change", "implicit-integer-sign-change"},
    {"invalid-shift-base", "shift-base"},
    {"invalid-shift-exponent", "shift-exponent"},
    {"out-of-bounds-index", "bounds"},
    {"local-out-of-bounds", "local-bounds"},
    {"unreachable-call", "unreachable"},
    {"missing-return", "return"},
    {"non-positive-vla-index", "vla-bound"},
    {"float-cast-overflow", "float-cast-overflow"},
    {"invalid-bool-load", "bool"},
    {"invalid-enum-load", "enum"},
    {"function-type-mismatch", "function"},
    {"invalid-null-return", "returns-nonnull-attribute"},
    {"invalid-null-argument", "nonnull-attribute"},
    {"dynamic-type-mismatch", "vptr"},
}};

// The minimal runtime's handler names ("ubsan: add-overflow by 0x…",
// ubsan_minimal_handlers.cpp) → check name. One handler serves several checks
// for type-mismatch (null, alignment, object-size), load-invalid-value (bool,
// enum) and add/sub/mul-overflow (signed or unsigned): the commonest is named.
constexpr std::array<Phrase, 24> k_ubsan_minimal_handlers = {{
    {"add-overflow", "signed-integer-overflow"},
    {"sub-overflow", "signed-integer-overflow"},
    {"mul-overflow", "signed-integer-overflow"},
    {"negate-overflow", "signed-integer-overflow"},
    {"divrem-overflow", "integer-divide-by-zero"},
    {"shift-out-of-bounds", "shift"},
    {"out-of-bounds", "bounds"},
    {"builtin-unreachable", "unreachable"},
    {"missing-return", "return"},
    {"vla-bound-not-positive", "vla-bound"},
    {"float-cast-overflow", "float-cast-overflow"},
    {"load-invalid-value", "bool"},
    {"invalid-builtin", "invalid-builtin-use"},
    {"invalid-objc-cast", "invalid-objc-cast"},
    {"function-type-mismatch", "function"},
    {"implicit-conversion", "implicit-conversion"},
    {"nonnull-arg", "nonnull-attribute"},
    {"nonnull-return", "returns-nonnull-attribute"},
    {"nullability-arg", "nullability-arg"},
    {"nullability-return", "nullability-return"},
    {"pointer-overflow", "pointer-overflow"},
    {"cfi-check-fail", "cfi"},
    {"type-mismatch", "null"},
    {"alignment-assumption", "alignment"},
}};

// valgrind memcheck's error headlines → its XML <kind> (InvalidRead, …) as a slug.
constexpr std::array<Phrase, 11> k_valgrind_errors = {{
    {"Invalid read of size", "invalid-read"},
    {"Invalid write of size", "invalid-write"},
    {"Invalid free() / delete / delete[]", "invalid-free"},
    {"Mismatched free() / delete / delete", "mismatched-free"},
    {"Conditional jump or move depends on uninitialised", "uninit-condition"},
    {"Use of uninitialised value of size", "uninit-value"},
    {"Syscall param ", "syscall-param"},
    {"Source and destination overlap in", "overlap"},
    {"Jump to the invalid address", "invalid-jump"},
    {"Invalid alignment value", "invalid-alignment"},
    {"Process terminating with default action of signal", "fatal-signal"},
}};

constexpr std::array<Phrase, 9> k_go_panics = {{
    {"invalid memory address or nil pointer dereference", "nil-pointer-dereference"},
    {"index out of range", "index-out-of-range"},
    {"slice bounds out of range", "slice-bounds-out-of-range"},
    {"integer divide by zero", "integer-divide-by-zero"},
    {"assignment to entry in nil map", "nil-map-write"},
    {"close of closed channel", "close-of-closed-channel"},
    {"send on closed channel", "send-on-closed-channel"},
    {"interface conversion", "interface-conversion"},
    {"concurrent map", "concurrent-map-access"},
}};

constexpr std::array<Phrase, 25> k_glibc_messages = {{
    {"free(): double free detected", "double-free"},
    {"double free or corruption", "double-free-or-corruption"},
    {"free(): invalid pointer", "invalid-pointer"},
    {"munmap_chunk(): invalid pointer", "invalid-pointer"},
    {"realloc(): invalid pointer", "invalid-pointer"},
    {"free(): invalid size", "invalid-size"},
    {"free(): invalid next size", "invalid-size"},
    {"realloc(): invalid next size", "invalid-size"},
    {"realloc(): invalid old size", "invalid-size"},
    {"malloc(): invalid size", "invalid-size"},
    {"malloc(): invalid next size", "invalid-size"},
    {"malloc_consolidate(): invalid chunk size", "invalid-size"},
    {"corrupted size vs. prev_size", "heap-corruption"},
    {"corrupted double-linked list", "heap-corruption"},
    {"malloc(): corrupted top size", "heap-corruption"},
    {"malloc(): memory corruption", "heap-corruption"},
    {"malloc(): unsorted double linked list corrupted", "heap-corruption"},
    {"malloc(): smallbin double linked list corrupted", "heap-corruption"},
    {"malloc(): mismatching next->prev_size", "heap-corruption"},
    {"malloc(): unaligned tcache chunk detected", "heap-corruption"},
    {"malloc(): unaligned fastbin chunk detected", "heap-corruption"},
    {"free(): corrupted unsorted chunks", "heap-corruption"},
    {"free(): unaligned chunk detected", "heap-corruption"},
    {"free(): too many chunks detected in tcache", "heap-corruption"},
    {"tcache_thread_shutdown(): unaligned tcache chunk detected", "heap-corruption"},
}};

// Other malloc_printerr messages: "<function>(): <one of these>…".
constexpr std::array<std::string_view, 7> k_glibc_words = {
    "invalid ",    "corrupted ",   "unaligned ",     "memory corruption",
    "double free", "mismatching ", "too many chunks"};

struct SignalText {
  std::string_view text;
  std::string_view name;
};

constexpr std::array<SignalText, 8> k_signal_texts = {{
    {"Segmentation fault", "SIGSEGV"},
    {"Aborted", "SIGABRT"},
    {"Bus error", "SIGBUS"},
    {"Illegal instruction", "SIGILL"},
    {"Floating point exception", "SIGFPE"},
    {"Floating point error", "SIGFPE"},
    {"Trace/breakpoint trap", "SIGTRAP"},
    {"Bad system call", "SIGSYS"},
}};

template <std::size_t N>
std::optional<std::string_view> find_phrase(std::string_view text,
                                            const std::array<Phrase, N>& table, bool prefix) {
  for (const auto& [phrase, kind] : table) {
    if (prefix ? starts_with(text, phrase) : contains(text, phrase)) return kind;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> tool_for_sanitizer(std::string_view name) {
  if (name == "Address") return "asan";
  if (name == "Leak") return "lsan";
  if (name == "Thread") return "tsan";
  if (name == "Memory") return "msan";
  if (name == "UndefinedBehavior") return "ubsan";
  if (name == "HWAddress") return "hwasan";
  return std::nullopt;
}

std::string sanitizer_kind(std::string_view headline) {
  if (auto kind = find_phrase(headline, k_sanitizer_phrases, true)) return std::string(*kind);
  std::size_t end = headline.find_first_of(" :(");
  std::string kind(headline.substr(0, end));
  return kind.empty() ? "unknown" : kind;
}

std::string ubsan_kind(std::string_view message) {
  if (auto kind = find_phrase(message, k_ubsan_phrases, false)) return std::string(*kind);
  return "undefined";
}

std::optional<std::string> ubsan_kind_for_error_type(std::string_view type) {
  for (const auto& [name, kind] : k_ubsan_error_types) {
    if (type == name) return std::string(kind);
  }
  return std::nullopt;
}

std::optional<std::string> ubsan_minimal_kind(std::string_view handler) {
  for (const auto& [name, kind] : k_ubsan_minimal_handlers) {
    if (handler == name) return std::string(kind);
  }
  return std::nullopt;
}

std::optional<std::string> valgrind_kind(std::string_view headline) {
  if (auto kind = find_phrase(headline, k_valgrind_errors, true)) return std::string(*kind);
  if (headline.find(" are definitely lost in loss record ") != std::string_view::npos)
    return "leak-definitely-lost";
  if (headline.find(" are possibly lost in loss record ") != std::string_view::npos)
    return "leak-possibly-lost";
  return std::nullopt;
}

std::string go_panic_kind(std::string_view message) {
  if (auto kind = find_phrase(message, k_go_panics, false)) return std::string(*kind);
  return "panic";
}

std::optional<std::string> glibc_kind(std::string_view message) {
  if (auto kind = find_phrase(message, k_glibc_messages, true)) return std::string(*kind);
  std::size_t pos = message.find("(): ");
  if (pos == std::string_view::npos || pos == 0) return std::nullopt;
  for (char c : message.substr(0, pos)) {
    if (!(std::islower(static_cast<unsigned char>(c)) || c == '_')) return std::nullopt;
  }
  std::string_view rest = message.substr(pos + 4);
  for (std::string_view word : k_glibc_words) {
    if (starts_with(rest, word)) return std::string("heap-corruption");
  }
  return std::nullopt;
}

std::string slug_without_parentheses(std::string_view text) {
  std::string out;
  int depth = 0;
  for (char c : text) {
    if (c == '(')
      ++depth;
    else if (c == ')' && depth > 0)
      --depth;
    else if (depth == 0 && std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (depth == 0 && !out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "unknown" : out;
}

std::string signal_kind_for_description(std::string_view text) {
  for (const auto& s : k_signal_texts) {
    if (starts_with(text, s.text)) return std::string(s.name);
  }
  return "";
}

std::optional<std::pair<std::size_t, std::string>> find_signal_description(std::string_view line) {
  for (const auto& s : k_signal_texts) {
    std::size_t pos = line.find(s.text);
    if (pos != std::string_view::npos) return std::make_pair(pos, std::string(s.name));
  }
  return std::nullopt;
}

std::optional<std::string> fatal_signal_name(int signo) {
  switch (signo) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGABRT:
      return "SIGABRT";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    case SIGTRAP:
      return "SIGTRAP";
    case SIGSYS:
      return "SIGSYS";
    default:
      return std::nullopt;
  }
}

}  // namespace faultline::sanitizers
