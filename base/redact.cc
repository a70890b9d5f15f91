#include "base/redact.h"

#include <algorithm>
#include <cstdlib>

extern char** environ;

namespace faultline {

namespace {
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

bool Redactor::looks_secret(std::string_view name) {
  if (name == "GITHUB_TOKEN" || name == "GH_TOKEN") return true;
  for (std::string_view suffix : {"_TOKEN", "_SECRET", "_PASSWORD", "_PASSWD", "_API_KEY",
                                  "_PRIVATE_KEY", "_ACCESS_KEY", "_SECRET_KEY"})
    if (ends_with(name, suffix)) return true;
  return false;
}

std::vector<Redactor::Variable> Redactor::secret_variables(const std::vector<std::string>& names) {
  std::vector<Variable> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    const std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = entry.substr(0, eq);
    if (looks_secret(name) || std::find(names.begin(), names.end(), name) != names.end())
      out.push_back({std::string(name), std::string(entry.substr(eq + 1))});
  }
  return out;
}

Redactor Redactor::from_environment(const std::vector<std::string>& names) {
  Redactor r;
  for (auto& v : secret_variables(names)) r.add(std::move(v.value));
  return r;
}

void Redactor::add(std::string value) {
  if (value.size() < k_min_length ||
      std::find(m_values.begin(), m_values.end(), value) != m_values.end())
    return;
  m_values.push_back(std::move(value));
  std::stable_sort(m_values.begin(), m_values.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Redactor::apply(std::string_view text) const {
  std::string out(text);
  for (const auto& v : m_values) {
    for (std::size_t pos = out.find(v); pos != std::string::npos;
         pos = out.find(v, pos + k_mask.size()))
      out.replace(pos, v.size(), k_mask);
  }
  return out;
}

}  // namespace faultline
