#include "runner/stress.h"

#include <string.h>  // sigabbrev_np
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <thread>

#include "base/text.h"
#include "matrix/template.h"
#include "matrix/variables.h"
#include "runner/builds.h"
#include "runner/process.h"
#include "runner/process_runner.h"
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

double unix_seconds() { return seconds(std::chrono::system_clock::now().time_since_epoch()); }

}  // namespace

StressLoop::StressLoop(const matrix::Config& config, const matrix::Expansion& expansion,
                       StressOptions options)
    : m_config(config), m_e(expansion), m_options(std::move(options)) {
  const std::string symbolizer =
      find_program({"/usr/bin/llvm-symbolizer", "/usr/bin/llvm-symbolizer-14",
                    "/usr/lib/llvm-14/bin/llvm-symbolizer"});
  if (auto axis = m_e.cells.axis_index("sanitizer"))
    for (const auto& name : m_e.cells.axes[*axis].values) {
      auto profile = matrix::profile_for(m_config, name);
      if (profile && !symbolizer.empty())
        profile = sanitizers::with_symbolizer(*profile, symbolizer);
      m_profiles.emplace(name, std::move(profile));
    }
  for (const auto& w : m_config.workloads) {
    auto parsed = matrix::Template::parse(w.run.value);
    if (auto* t = std::get_if<matrix::Template>(&parsed))
      m_run_commands.emplace(w.name, std::move(*t));
  }
  const std::string gdb = find_program({"/usr/bin/gdb", "/usr/local/bin/gdb"});
  m_have_gdb = !gdb.empty();
  if (m_options.core_stacks && m_have_gdb)
    if (auto pattern = read_core_pattern()) {
      m_core_files = core_files(*pattern, m_options.matrix_dir);
      m_shared_core = m_core_files && shares_core_file(*pattern, m_options.jobs);
    }
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

void StressLoop::mark_build_error(std::size_t cell, const std::string& error,
                                  const std::string& command, const std::string& log) {
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
      if (m_options.stop_at)
        return std::none_of(r.signatures.begin(), r.signatures.end(), [&](const auto& s) {
          return m_options.stop_at(m_signatures.at(s.first));
        });
      return r.crashes == 0 && r.hangs == 0;
    case matrix::StopPolicy::all:
      return true;
    case matrix::StopPolicy::confidence: {
      if (r.runs < 10) return true;
      RateInterval ci = crash_rate(r.crashes, r.runs);
      return ci.high - ci.low > m_options.precision;
    }
  }
  return true;
}

namespace {

// A run whose command cannot be rendered never passes: validate refuses such a
// matrix, so this is a bug's backstop, recorded as faultline's own failure.
RunRecord template_error(RunRecord rec, const std::string& missing) {
  rec.outcome = "crash";
  sanitizers::Crash c;
  c.tool = "faultline";
  c.kind = "template-error";
  c.summary =
      "the run command could not be rendered: {{ " + missing + " }} has no value in this cell";
  sanitizers::finalize(c, {});
  rec.crashes.push_back(std::move(c));
  return rec;
}

// A run that could not be started: faultline's own failure, never a pass.
RunRecord spawn_failed(RunRecord rec, const std::string& message) {
  rec.outcome = "crash";
  sanitizers::Crash c;
  c.tool = "faultline";
  c.kind = "spawn-failed";
  c.summary = message;
  sanitizers::finalize(c, {});
  rec.crashes.push_back(std::move(c));
  return rec;
}

// How the run ended and what it cost: status, times, memory, output sizes.
void take_measurements(RunRecord& rec, const ProcessResult& result) {
  rec.exit_code = result.exit_code;
  rec.signal = result.signal;
  rec.core_dumped = result.core_dumped;
  rec.wall_seconds = seconds(result.wall);
  rec.cpu_seconds = seconds(result.user_cpu + result.system_cpu);
  rec.peak_rss_bytes = result.peak_rss_bytes;
  rec.stdout_bytes = result.stdout_capture.total_bytes();
  rec.stderr_bytes = result.stderr_capture.total_bytes();
  rec.hung_stacks = result.hung_stacks;
}

// A failed run with no crash report: its status and the output's last 20 lines.
sanitizers::Crash nonzero_exit(const ProcessResult& result) {
  sanitizers::Crash c;
  c.tool = "exit";
  c.kind = "nonzero-exit";
  c.summary = "the workload ended with " + result.describe() + " and no crash report";
  c.excerpt = last_lines(result.interleaved.text(), 20);
  sanitizers::finalize(c, {});
  return c;
}

// A frameless crash whose core another run's replaced (runner/core_stack.h's
// stack_lost_reason): marked, and said so in its summary and excerpt.
void mark_stack_lost(sanitizers::Crash& crash, const RunRecord& rec, bool shared_file) {
  crash.stack_lost = stack_lost_reason({shared_file, rec.signal, rec.core_dumped, false});
  if (crash.stack_lost.empty()) return;
  crash.summary += "; stack lost: " + crash.stack_lost;
  crash.excerpt += (crash.excerpt.empty() || crash.excerpt.back() == '\n' ? "" : "\n") +
                   std::string(
                       "stack lost: the run dumped core, but another run crashing at the "
                       "same time replaced the core file they share (core_pattern has no "
                       "%p); bisect counts this run as unknown\n");
}

}  // namespace

std::optional<StressLoop::Invocation> StressLoop::invocation(std::size_t cell, int index) const {
  const std::string* sanitizer = m_e.cells.value(cell, "sanitizer");
  const std::string* workload_name = m_e.cells.value(cell, "workload");
  const matrix::Workload* workload = workload_name ? m_config.workload(*workload_name) : nullptr;
  const auto profile_it = m_profiles.find(sanitizer ? *sanitizer : "none");
  const auto command_it = workload ? m_run_commands.find(workload->name) : m_run_commands.end();
  if (!workload || profile_it == m_profiles.end() || !profile_it->second ||
      command_it == m_run_commands.end())
    return std::nullopt;
  const sanitizers::Profile& profile = *profile_it->second;
  const std::string workdir =
      (fs::path(m_options.state_dir) / "work" / m_e.cells.hash(cell)).string();
  std::error_code ec;
  fs::create_directories(workdir, ec);
  matrix::Binding binding = matrix::run_binding(m_config, m_e.cells, cell, profile,
                                                {m_prefixes.at(cell), workdir, index});
  const matrix::Template& command = command_it->second;
  Invocation out;
  auto rendered = command.render(binding.vars, &out.missing);
  if (!rendered) return out;
  out.command = std::move(*rendered);
  out.command_env = command.environment(binding.vars);
  for (const auto& [k, v] : binding.env) out.environment[k] = v;
  out.exit_codes = sanitizers::exit_codes_of(binding.env, profile);
  for (const auto& [k, v] : out.command_env)
    out.environment[k] = v;  // the values the command references win
  out.argv = profile.wrapper;
  // A command that needs no shell is executed directly: one exec fewer per run.
  if (auto words = command.argv(binding.vars))
    out.argv.insert(out.argv.end(), words->begin(), words->end());
  else
    out.argv.insert(out.argv.end(), {"/bin/sh", "-c", out.command});
  return out;
}

RunRecord StressLoop::run_once(
    std::size_t cell, int index,
    const std::function<void(int stream, std::string_view bytes)>& on_output) {
  return execute(cell, index, on_output);
}

// The process a run of `cell` is: argv, environment, the matrix folder as its
// cwd, the workload's timeout, cancellation, stacks of a hang, core dumps.
ProcessOptions StressLoop::process_options(
    std::size_t cell, const Invocation& call,
    const std::function<void(int stream, std::string_view bytes)>& on_output) const {
  const matrix::Workload* workload = m_config.workload(*m_e.cells.value(cell, "workload"));
  std::map<std::string, std::optional<std::string>> changes(call.environment.begin(),
                                                            call.environment.end());
  ProcessOptions p;
  p.argv = call.argv;
  p.environment = environment_with(changes);
  p.working_directory = m_options.matrix_dir;
  p.timeout = milliseconds(workload->timeout_ms);
  p.kill_grace = milliseconds(2000);
  p.stacks_on_timeout = m_options.stacks_on_timeout && m_have_gdb;
  p.cancel = m_options.cancel;
  p.core_dumps = m_core_files.has_value();
  p.on_output = on_output;
  return p;
}

RunRecord StressLoop::execute(
    std::size_t cell, int index,
    const std::function<void(int stream, std::string_view bytes)>& on_output) {
  RunRecord rec;
  rec.cell = cell;
  rec.index = index;
  auto call = invocation(cell, index);
  if (!call) {
    rec.outcome = "crash";
    return rec;
  }
  if (!call->missing.empty()) return template_error(std::move(rec), call->missing);
  rec.command = call->command;
  rec.command_env = call->command_env;
  const ProcessOptions p = process_options(cell, *call, on_output);
  const double started = unix_seconds();
  auto result = processes_or_real(m_options.processes).run(p);
  if (!result) return spawn_failed(std::move(rec), result.error().message);
  take_measurements(rec, *result);
  if (result->cancelled || result->timed_out) {
    rec.outcome = result->cancelled ? "cancelled" : "hang";
    return rec;
  }
  sanitizers::ParseOptions parse;
  parse.signature.ignore_frames = m_options.frame_filters;
  parse.exit_codes = call->exit_codes;
  rec.crashes = sanitizers::parse_output(result->interleaved.text(),
                                         {result->exit_code, result->signal}, parse);
  if (rec.crashes.empty() && !result->succeeded()) rec.crashes.push_back(nonzero_exit(*result));
  if (!result->succeeded() && p.core_dumps) add_core_stack(rec, cell, result->pid, started);
  rec.outcome = rec.crashes.empty() ? "pass" : "crash";
  return rec;
}

// The core a failed run left: its native stack becomes the frames of the first
// crash that has none (and so its signature); the core is deleted unless kept.
void StressLoop::add_core_stack(RunRecord& rec, std::size_t cell, pid_t process_group,
                                double started) const {
  auto frameless = std::find_if(rec.crashes.begin(), rec.crashes.end(),
                                [](const sanitizers::Crash& c) { return c.frames.empty(); });
  CoreStackOptions core;
  core.keep = m_options.keep_cores;
  core.read_stack = frameless != rec.crashes.end();
  core.keep_as = (fs::path(m_options.state_dir) / "work" / m_e.cells.hash(cell) /
                  ("core." + std::to_string(rec.index)))
                     .string();
  auto stack = take_core_stack(*m_core_files, process_group, started, core);
  if (frameless == rec.crashes.end()) return;
  if (!stack) return mark_stack_lost(*frameless, rec, m_shared_core);
  sanitizers::Crash& crash = *frameless;
  // gdb's "??" frames (a stripped binary, such as the shell) name nothing: leave them out.
  for (auto& f : stack->frames)
    if (!(f.function.empty() || f.function.rfind("??", 0) == 0) || !f.module.empty())
      crash.frames.push_back(std::move(f));
  const char* signal = stack->notes.signal > 0 ? sigabbrev_np(stack->notes.signal) : nullptr;
  if (crash.tool == "exit" && signal) {  // the shell lived on; the core shows who died of what
    crash.tool = "signal";
    crash.kind = std::string("SIG") + signal;
    crash.summary = "a process of the run (" + std::to_string(stack->notes.pid) + ", " +
                    stack->notes.command + ") was killed by " + crash.kind;
  }
  std::string note = "native stack from the core file (gdb)";
  if (!stack->kept_core.empty()) note += "; core kept: " + stack->kept_core;
  if (!stack->problem.empty()) note += "; " + stack->problem;
  crash.excerpt += (crash.excerpt.empty() || crash.excerpt.back() == '\n' ? "" : "\n") + note +
                   ":\n" + last_lines(stack->backtrace, 60);
  sanitizers::ParseOptions parse;
  parse.signature.ignore_frames = m_options.frame_filters;
  sanitizers::finalize(crash, parse);
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
      if (rec.outcome == "cancelled") {
        ++m_results[rec.cell].interrupted;
        return;
      }
      count(rec);
      on_record(rec);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, m_options.jobs); ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
}

}  // namespace faultline::runner
