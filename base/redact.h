// Secrets never leave: a Redactor holds the values of secret environment
// variables and replaces every occurrence of them with "***" in text bound for
// a log, a report or a comment. It masks text only: callers apply it to captured
// text (output excerpts, summaries, frames, commands, logs), never to keys, axis
// values, ids or verdicts (reporters::mask_secrets says which fields).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace faultline {

class Redactor {
 public:
  static constexpr std::string_view k_mask = "***";
  static constexpr std::size_t k_min_length = 4;  // shorter values would mask ordinary text

  // The values of: the variables named in `names` (the matrix file's `secrets:`),
  // and every variable whose name says it is a secret — GITHUB_TOKEN, GH_TOKEN,
  // and names ending in _TOKEN, _SECRET, _PASSWORD, _PASSWD, _API_KEY, _PRIVATE_KEY,
  // _ACCESS_KEY or _SECRET_KEY (AWS_ACCESS_KEY, AWS_SECRET_KEY).
  static Redactor from_environment(const std::vector<std::string>& names = {});
  // The same variables as (name, value), short values included, in environment order.
  struct Variable {
    std::string name, value;
  };
  static std::vector<Variable> secret_variables(const std::vector<std::string>& names = {});
  static bool looks_secret(std::string_view name);

  void add(std::string value);  // ignored when shorter than k_min_length
  const std::vector<std::string>& values() const { return m_values; }
  bool empty() const { return m_values.empty(); }
  std::string apply(std::string_view text) const;

 private:
  std::vector<std::string> m_values;  // longest first, so a longer secret is masked whole
};

}  // namespace faultline
