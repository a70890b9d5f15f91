#include "pipeline/matrix_input.h"

#include <algorithm>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "base/redact.h"
#include "base/text.h"
#include "matrix/load.h"
#include "runner/process.h"

namespace faultline::pipeline {

Expected<std::vector<std::string>> list_git_range(const std::string& repo_dir,
                                                  const std::string& range, bool first_parent) {
  const std::size_t dots = range.find("..");
  if (dots == std::string::npos || dots == 0 || dots + 2 >= range.size() ||
      range.find("...") != std::string::npos)
    return fail(bad_input("a range is written FIRST..LAST (two dots), e.g. v1.0..v1.3"));
  const std::string first = range.substr(0, dots);
  const std::string last = range.substr(dots + 2);
  auto top = runner::command_output({"git", "-C", repo_dir, "rev-parse", "--git-dir"});
  if (!top)
    return fail(bad_input("not a git repository (" + std::string(trim(top.error().message)) + ")"));
  auto start = runner::command_output(
      {"git", "-C", repo_dir, "rev-parse", "--verify", "--quiet", first + "^{commit}"});
  if (!start) return fail(bad_input("'" + first + "' is not a commit there"));
  auto end = runner::command_output(
      {"git", "-C", repo_dir, "rev-parse", "--verify", "--quiet", last + "^{commit}"});
  if (!end) return fail(bad_input("'" + last + "' is not a commit there"));
  std::vector<std::string> argv = {"git", "-C", repo_dir, "rev-list", "--reverse", range};
  if (first_parent) argv.insert(argv.begin() + 4, "--first-parent");
  auto listed = runner::command_output(argv);
  if (!listed) return fail(bad_input(std::string(trim(listed.error().message))));
  std::vector<std::string> commits = {std::string(trim(*start)).substr(0, 12)};
  std::istringstream lines(*listed);
  for (std::string line; std::getline(lines, line);)
    if (!trim(line).empty()) commits.push_back(std::string(trim(line)).substr(0, 12));
  return commits;
}

Expected<std::vector<std::string>> list_git_tags(const std::string& repo_dir,
                                                 const std::string& pattern) {
  auto top = runner::command_output({"git", "-C", repo_dir, "rev-parse", "--git-dir"});
  if (!top)
    return fail(bad_input("not a git repository (" + std::string(trim(top.error().message)) + ")"));
  auto listed = runner::command_output({"git", "-C", repo_dir, "tag", "--list", pattern});
  if (!listed) return fail(bad_input(std::string(trim(listed.error().message))));
  std::vector<std::string> tags;
  std::istringstream lines(*listed);
  for (std::string line; std::getline(lines, line);)
    if (!trim(line).empty()) tags.emplace_back(trim(line));
  return tags;
}

namespace {

// Says on stderr, once, that a slow command is still running: after `after`
// unless destroyed first (the command ended). No minute passes in silence.
class SlowCommandNotice {
 public:
  SlowCommandNotice(std::string sentence, std::chrono::milliseconds after)
      : m_thread([this, sentence = std::move(sentence), after] {
          std::unique_lock<std::mutex> lock(m_mutex);
          if (!m_done.wait_for(lock, after, [this] { return m_ended; }))
            std::cerr << sentence << std::flush;
        }) {}
  ~SlowCommandNotice() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_ended = true;
    }
    m_done.notify_all();
    m_thread.join();
  }
  SlowCommandNotice(const SlowCommandNotice&) = delete;
  SlowCommandNotice& operator=(const SlowCommandNotice&) = delete;

 private:
  std::mutex m_mutex;
  std::condition_variable m_done;
  bool m_ended = false;
  std::thread m_thread;  // last: starts once the members above exist
};

}  // namespace

Expected<std::string> run_versions_command(const std::string& command, const std::string& dir) {
  runner::ProcessOptions options;
  options.argv = {"/bin/sh", "-c", command};
  options.working_directory = dir.empty() ? "." : dir;
  options.timeout = k_versions_command_timeout;
  options.capture.head_bytes = k_versions_output_limit;
  options.capture.tail_bytes = 0;
  Expected<runner::ProcessResult> r = [&] {
    SlowCommandNotice notice(
        "faultline: waiting for the versions command '" + command + "' (it is given " +
            std::to_string(k_versions_command_timeout.count() / 1000) + " s)\n",
        k_versions_command_notice);
    return runner::run_process(options);
  }();
  if (!r) return fail(r.error());
  if (r->stdout_capture.truncated())
    return fail(bad_input("it printed more than " + std::to_string(k_versions_output_limit >> 20) +
                          " MiB; print only the versions"));
  if (r->succeeded()) return r->stdout_capture.text();
  std::string how = r->describe();
  std::string err(trim(r->stderr_capture.text()));
  return fail(bad_input(how + (err.empty() ? "" : ": " + err)));
}

std::vector<std::string> secret_warnings(const MatrixInput& in) {
  std::set<std::string> names = {in.config.name};
  for (const auto& axis : in.expansion.cells.axes) {
    names.insert(axis.name);
    names.insert(axis.values.begin(), axis.values.end());
  }
  std::vector<std::string> out;
  for (const auto& v : Redactor::secret_variables(in.config.secrets)) {
    if (v.value.empty()) continue;
    if (v.value.size() < Redactor::k_min_length)
      out.push_back("secret " + v.name + " cannot be masked safely: its value is shorter than " +
                    std::to_string(Redactor::k_min_length) + " characters, so it is left unmasked");
    else if (names.count(v.value))
      out.push_back("secret " + v.name +
                    " cannot be masked safely: its value is also a name or value in the matrix, "
                    "which stays readable in ids and verdicts but is masked in captured text");
  }
  return out;
}

std::optional<MatrixInput> read_matrix(const std::string& file, std::size_t max_cells) {
  matrix::LoadOptions options;
  options.list_git_range = list_git_range;
  options.list_git_tags = list_git_tags;
  options.run_versions_command = run_versions_command;
  matrix::LoadResult loaded = matrix::load_file(file, options);
  if (!loaded.diagnostics.empty()) {
    std::cerr << loaded.diagnostics.render(file);
    return std::nullopt;
  }
  matrix::Diagnostics diagnostics;
  matrix::ExpandOptions expand_options;
  expand_options.max_cells = max_cells;
  matrix::Expansion expansion = matrix::expand(loaded.config, diagnostics, expand_options);
  if (!diagnostics.empty()) {
    std::cerr << diagnostics.render(file);
    return std::nullopt;
  }
  std::cerr << diagnostics.render(file);  // its warnings: include entries with no effect, …
  MatrixInput in{std::move(loaded.config), std::move(expansion)};
  for (const auto& warning : secret_warnings(in))
    std::cerr << file << ": warning: " << warning << "\n";
  return in;
}

Expected<OnlyFilter> parse_only(const std::vector<std::string>& only, const matrix::CellTable& t) {
  OnlyFilter wanted;
  for (const auto& f : only) {
    auto eq = f.find('=');
    if (eq == std::string::npos)
      return fail(bad_input("--only '" + f + "' is not AXIS=VALUE (e.g. --only sanitizer=asan)"));
    const std::string axis = f.substr(0, eq), value = f.substr(eq + 1);
    auto index = t.axis_index(axis);
    if (!index || *index >= t.product_axes) {
      std::vector<std::string> names;
      for (std::size_t a = 0; a < t.product_axes; ++a) names.push_back(t.axes[a].name);
      auto dym = did_you_mean(axis, names);
      return fail(bad_input("--only names unknown axis '" + axis + "'" +
                            (dym ? " (did you mean '" + *dym + "'?)" : "") + "; the axes are " +
                            join(names, ", ")));
    }
    const auto& values = t.axes[*index].values;
    if (std::find(values.begin(), values.end(), value) == values.end())
      return fail(bad_input("--only: '" + value + "' is not a value of axis '" + axis +
                            "' (values: " + join(values, ", ") + ")"));
    wanted[*index].insert(value);
  }
  return wanted;
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> parse_shard(const std::string& text) {
  unsigned k = 0, n = 0;
  char slash = 0;
  std::istringstream in(text);
  if (!(in >> k >> slash >> n) || slash != '/' || !in.eof() || k < 1 || n < 1 || k > n)
    return std::nullopt;
  return std::make_pair(k, n);
}

}  // namespace faultline::pipeline
