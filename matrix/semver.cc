#include "matrix/semver.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <sstream>

#include "base/text.h"

namespace faultline::matrix {

namespace {

using Comparator = SemVerRange::Comparator;
using Op = Comparator::Op;

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::optional<std::uint64_t> number(std::string_view s) {
  if (!all_digits(s) || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    std::size_t at = s.find(sep, start);
    parts.push_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

bool identifier_ok(std::string_view id, bool numeric_strict) {
  if (id.empty()) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  return !(numeric_strict && all_digits(id) && id.size() > 1 && id[0] == '0');
}

// "-rc.1+build" after MAJOR.MINOR.PATCH into `out`; false when malformed.
bool parse_suffix(std::string_view rest, SemVer& out) {
  if (std::size_t plus = rest.find('+'); plus != std::string_view::npos) {
    out.build = std::string(rest.substr(plus + 1));
    for (auto id : split(out.build, '.'))
      if (!identifier_ok(id, false)) return false;
    rest = rest.substr(0, plus);
  }
  if (rest.empty()) return true;
  if (rest[0] != '-') return false;
  for (auto id : split(rest.substr(1), '.')) {
    if (!identifier_ok(id, true)) return false;
    out.prerelease.emplace_back(id);
  }
  return true;
}

int compare_identifiers(const std::string& a, const std::string& b) {
  const bool an = all_digits(a), bn = all_digits(b);
  if (an && bn) {
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
  }
  if (an != bn) return an ? -1 : 1;
  return a < b ? -1 : (a == b ? 0 : 1);
}

// A version with parts left out or written x/X/*: "1", "1.2", "1.x", "*".
struct Partial {
  std::optional<std::uint64_t> major, minor, patch;
  SemVer full;  // the parts given, zeros for the rest, with any pre-release
};

bool wildcard(std::string_view s) { return s == "x" || s == "X" || s == "*"; }

std::optional<Partial> parse_partial(std::string_view text) {
  if (!text.empty() && (text[0] == 'v' || text[0] == 'V')) text.remove_prefix(1);
  if (text.empty()) return Partial{};
  std::size_t core_end = text.find_first_of("-+");
  auto parts = split(text.substr(0, core_end), '.');
  if (parts.size() > 3) return std::nullopt;
  Partial p;
  std::optional<std::uint64_t>* fields[] = {&p.major, &p.minor, &p.patch};
  bool wild = false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (wildcard(parts[i]))
      wild = true;
    else if (wild || !(*fields[i] = number(parts[i])))
      return std::nullopt;
  }
  p.full = {p.major.value_or(0), p.minor.value_or(0), p.patch.value_or(0), {}, {}};
  if (core_end != std::string_view::npos &&
      (!p.patch || !parse_suffix(text.substr(core_end), p.full)))
    return std::nullopt;
  return p;
}

SemVer bound(std::uint64_t major, std::uint64_t minor, std::uint64_t patch) {
  return SemVer{major, minor, patch, {"0"}, {}};  // below every pre-release of that version
}

// The first version above a partial: 1.2 -> 1.3.0-0, 1 -> 2.0.0-0.
SemVer next_of(const Partial& p) {
  if (!p.minor) return bound(*p.major + 1, 0, 0);
  return bound(*p.major, *p.minor + 1, 0);
}

const Comparator k_nothing{Op::less, SemVer{0, 0, 0, {"0"}, {}}};

std::vector<Comparator> caret(const Partial& p) {
  if (!p.major) return {};
  SemVer upper = *p.major > 0 || !p.minor   ? bound(*p.major + 1, 0, 0)
                 : *p.minor > 0 || !p.patch ? bound(0, *p.minor + 1, 0)
                                            : bound(0, 0, *p.patch + 1);
  return {{Op::greater_equal, p.full}, {Op::less, upper}};
}

std::vector<Comparator> tilde(const Partial& p) {
  if (!p.major) return {};
  SemVer upper = p.minor ? bound(*p.major, *p.minor + 1, 0) : bound(*p.major + 1, 0, 0);
  return {{Op::greater_equal, p.full}, {Op::less, upper}};
}

std::vector<Comparator> with_op(std::string_view op, const Partial& p) {
  const bool whole = p.patch.has_value();
  if (op.empty() || op == "=") {
    if (whole) return {{Op::equal, p.full}};
    if (!p.major) return {};
    return {{Op::greater_equal, p.full}, {Op::less, next_of(p)}};
  }
  if (op == ">=")
    return p.major ? std::vector<Comparator>{{Op::greater_equal, p.full}}
                   : std::vector<Comparator>{};
  if (op == "<=") {
    if (whole) return {{Op::less_equal, p.full}};
    return p.major ? std::vector<Comparator>{{Op::less, next_of(p)}} : std::vector<Comparator>{};
  }
  if (op == ">") {
    if (whole) return {{Op::greater, p.full}};
    return p.major ? std::vector<Comparator>{{Op::greater_equal, next_of(p)}}
                   : std::vector<Comparator>{k_nothing};
  }
  if (op == "<") {
    if (whole) return {{Op::less, p.full}};
    return p.major ? std::vector<Comparator>{{Op::less, bound(p.full.major, p.full.minor, 0)}}
                   : std::vector<Comparator>{k_nothing};
  }
  if (op == "^") return caret(p);
  return tilde(p);
}

std::string_view operator_of(std::string_view token) {
  for (std::string_view op : {">=", "<=", ">", "<", "=", "^", "~"})
    if (token.substr(0, op.size()) == op) return token.substr(0, op.size());
  return {};
}

std::vector<std::string> words(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

Expected<std::vector<Comparator>> parse_set(std::string_view text) {
  std::vector<std::string> w = words(text);
  std::vector<Comparator> set;
  auto add = [&](std::string_view op, std::string_view version) -> bool {
    auto p = parse_partial(version);
    if (!p) return false;
    for (auto& c : with_op(op, *p)) set.push_back(c);
    return true;
  };
  if (w.size() == 3 && w[1] == "-") {  // "1.2 - 1.4": both ends included
    if (!add(">=", w[0])) return fail(bad_input("'" + w[0] + "' is not a version"));
    if (!add("<=", w[2])) return fail(bad_input("'" + w[2] + "' is not a version"));
    return set;
  }
  for (std::size_t i = 0; i < w.size(); ++i) {
    std::string_view op = operator_of(w[i]);
    std::string version = w[i].substr(op.size());
    if (!op.empty() && version.empty() && i + 1 < w.size()) version = w[++i];  // ">= 1.2"
    if (!add(op, version)) return fail(bad_input("'" + w[i] + "' is not a version or comparator"));
  }
  return set;
}

bool holds(const Comparator& c, const SemVer& v) {
  const int order = compare(v, c.version);
  switch (c.op) {
    case Op::less:
      return order < 0;
    case Op::less_equal:
      return order <= 0;
    case Op::greater:
      return order > 0;
    case Op::greater_equal:
      return order >= 0;
    case Op::equal:
      return order == 0;
  }
  return false;
}

bool set_satisfied(const std::vector<Comparator>& set, const SemVer& v) {
  for (const auto& c : set)
    if (!holds(c, v)) return false;
  if (v.prerelease.empty()) return true;
  for (const auto& c : set)
    if (!c.version.prerelease.empty() && c.version.major == v.major && c.version.minor == v.minor &&
        c.version.patch == v.patch)
      return true;
  return false;
}

}  // namespace

std::optional<SemVer> parse_semver(std::string_view text) {
  if (!text.empty() && (text[0] == 'v' || text[0] == 'V')) text.remove_prefix(1);
  std::size_t core_end = text.find_first_of("-+");
  auto parts = split(text.substr(0, core_end), '.');
  if (parts.size() != 3) return std::nullopt;
  auto major = number(parts[0]), minor = number(parts[1]), patch = number(parts[2]);
  if (!major || !minor || !patch) return std::nullopt;
  SemVer v{*major, *minor, *patch, {}, {}};
  if (core_end != std::string_view::npos && !parse_suffix(text.substr(core_end), v))
    return std::nullopt;
  return v;
}

int compare(const SemVer& a, const SemVer& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  if (a.prerelease.empty() || b.prerelease.empty())
    return a.prerelease.empty() == b.prerelease.empty() ? 0 : (a.prerelease.empty() ? 1 : -1);
  for (std::size_t i = 0; i < a.prerelease.size() && i < b.prerelease.size(); ++i)
    if (int c = compare_identifiers(a.prerelease[i], b.prerelease[i]); c != 0) return c;
  if (a.prerelease.size() == b.prerelease.size()) return 0;
  return a.prerelease.size() < b.prerelease.size() ? -1 : 1;
}

Expected<SemVerRange> parse_semver_range(std::string_view text) {
  SemVerRange range;
  for (std::size_t start = 0;;) {
    std::size_t bar = text.find("||", start);
    std::string_view part =
        text.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
    FAULTLINE_TRY(auto set, parse_set(part));
    range.sets.push_back(std::move(set));
    if (bar == std::string_view::npos) return range;
    start = bar + 2;
  }
}

bool satisfies(const SemVer& version, const SemVerRange& range) {
  for (const auto& set : range.sets)
    if (set_satisfied(set, version)) return true;
  return false;
}

static Expected<std::vector<std::string>> parse_json_versions(std::string_view printed) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(printed));
  } catch (const YAML::Exception& e) {
    return fail(bad_input("the output looks like JSON but does not parse: " + e.msg));
  }
  if (doc.IsScalar()) return std::vector<std::string>{doc.Scalar()};
  std::vector<std::string> out;
  for (std::size_t i = 0; doc.IsSequence() && i < doc.size(); ++i) {
    const std::string item = "item " + std::to_string(i + 1) + " of the JSON array";
    if (!doc[i].IsScalar()) return fail(bad_input(item + " is not a string"));
    const std::string& version = doc[i].Scalar();
    if (version.empty()) return fail(bad_input(item + " is empty"));
    if (version.find_first_of(" \t\v\f\r\n") != std::string::npos)
      return fail(bad_input(item + ", '" + version +
                            "', holds whitespace: a version is one word, as on a line"));
    out.push_back(version);
  }
  if (!doc.IsSequence())
    return fail(bad_input("the output is JSON but not an array of version strings"));
  return out;
}

namespace {

// One version per line: surrounding blanks and a CR trimmed, empty lines skipped. Error: a line
// with whitespace inside it, by its number (from 1) and text.
Expected<std::vector<std::string>> version_lines(std::string_view printed) {
  std::vector<std::string> out;
  std::size_t number = 0;
  for (std::size_t start = 0; start < printed.size(); ++number) {
    const std::size_t end = std::min(printed.find('\n', start), printed.size());
    const std::string_view line = trim(printed.substr(start, end - start));
    start = end + 1;
    if (line.empty()) continue;
    if (line.find_first_of(" \t\v\f\r") != std::string_view::npos)
      return fail(bad_input("line " + std::to_string(number + 1) + " of its output, '" +
                            std::string(line) +
                            "', holds whitespace: print one version per line (a version is one "
                            "word)"));
    out.emplace_back(line);
  }
  return out;
}

}  // namespace

Expected<std::vector<std::string>> parse_version_listing(std::string_view printed) {
  std::vector<std::string> versions;
  const std::size_t first = printed.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos &&
      (printed[first] == '[' || printed[first] == '"' || printed[first] == '{')) {
    FAULTLINE_TRY(versions, parse_json_versions(printed));
  } else {
    FAULTLINE_TRY(versions, version_lines(printed));
  }
  std::set<std::string> seen;
  for (const auto& version : versions)
    if (!seen.insert(version).second)
      return fail(bad_input("version '" + version + "' is printed twice"));
  return versions;
}

Expected<std::vector<std::string>> sort_by_semver(std::vector<std::string> names) {
  std::vector<std::pair<SemVer, std::string>> parsed;
  for (auto& name : names) {
    auto v = parse_semver(name);
    if (!v)
      return fail(
          bad_input("'" + name + "' is not a semantic version (MAJOR.MINOR.PATCH, e.g. v1.2.0)"));
    parsed.emplace_back(std::move(*v), std::move(name));
  }
  std::sort(parsed.begin(), parsed.end(), [](const auto& a, const auto& b) {
    const int order = compare(a.first, b.first);
    return order != 0 ? order < 0 : a.second < b.second;
  });
  std::vector<std::string> out;
  for (auto& p : parsed) out.push_back(std::move(p.second));
  return out;
}

std::vector<std::string> keep_satisfying(const std::vector<std::string>& versions,
                                         const SemVerRange& range) {
  std::vector<std::string> out;
  for (const auto& text : versions)
    if (auto v = parse_semver(text); v && satisfies(*v, range)) out.push_back(text);
  return out;
}

}  // namespace faultline::matrix
