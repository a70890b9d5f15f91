#include "ci/serve/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "base/files.h"
#include "base/text.h"
#include "matrix/diagnostics.h"

namespace faultline::ci::serve {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Collects `FILE:LINE:COL: error: …` lines.
class Problems {
 public:
  explicit Problems(std::string file) : m_file(std::move(file)) {}
  void add(const YAML::Mark& mark, const std::string& message) {
    m_text += matrix::render_error(
        m_file, {std::max(mark.line, 0) + 1, std::max(mark.column, 0) + 1}, message);
  }
  bool empty() const { return m_text.empty(); }
  const std::string& text() const { return m_text; }

 private:
  std::string m_file;
  std::string m_text;
};

bool scalar(const YAML::Node& node, const std::string& key, Problems& problems) {
  if (node.IsScalar() && !node.Scalar().empty()) return true;
  problems.add(node.Mark(), "'" + key + "' must be a non-empty string");
  return false;
}

template <typename T>
std::optional<T> number(const YAML::Node& node, const std::string& key, T min, T max,
                        Problems& problems) {
  T value{};
  bool ok =
      node.IsScalar() && YAML::convert<T>::decode(node, value) && value >= min && value <= max;
  if (ok) return value;
  problems.add(node.Mark(), "'" + key + "' must be a whole number from " + std::to_string(min) +
                                " to " + std::to_string(max) + ", not '" +
                                (node.IsScalar() ? node.Scalar() : "?") + "'");
  return std::nullopt;
}

void read_listen(const YAML::Node& node, BotConfig& cfg, Problems& problems) {
  if (!scalar(node, "listen", problems)) return;
  const std::string text = node.Scalar();
  auto colon = text.rfind(':');
  int port = 0;
  bool ok = colon != std::string::npos && colon > 0;
  if (ok) {
    std::istringstream in(text.substr(colon + 1));
    ok = static_cast<bool>(in >> port) && in.eof() && port >= 0 && port <= 65535;
  }
  if (!ok)
    return problems.add(node.Mark(),
                        "'listen' must be HOST:PORT (e.g. 127.0.0.1:8080), not '" + text + "'");
  cfg.host = text.substr(0, colon);
  cfg.port = port;
}

bool valid_env_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

void read_env_name(const YAML::Node& node, const std::string& key, std::string& out,
                   Problems& problems) {
  if (!scalar(node, key, problems)) return;
  if (!valid_env_name(node.Scalar()))
    return problems.add(
        node.Mark(), "'" + key +
                         "' names an environment variable (e.g. FAULTLINE_WEBHOOK_SECRET), not '" +
                         node.Scalar() + "'; the value itself never goes in this file");
  out = node.Scalar();
}

void read_repositories(const YAML::Node& node, BotConfig& cfg, Problems& problems) {
  if (!node.IsSequence() || node.size() == 0)
    return problems.add(node.Mark(), "'repositories' must be a non-empty list of OWNER/NAME");
  for (const auto& item : node) {
    const std::string repo = item.IsScalar() ? item.Scalar() : "";
    auto slash = repo.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == repo.size() ||
        repo.find('/', slash + 1) != std::string::npos) {
      problems.add(item.Mark(), "repository '" + repo + "' must be OWNER/NAME");
      continue;
    }
    cfg.repositories.push_back(repo);
  }
}

void read_bool(const YAML::Node& node, const std::string& key, bool& out, Problems& problems) {
  if (node.IsScalar() && YAML::convert<bool>::decode(node, out)) return;
  problems.add(node.Mark(), "'" + key + "' must be true or false");
}

using Reader = std::function<void(const YAML::Node&, BotConfig&, Problems&)>;

const std::map<std::string, Reader>& readers() {
  static const std::map<std::string, Reader> table = {
      {"listen", read_listen},
      {"secret_env",
       [](auto& n, auto& c, auto& p) { read_env_name(n, "secret_env", c.secret_env, p); }},
      {"token_env",
       [](auto& n, auto& c, auto& p) { read_env_name(n, "token_env", c.token_env, p); }},
      {"api_url",
       [](auto& n, auto& c, auto& p) {
         if (scalar(n, "api_url", p)) c.api_url = n.Scalar();
       }},
      {"repositories", read_repositories},
      {"matrix",
       [](auto& n, auto& c, auto& p) {
         if (scalar(n, "matrix", p)) c.matrix = n.Scalar();
       }},
      {"runs",
       [](auto& n, auto& c, auto& p) { c.runs = number<int>(n, "runs", 1, 10'000'000, p); }},
      {"allow_forks",
       [](auto& n, auto& c, auto& p) { read_bool(n, "allow_forks", c.allow_forks, p); }},
      {"max_body_bytes",
       [](auto& n, auto& c, auto& p) {
         if (auto v = number<std::uint64_t>(n, "max_body_bytes", 1024, k_github_max_payload, p))
           c.max_body_bytes = *v;
       }},
      {"workdir",
       [](auto& n, auto& c, auto& p) {
         if (scalar(n, "workdir", p)) c.workdir = n.Scalar();
       }},
      {"db",
       [](auto& n, auto& c, auto& p) {
         if (scalar(n, "db", p)) c.db = n.Scalar();
       }},
      {"name",
       [](auto& n, auto& c, auto& p) {
         if (scalar(n, "name", p)) c.name = n.Scalar();
       }},
      {"jobs",
       [](auto& n, auto& c, auto& p) {
         if (auto v = number<int>(n, "jobs", 1, 64, p)) c.jobs = *v;
       }},
      {"job_timeout",
       [](auto& n, auto& c, auto& p) {
         if (auto v = number<int>(n, "job_timeout", 1, 7 * 24 * 3600, p))
           c.job_timeout = std::chrono::seconds(*v);
       }},
  };
  return table;
}

std::vector<std::string> known_keys() {
  std::vector<std::string> keys;
  for (const auto& [key, reader] : readers()) keys.push_back(key);
  return keys;
}

void read_root(const YAML::Node& root, BotConfig& cfg, Problems& problems) {
  if (!root.IsMap())
    return problems.add(root.Mark(), "the bot configuration must be a mapping of settings");
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    auto reader = readers().find(key);
    if (reader != readers().end()) {
      reader->second(entry.second, cfg, problems);
      continue;
    }
    auto best = did_you_mean(key, known_keys());
    problems.add(entry.first.Mark(), "unknown setting '" + key + "'" +
                                         (best ? " (did you mean '" + *best + "'?)" : ""));
  }
  for (const char* required : {"secret_env", "repositories"})
    if (!root[required])
      problems.add(root.Mark(), std::string("missing setting '") + required + "'");
}

}  // namespace

bool BotConfig::allows(const std::string& repo) const {
  const std::string wanted = lower(repo);
  return std::any_of(repositories.begin(), repositories.end(),
                     [&](const std::string& r) { return lower(r) == wanted; });
}

Expected<BotConfig> parse_config(const std::string& text, const std::string& file) {
  BotConfig cfg;
  cfg.file = file;
  Problems problems(file);
  try {
    read_root(YAML::Load(text), cfg, problems);
  } catch (const YAML::Exception& e) {
    problems.add(e.mark, e.msg);
  }
  if (!problems.empty()) return fail(bad_input(problems.text()));
  return cfg;
}

Expected<BotConfig> load_config(const std::string& file) {
  Expected<std::string> text = read_file(file);
  if (!text)
    return fail(
        bad_input(file + ": error: cannot read the bot configuration: " + text.error().message));
  return parse_config(*text, file);
}

}  // namespace faultline::ci::serve
