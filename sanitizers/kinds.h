// The names faultline gives to kinds of fault: from a sanitizer's headline,
// a UBSan message, a glibc abort message, a Go panic, a signal. Kinds are short
// lowercase slugs ("heap-use-after-free", "data-race"), signals keep their
// names ("SIGSEGV"). Tables only; report.cc decides where each applies.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace faultline::sanitizers {

// "Address" → "asan", "Leak" → "lsan", "Thread" → "tsan", "Memory" → "msan",
// "UndefinedBehavior" → "ubsan", "HWAddress" → "hwasan".
std::optional<std::string_view> tool_for_sanitizer(std::string_view name);

// From the text after "XSanitizer: ": "heap-use-after-free on address…" →
// "heap-use-after-free", "attempting double-free on…" → "double-free",
// "data race (pid=1)" → "data-race", …
std::string sanitizer_kind(std::string_view headline);

// UBSan kinds are -fsanitize= check names (compiler-rt ubsan_checks.inc).
// From the text after "runtime error: ": "signed integer overflow: …" →
// "signed-integer-overflow", "member call on null pointer…" → "null", …;
// "undefined" when no phrase is known.
std::string ubsan_kind(std::string_view message);

// From a SUMMARY's error type (report_error_type=1): "misaligned-pointer-use"
// → "alignment"; nullopt for "undefined-behavior" and unknown types.
std::optional<std::string> ubsan_kind_for_error_type(std::string_view type);

// From the minimal runtime's handler name: "add-overflow" → "signed-integer-overflow".
std::optional<std::string> ubsan_minimal_kind(std::string_view handler);

// valgrind memcheck headline ("Invalid read of size 4", "… are definitely lost
// in loss record …") → "invalid-read", "leak-definitely-lost", …
std::optional<std::string> valgrind_kind(std::string_view headline);

// From the text after "panic: ".
std::string go_panic_kind(std::string_view message);

// glibc's malloc_printerr messages ("free(): invalid pointer") → kind.
std::optional<std::string> glibc_kind(std::string_view message);

// "found bad pointer in Go heap (incorrect use…)" → "found-bad-pointer-in-go-heap".
std::string slug_without_parentheses(std::string_view text);

// "Segmentation fault at address 0x0" → "SIGSEGV"; "" when none applies.
std::string signal_kind_for_description(std::string_view text);

// Where a shell's signal description ("Segmentation fault", "Aborted", …)
// starts in `line`, and the signal it names.
std::optional<std::pair<std::size_t, std::string>> find_signal_description(std::string_view line);

// 11 → "SIGSEGV" for the signals that mean a crash (SEGV ABRT BUS FPE ILL TRAP SYS).
std::optional<std::string> fatal_signal_name(int signo);

}  // namespace faultline::sanitizers
