// runner/stress.h — the stress loop: every selected cell runs its workload up
// to `runs` times, `jobs` at a time, interleaving cells so no core idles while
// work remains; each run is judged (crashes recognised by sanitizers/) and
// handed to the caller as soon as it ends, so nothing finished is ever lost.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "matrix/config.h"
#include "matrix/expand.h"
#include "matrix/template.h"
#include "results/records.h"
#include "runner/core_stack.h"
#include "runner/verdict.h"
#include "sanitizers/crash.h"

namespace faultline::runner {

class ProcessRunner;    // runner/process_runner.h
struct ProcessOptions;  // runner/process.h

// The plain records live below runner/ and store/ (results/records.h).
using results::CellResult;
using results::RunRecord;

struct StressOptions {
  int jobs = 1;
  int runs = 20;
  matrix::StopPolicy stop = matrix::StopPolicy::first_crash;
  double precision = 0.10;    // stop=confidence: stop when the 95% interval is this narrow
  double budget_seconds = 0;  // > 0: a cell stops once its runs have taken this much wall time
  // stop=first-crash: stop a cell at its first crash for which this is true
  // instead of at any crash. Used by bisect to stop at its target family.
  std::function<bool(const sanitizers::Crash&)> stop_at;
  // Runs are numbered from here ({{ run }} in commands), so a caller that asks
  // the same cell for more runs later (bisect) never repeats a run number.
  int first_index = 0;
  std::string matrix_dir;         // working directory of runs
  std::string state_dir;          // STATE/work/<cell hash>/ is {{ workdir }}
  bool stacks_on_timeout = true;  // gdb backtraces of hung runs, when gdb exists
  // Crashes that print no stack get the native backtrace of their core file
  // (runner/core_stack.h), when core_pattern names a file and gdb exists.
  bool core_stacks = true;
  bool keep_cores = false;  // kept as STATE/work/<cell hash>/core.<run>; else deleted
  const std::atomic<bool>* cancel = nullptr;
  std::vector<std::string> frame_filters;  // extra frames to skip in signatures
  // Runs each workload command; nullptr: real processes. Tests pass a
  // FakeProcessRunner (runner/fake_process_runner.h). Outlives the loop.
  ProcessRunner* processes = nullptr;
};

class StressLoop {
 public:
  StressLoop(const matrix::Config& config, const matrix::Expansion& expansion,
             StressOptions options);

  // Cells to run, with the prefix of each component (per cell, per component index).
  void add_cell(std::size_t cell, std::vector<std::string> component_prefixes);
  // A run already recorded (from --resume): counted, and not run again.
  void add_previous(const RunRecord& record);
  // A cell that cannot run: its verdict is build-error.
  void mark_build_error(std::size_t cell, const std::string& error, const std::string& command,
                        const std::string& log);

  // One run of `cell` on the calling thread, as run() does it; `on_output`
  // (optional) sees the output as it is read. For `faultline repro`.
  RunRecord run_once(std::size_t cell, int index,
                     const std::function<void(int stream, std::string_view bytes)>& on_output = {});
  // The environment changes and argv a run of `cell` gets (what repro prints).
  struct Invocation {
    std::map<std::string, std::string> environment;  // set on top of faultline's own
    std::vector<std::string> argv;
    std::string
        command;  // the rendered workload command: placeholders are references to command_env
    std::vector<std::pair<std::string, std::string>>
        command_env;  // FAULTLINE_* the command references
    std::map<int, std::string>
        exit_codes;  // which exit codes name which sanitizer here (profile.h)
    std::string
        missing;  // non-empty: the variable the command uses that this cell lacks (nothing to run)
  };
  std::optional<Invocation> invocation(std::size_t cell, int index) const;

  // Runs everything; `on_record` is called, one at a time, as each run ends.
  void run(const std::function<void(const RunRecord&)>& on_record);

  const std::map<std::size_t, CellResult>& results() const { return m_results; }
  // Every distinct crash met, by signature hash: for each, the instance from the
  // earliest run (lowest cell index, then run index), so the choice depends
  // neither on job timing nor on how cells were split into shards.
  const std::map<std::string, sanitizers::Crash>& signatures() const { return m_signatures; }
  std::size_t planned_runs() const;
  // Runs of `cell` that showed a signature starting with `prefix`.
  int runs_with(std::size_t cell, const std::string& prefix) const;

  // Whether `cell` needs more runs under the stop policy (false once built to no avail).
  bool wants_more(std::size_t cell) const;

 private:
  ProcessOptions process_options(
      std::size_t cell, const Invocation& call,
      const std::function<void(int stream, std::string_view bytes)>& on_output) const;
  RunRecord execute(std::size_t cell, int index,
                    const std::function<void(int stream, std::string_view bytes)>& on_output = {});
  void add_core_stack(RunRecord& rec, std::size_t cell, pid_t process_group, double started) const;
  void count(const RunRecord& record);

  const matrix::Config& m_config;
  const matrix::Expansion& m_e;
  StressOptions m_options;
  std::vector<std::size_t> m_cells;
  std::map<std::size_t, std::vector<std::string>> m_prefixes;
  std::map<std::size_t, std::set<int>> m_done;
  std::map<std::size_t, CellResult> m_results;
  std::map<std::string, sanitizers::Crash> m_signatures;
  std::map<std::string, std::pair<std::size_t, int>>
      m_signature_origin;  // (cell, run index) of each
  // Resolved once, read by every run: each sanitizer's profile (symbolizer
  // path added; nullopt when the compiler lacks it) and each workload's command.
  std::map<std::string, std::optional<sanitizers::Profile>> m_profiles;
  std::map<std::string, matrix::Template> m_run_commands;
  bool m_have_gdb = false;
  std::optional<CoreFiles> m_core_files;  // where runs' cores land; nullopt: no core stacks
  bool m_shared_core = false;             // runs at once share one core file (shares_core_file)
};

}  // namespace faultline::runner
