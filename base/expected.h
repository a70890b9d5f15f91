// faultline::Expected<T> — a value or an Error, in the style of ccache's
// util/expected.hpp. Everything that can fail returns one; exceptions are
// caught once, in cli/main.cc. std::expected is C++23, and clang 14 cannot use
// libstdc++'s, so this small one is written here once.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace faultline {

// What kind of failure, so callers can choose an exit status without parsing text.
enum class ErrorKind {
  bad_input,       // the user's file, flags or data are wrong: exit 2
  infrastructure,  // a compiler, git, the network, the disk failed: exit 3
  internal,        // a bug in faultline
};

struct Error {
  ErrorKind kind = ErrorKind::bad_input;
  std::string message;  // a full sentence for people, with place and cause
};

inline Error bad_input(std::string message) { return {ErrorKind::bad_input, std::move(message)}; }
inline Error infrastructure(std::string message) {
  return {ErrorKind::infrastructure, std::move(message)};
}

struct Unexpected {
  Error error;
};
inline Unexpected fail(Error e) { return Unexpected{std::move(e)}; }

template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
  Expected(Unexpected u) : m_state(std::in_place_index<1>, std::move(u.error)) {}

  bool has_value() const { return m_state.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(m_state);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(m_state);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(m_state));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!has_value());
    return std::get<1>(m_state);
  }

 private:
  std::variant<T, Error> m_state;
};

// Expected<void>: success or an Error.
struct Ok {};
using Status = Expected<Ok>;

}  // namespace faultline

// FAULTLINE_TRY(var, expr): evaluate expr (an Expected); on failure return its error.
#define FAULTLINE_CONCAT2(a, b) a##b
#define FAULTLINE_CONCAT(a, b) FAULTLINE_CONCAT2(a, b)
#define FAULTLINE_TRY_IMPL(tmp, var, expr)         \
  auto tmp = (expr);                               \
  if (!tmp) return ::faultline::fail(tmp.error()); \
  var = std::move(tmp).value()
#define FAULTLINE_TRY(var, expr) \
  FAULTLINE_TRY_IMPL(FAULTLINE_CONCAT(faultline_try_, __LINE__), var, expr)
