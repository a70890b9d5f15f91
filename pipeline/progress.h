// Progress of a long `faultline run` on stderr: on a terminal, one status line
// redrawn in place (builds, runs, crashes so far, ETA); elsewhere (CI logs),
// plain lines without control characters, at events and every 10 seconds.
#pragma once

#include <chrono>
#include <string>

#include "runner/builds.h"
#include "runner/stress.h"

namespace faultline::pipeline {

// Erases the status line drawn in place on a terminal ("\r", then clear to the end of the line).
inline constexpr const char* k_erase_line = "\r\033[K";

// Whether progress on `fd` is a line redrawn in place: `fd` is a terminal, no CI log is being
// written (the CI variable, which GitHub Actions and most CI services set, is unset, empty,
// "false" or "0") and TERM is not "dumb". Otherwise progress is plain lines.
bool wants_live_line(int fd);

// A duration as the progress lines print it: "7s", "2m5s", "1h12m".
std::string duration_text(double seconds);

class Progress {
 public:
  explicit Progress(bool tty) : m_tty(tty) {}

  void start_builds(std::size_t total);
  void build_done(const std::string& id, const runner::BuildOutcome& outcome);
  void end_builds();
  void start_runs(std::size_t planned, std::size_t previous, std::size_t cells);
  void run_done(const std::string& cell_id, const runner::RunRecord& record,
                const runner::CellResult& cell);
  void end_runs();

 private:
  using Clock = std::chrono::steady_clock;
  void status(bool force);
  void line(const std::string& text);  // a permanent line, above the status line
  std::string eta() const;

  bool m_tty;
  bool m_status_shown = false;
  Clock::time_point m_start = Clock::now();
  Clock::time_point m_last = Clock::time_point{};
  std::size_t m_builds_total = 0, m_builds_done = 0, m_builds_run = 0, m_builds_cached = 0,
              m_builds_failed = 0;
  std::size_t m_runs_planned = 0, m_runs_done = 0, m_crashes = 0, m_cells = 0, m_crashed_cells = 0;
  bool m_in_runs = false;
};

}  // namespace faultline::pipeline
