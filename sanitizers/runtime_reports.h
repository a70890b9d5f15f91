// Headlines of the reports language runtimes and other tools print: CPython's
// faulthandler, Node.js's FATAL ERROR, the JVM's hs_err header, valgrind
// memcheck, glibc's assert() and UBSan's minimal runtime. Each returns the
// report `s` opens when `s` starts with it (report.cc strips the prefix), and
// marks it strong: such a headline names its tool beyond doubt.
#pragma once

#include <optional>
#include <string_view>

#include "sanitizers/report.h"

namespace faultline::sanitizers {

std::optional<Header> classify_python(std::string_view s);  // Fatal Python error: …
std::optional<Header> classify_node(std::string_view s);    // FATAL ERROR: …
std::optional<Header> classify_jvm(
    std::string_view s);  // # A fatal error has been detected by the Java Runtime Environment:
std::optional<Header> classify_valgrind(std::string_view s);  // Invalid read of size 4, …
std::optional<Header> classify_assert(
    std::string_view s);  // prog: file.c:12: func: Assertion `x' failed.
std::optional<Header> classify_ubsan_minimal(std::string_view s);  // ubsan: add-overflow by 0x…

}  // namespace faultline::sanitizers
