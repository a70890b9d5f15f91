// Progress of a `faultline bisect` on stderr, the facts `run` shows
// (pipeline/progress.h) for a search: the probe, its builds or its current run,
// the leading candidate and its posterior, builds and runs so far, an ETA (1-D:
// from the posterior's pace; 2-D: from the probes left at the probes' pace).
// Live: one status line redrawn in place every second; the session's own lines
// (its log stream, and its answer stream when that shares the terminal) pass
// through a guard that erases the status line first, so they land above it.
// Lines: a plain "progress:" line whenever 8 s pass without a line on the log
// (so a CI log never goes 10 s silent), and "built for probe … in 11.0 s" once
// a probe's builds end (one line for all its builds: a 2-D cell has two). A ticker thread keeps
// both going through long builds and long runs. Takes events only (pipeline/bisect_cells.h's prober
// and the search's steps call it); knows nothing of the search.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "matrix/expand.h"
#include "runner/builds.h"
#include "runner/stress.h"

namespace faultline::pipeline {

class BisectProgress {
 public:
  // live: stderr is a terminal (cli/bisect.cc decides); lines: anything else.
  enum class Mode { live, lines };

  using Clock = std::chrono::steady_clock;
  // Status goes to `log`'s own buffer; `log` (and `out` when given: live, and
  // on the same terminal) are guarded until destruction. `label` names a cell
  // by its searched axes ("lib=3"). Starts the ticker.
  BisectProgress(Mode mode, std::ostream& log, std::ostream* out,
                 std::function<std::string(std::size_t cell)> label);
  ~BisectProgress();  // done(), then the streams get their own buffers back
  BisectProgress(const BisectProgress&) = delete;
  BisectProgress& operator=(const BisectProgress&) = delete;

  // The search over `versions` versions began; it stops at posterior `confidence`.
  void search_started(std::size_t versions, double confidence);
  // A probe: `runs` more runs of `cell`; its builds come first.
  void probe_started(std::size_t cell, int runs);
  void build_finished(const runner::BuildOutcome& outcome);  // from any thread
  // The probe's builds ended (built, found or failed): lines mode prints
  // "built for probe lib=3 in 11.0 s" for the builds that ran, their seconds
  // summed ("… in 4.2 s (2 builds)" for more than one); nothing when none ran.
  void builds_ended();
  void runs_started();                                 // the probe's builds are ready
  void run_finished(const runner::RunRecord& record);  // from any thread
  // After a search step: the most probable boundary in the answer's words
  // ("first crashing lib=3", "first fixed lib=7") and its posterior.
  void leading(const std::string& words, double posterior);
  // A search that counts its work in probes (the 2-D staircase): about `probes`
  // more to come. From then on the ETA is that many times the mean time of the
  // probes this search ran, instead of the 1-D posterior's pace.
  void probes_left(std::size_t probes);
  // The search ended: stops the ticker and clears the status line (idempotent).
  void done();

  // The status as it would be drawn now (no "progress: " prefix).
  std::string status_text() const;

  static constexpr auto k_live_redraw = std::chrono::seconds(1);
  static constexpr auto k_quiet_limit = std::chrono::seconds(8);  // lines: longest silence

  class StreamGuard;  // the std::streambuf in front of a guarded stream (defined in .cc)

 private:
  friend class StreamGuard;
  void tick();
  void draw_locked(Clock::time_point now);     // live: redraw the status line
  void erase_locked();                         // live: remove it before other output
  void print_locked(const std::string& line);  // a whole line to the log's own buffer
  void wrote_locked(bool ends_line);           // the guard passed output through
  std::string probe_locked(Clock::time_point now) const;
  std::string status_locked(Clock::time_point now) const;
  std::string eta_locked(Clock::time_point now) const;

  Mode m_mode;
  std::function<std::string(std::size_t)> m_label;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  std::streambuf* m_log = nullptr;  // the log's own buffer
  std::unique_ptr<StreamGuard> m_log_guard, m_out_guard;
  std::thread m_ticker;

  Clock::time_point m_start = Clock::now(), m_last_line = Clock::now(), m_last_draw{};
  bool m_shown = false, m_at_line_start = true;
  // The search.
  std::size_t m_versions = 0;
  double m_confidence = 0.99;
  bool m_searching = false;
  Clock::time_point m_search_start{};
  std::string m_leading;
  double m_posterior = 0;
  std::optional<std::size_t> m_probes_left;  // set by probes_left()
  int m_search_probes = 0;                   // probes run since search_started()
  // The current probe.
  std::string m_probe;
  int m_probe_runs = 0, m_probe_done = 0, m_probe_crashed = 0;
  int m_probe_builds = 0;  // builds the probe ran (not found cached), and their seconds
  double m_probe_build_seconds = 0;
  bool m_building = false;
  Clock::time_point m_phase_start{};
  // Totals.
  int m_builds = 0, m_cached = 0, m_build_failures = 0, m_runs = 0, m_crashed = 0;
};

// "lib=3" / "binding=0.9 library=1.7": the cell's values on `axes` (product axis indices).
std::string cell_label(const matrix::CellTable& cells, const std::vector<std::size_t>& axes,
                       std::size_t cell);

}  // namespace faultline::pipeline
