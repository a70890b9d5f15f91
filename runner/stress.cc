#include "runner/stress.h"

#include <filesystem>
#include <mutex>
#include <thread>
#include <unistd.h>

#include "base/text.h"
#include "matrix/template.h"
#include "matrix/variables.h"
#include "runner/builds.h"
#include "runner/process.h"
#include "sanitizers/parser.h"

namespace faultline::runner {

namespace fs = std::filesystem;

namespace {

std::string find_program(const std::vector<std::string>& candidates) {
  for (const auto& c : candidates)
    if (access(c.c_str(), X_OK) == 0) return c;
  return "";
}

double seconds(std::chrono::nanoseconds ns) { return std::chrono::duration<double>(ns).count(); }

}  // namespace

Verdict CellResult::verdict(bool selected) const {
  if (!build_error.empty()) return Verdict::build_error;
  if (crashes > 0) return Verdict::crash;
  if (hangs > 0) return Verdict::hang;
  if (runs == 0 || !selected) return Verdict::skipped;
  return Verdict::pass;
}

StressLoop::StressLoop(const matrix::Config& config, const matrix::Expansion& expansion, StressOptions options)
    : m_config(config), m_e(expansion), m_options(std::move(options)) {
  const std::string symbolizer = find_program({"/usr/bin/llvm-symbolizer", "/usr/bin/llvm-symbolizer-14",
                                               "/usr/lib/llvm-14/bin/llvm-symbolizer"});
  if (auto axis = m_e.cells.axis_index("sanitizer"))
    for (const auto& name : m_e.cells.axes[*axis].values) {
      auto profile = matrix::profile_for(m_config, name);
      if (profile && !symbolizer.empty()) profile = sanitizers::with_symbolizer(*profile, symbolizer);
      m_profiles.emplace(name, std::move(profile));
    }
  for (const auto& w : m_config.workloads) {
    auto parsed = matrix::Template::parse(w.run.value);
    if (auto* t = std::get_if<matrix::Template>(&parsed)) m_run_commands.emplace(w.name, std::move(*t));
  }
  m_have_gdb = !find_program({"/usr/bin/gdb", "/usr/local/bin/gdb"}).empty();
}

void StressLoop::add_cell(std::size_t cell, std::vector<std::string> component_prefixes) {
  m_cells.push_back(cell);
  m_prefixes[cell] = std::move(component_prefixes);
  m_results[cell];
}

void StressLoop::add_previous(const RunRecord& record) {
  if (!m_done[record.cell].insert(record.index).second) return;
  count(record);
}

void StressLoop::mark_build_error(std::size_t cell, const std::string& error, const std::string& command,
                                  const std::string& log) {
  CellResult& r = m_results[cell];
  r.build_error = error;
  r.build_command = command;
  r.build_log = log;
}

void StressLoop::count(const RunRecord& record) {
  CellResult& r = m_results[record.cell];
  ++r.runs;
  r.wall_seconds += record.wall_seconds;
  if (record.outcome == "crash") ++r.crashes;
  if (record.outcome == "hang" && r.hangs++ == 0) r.hung_stacks = record.hung_stacks;
  std::set<std::string> seen;
  for (const auto& c : record.crashes) {
    if (!seen.insert(c.signature.hash).second) continue;
    ++r.signatures[c.signature.hash];
    const std::pair<std::size_t, int> origin{record.cell, record.index};
    auto [it, fresh] = m_signature_origin.emplace(c.signature.hash, origin);
    if (fresh || origin < it->second) {
      it->second = origin;
      m_signatures.insert_or_assign(c.signature.hash, c);
    }
  }
}

std::size_t StressLoop::planned_runs() const {
  std::size_t n = 0;
  for (std::size_t cell : m_cells)
    if (m_results.at(cell).build_error.empty()) n += static_cast<std::size_t>(m_options.runs);
  return n;
}

int StressLoop::runs_with(std::size_t cell, const std::string& prefix) const {
  int n = 0;
  for (const auto& [hash, runs] : m_results.at(cell).signatures)
    if (hash.rfind(prefix, 0) == 0) n += runs;
  return n;
}

bool StressLoop::wants_more(std::size_t cell) const {
  const CellResult& r = m_results.at(cell);
  if (!r.build_error.empty() || r.runs >= m_options.runs) return false;
  if (m_options.budget_seconds > 0 && r.wall_seconds >= m_options.budget_seconds) return false;
  switch (m_options.stop) {
    case matrix::StopPolicy::first_crash:
      if (!m_options.stop_signature.empty()) return runs_with(cell, m_options.stop_signature) == 0;
      return r.crashes == 0 && r.hangs == 0;
    case matrix::StopPolicy::all: return true;
    case matrix::StopPolicy::confidence: {
      if (r.runs < 10) return true;
      RateInterval ci = crash_rate(r.crashes, r.runs);
      return ci.high - ci.low > m_options.precision;
    }
  }
  return true;
}

RunRecord StressLoop::execute(std::size_t cell, int index) {
  RunRecord rec;
  rec.cell = cell;
  rec.index = index;
  const std::string* sanitizer = m_e.cells.value(cell, "sanitizer");
  const std::string* workload_name = m_e.cells.value(cell, "workload");
  const matrix::Workload* workload = workload_name ? m_config.workload(*workload_name) : nullptr;
  const auto profile_it = m_profiles.find(sanitizer ? *sanitizer : "none");
  const auto command_it = workload ? m_run_commands.find(workload->name) : m_run_commands.end();
  if (!workload || profile_it == m_profiles.end() || !profile_it->second || command_it == m_run_commands.end()) {
    rec.outcome = "crash";
    return rec;
  }
  const sanitizers::Profile& profile = *profile_it->second;
  const std::string workdir = (fs::path(m_options.state_dir) / "work" / m_e.cells.hash(cell)).string();
  std::error_code ec;
  fs::create_directories(workdir, ec);
  matrix::Binding binding =
      matrix::run_binding(m_config, m_e.cells, cell, profile, {m_prefixes.at(cell), workdir, index});
  rec.command = command_it->second.render(binding.vars).value_or("");
  std::map<std::string, std::optional<std::string>> changes;
  for (const auto& [k, v] : binding.env) changes[k] = v;
  ProcessOptions p;
  p.argv = profile.wrapper;
  // A command that needs no shell is executed directly: one exec fewer per run.
  if (auto words = split_plain_command(rec.command)) p.argv.insert(p.argv.end(), words->begin(), words->end());
  else p.argv.insert(p.argv.end(), {"/bin/sh", "-c", rec.command});
  p.environment = environment_with(changes);
  p.working_directory = m_options.matrix_dir;
  p.timeout = milliseconds(workload->timeout_ms);
  p.kill_grace = milliseconds(2000);
  p.stacks_on_timeout = m_options.stacks_on_timeout && m_have_gdb;
  p.cancel = m_options.cancel;
  auto result = run_process(p);
  if (!result) {
    rec.outcome = "crash";
    sanitizers::Crash c;
    c.tool = "faultline";
    c.kind = "spawn-failed";
    c.summary = result.error().message;
    sanitizers::finalize(c, {});
    rec.crashes.push_back(std::move(c));
    return rec;
  }
  rec.exit_code = result->exit_code;
  rec.signal = result->signal;
  rec.core_dumped = result->core_dumped;
  rec.wall_seconds = seconds(result->wall);
  rec.cpu_seconds = seconds(result->user_cpu + result->system_cpu);
  rec.peak_rss_bytes = result->peak_rss_bytes;
  rec.stdout_bytes = result->stdout_capture.total_bytes();
  rec.stderr_bytes = result->stderr_capture.total_bytes();
  rec.hung_stacks = result->hung_stacks;
  if (result->cancelled) {
    rec.outcome = "cancelled";
    return rec;
  }
  if (result->timed_out) {
    rec.outcome = "hang";
    return rec;
  }
  sanitizers::ParseOptions parse;
  parse.signature.ignore_frames = m_options.frame_filters;
  parse.exit_codes = sanitizers::exit_codes_of(binding.env, profile);
  rec.crashes = sanitizers::parse_output(result->interleaved.text(), {result->exit_code, result->signal}, parse);
  if (rec.crashes.empty() && !result->succeeded()) {
    sanitizers::Crash c;
    c.tool = "exit";
    c.kind = "nonzero-exit";
    c.summary = "the workload ended with " + result->describe() + " and no crash report";
    c.excerpt = last_lines(result->interleaved.text(), 20);
    sanitizers::finalize(c, {});
    rec.crashes.push_back(std::move(c));
  }
  rec.outcome = rec.crashes.empty() ? "pass" : "crash";
  return rec;
}

void StressLoop::run(const std::function<void(const RunRecord&)>& on_record) {
  // Run-major order interleaves cells: run 0 of every cell, then run 1, …
  std::vector<std::pair<std::size_t, int>> items;
  for (int r = m_options.first_index; r < m_options.first_index + m_options.runs; ++r)
    for (std::size_t cell : m_cells)
      if (!m_done[cell].count(r)) items.emplace_back(cell, r);
  std::mutex mutex;
  std::size_t next = 0;
  std::map<std::size_t, int> in_flight;
  auto worker = [&] {
    while (true) {
      std::pair<std::size_t, int> item;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (m_options.cancel && m_options.cancel->load()) return;
        // Skip items of cells that need no more runs (counting those in flight).
        while (next < items.size()) {
          std::size_t cell = items[next].first;
          const CellResult& r = m_results.at(cell);
          bool more = wants_more(cell) && r.runs + in_flight[cell] < m_options.runs;
          if (more) break;
          ++next;
        }
        if (next >= items.size()) return;
        item = items[next++];
        ++in_flight[item.first];
      }
      RunRecord rec = execute(item.first, item.second);
      std::lock_guard<std::mutex> lock(mutex);
      --in_flight[item.first];
      if (rec.outcome == "cancelled") return;
      count(rec);
      on_record(rec);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, m_options.jobs); ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
}

}  // namespace faultline::runner
