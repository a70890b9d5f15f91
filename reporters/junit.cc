#include "reporters/junit.h"

#include <cstdio>
#include <map>
#include <sstream>

namespace faultline::reporters {

using nlohmann::json;
using results::Cell;
using results::Results;
using results::Signature;

namespace {

// Attribute or text content: cleaned (legal XML 1.0 characters only) and escaped.
std::string xml(std::string_view raw, std::size_t max_bytes = 2'000) {
  return xml_escape(clean_text(utf8_prefix(raw, max_bytes)));
}

constexpr const char* k_interrupted =
    "true: the run was interrupted; cells it did not finish are skipped, not passed";

std::string seconds(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", s < 0 ? 0.0 : s);
  return buffer;
}

struct Suite {
  std::vector<const Cell*> cells;
  int failures = 0, errors = 0, skipped = 0;
  double time = 0;
};

std::string workload_of(const Results& r, const Cell& cell) {
  if (auto it = cell.values.find("workload"); it != cell.values.end()) return it->second;
  return r.name;
}

std::string failure(const Cell& cell, const std::map<std::string, const Signature*>& sigs,
                    const JunitOptions& o) {
  std::string message, type, body;
  std::size_t n = 0;
  for (const auto& entry : cell.signatures) {
    auto it = sigs.find(entry.hash);
    if (it == sigs.end()) continue;
    const Signature& s = *it->second;
    if (n++ == 0) {
      message = s.text;
      type = s.tool + "/" + s.kind;
    }
    if (n > o.max_signatures) continue;
    body += "signature " + s.hash + ": " + s.text + " (" + std::to_string(entry.runs) + " of " +
            std::to_string(cell.runs) + " runs)\n";
    body += bounded_text(s.excerpt, o.excerpt) + "\n";
  }
  if (n > o.max_signatures)
    body += "… and " + std::to_string(n - o.max_signatures) + " more signatures\n";
  if (message.empty()) message = cell.summary;
  if (type.empty()) type = "crash";
  const std::string& summary = cell.summary;
  return "      <failure message=\"" + xml(message, 500) + "\" type=\"" + xml(type, 200) + "\">" +
         xml_escape(clean_text(summary + "\n\n" + body)) + "</failure>\n";
}

std::string testcase(const Results& r, const Cell& cell,
                     const std::map<std::string, const Signature*>& sigs, const JunitOptions& o) {
  const std::string& verdict = cell.verdict;
  std::string out = "    <testcase classname=\"" + xml(workload_of(r, cell), 500) + "\" name=\"" +
                    xml(cell.id, 2'000) + "\" time=\"" + seconds(cell.wall_seconds) + "\"";
  std::string inner;
  if (verdict == "crash") {
    inner = failure(cell, sigs, o);
  } else if (verdict == "hang") {
    inner = "      <failure message=\"" + xml(cell.summary, 500) + "\" type=\"hang\">" +
            xml(std::to_string(cell.hangs) + " of " + std::to_string(cell.runs) +
                " runs hung past their timeout") +
            "</failure>\n";
  } else if (verdict == "build-error") {
    const results::BuildError be =
        cell.build_error.value_or(results::BuildError{"build failed", "", ""});
    inner = "      <error message=\"" + xml(be.error, 500) + "\" type=\"build-error\">" +
            xml(be.command, 4'000) + "\n" + xml_escape(bounded_text(be.log_tail, o.excerpt)) +
            "</error>\n";
  } else if (verdict == "skipped") {
    inner = "      <skipped message=\"" +
            xml(cell.skipped_reason.value_or("no run happened"), 500) + "\"/>\n";
  }
  if (cell.repro && verdict != "pass")
    inner += "      <system-out>" +
             xml_escape(bounded_text("repro: " + *cell.repro, {20, 4'000, 8'000})) +
             "</system-out>\n";
  return inner.empty() ? out + "/>\n" : out + ">\n" + inner + "    </testcase>\n";
}

}  // namespace

std::string render_junit(const Results& r, const JunitOptions& o) {
  std::map<std::string, const Signature*> sigs;
  for (const auto& s : r.signatures) sigs.emplace(s.hash, &s);
  std::vector<std::string> order;
  std::map<std::string, Suite> suites;
  for (const auto& cell : r.cells) {
    const std::string name = workload_of(r, cell);
    auto [it, added] = suites.try_emplace(name);
    if (added) order.push_back(name);
    Suite& suite = it->second;
    suite.cells.push_back(&cell);
    const std::string& verdict = cell.verdict;
    suite.failures += verdict == "crash" || verdict == "hang";
    suite.errors += verdict == "build-error";
    suite.skipped += verdict == "skipped";
    suite.time += cell.wall_seconds;
  }
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  double time = 0;
  std::ostringstream body;
  for (const auto& name : order) {
    const Suite& s = suites[name];
    tests += static_cast<int>(s.cells.size());
    failures += s.failures;
    errors += s.errors;
    skipped += s.skipped;
    time += s.time;
    body << "  <testsuite name=\"" << xml(name, 500) << "\" tests=\"" << s.cells.size()
         << "\" failures=\"" << s.failures << "\" errors=\"" << s.errors << "\" skipped=\""
         << s.skipped << "\" time=\"" << seconds(s.time) << "\""
         << (r.started_at.empty() ? "" : " timestamp=\"" + xml(r.started_at, 40) + "\"") << ">\n";
    if (r.interrupted)
      body << "    <properties>\n      <property name=\"interrupted\" value=\"" << k_interrupted
           << "\"/>\n"
           << "    </properties>\n";
    for (const Cell* cell : s.cells) body << testcase(r, *cell, sigs, o);
    body << "  </testsuite>\n";
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"faultline: "
      << xml(r.name, 500) << "\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\"" << seconds(time)
      << "\">\n"
      << body.str() << "</testsuites>\n";
  return out.str();
}

std::string render_junit(const json& r, const JunitOptions& o) {
  return render_junit(r.get<Results>(), o);
}

}  // namespace faultline::reporters
