#include "pipeline/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>

#include "base/text.h"
#include "reporters/text.h"

namespace faultline::pipeline {

bool wants_live_line(int fd) {
  const char* ci = std::getenv("CI");
  const bool on_ci = ci && *ci && std::strcmp(ci, "false") != 0 && std::strcmp(ci, "0") != 0;
  const char* term = std::getenv("TERM");
  const bool dumb = term && std::strcmp(term, "dumb") == 0;
  return isatty(fd) != 0 && !on_ci && !dumb;
}

std::string duration_text(double s) {
  std::ostringstream out;
  if (s >= 3600)
    out << static_cast<int>(s / 3600) << "h" << static_cast<int>(s / 60) % 60 << "m";
  else if (s >= 60)
    out << static_cast<int>(s / 60) << "m" << static_cast<int>(s) % 60 << "s";
  else
    out << static_cast<int>(s + 0.5) << "s";
  return out.str();
}

void Progress::line(const std::string& text) {
  if (m_tty && m_status_shown) std::cerr << k_erase_line;
  std::cerr << reporters::terminal_text(text) << "\n";
  m_status_shown = false;
  if (m_tty) status(true);
}

std::string Progress::eta() const {
  if (m_runs_done == 0 || m_runs_planned <= m_runs_done) return "";
  double elapsed = std::chrono::duration<double>(Clock::now() - m_start).count();
  return ", ETA ≤ " + duration_text(elapsed / m_runs_done * (m_runs_planned - m_runs_done));
}

void Progress::status(bool force) {
  const auto now = Clock::now();
  const auto gap = m_tty ? std::chrono::milliseconds(100) : std::chrono::milliseconds(10'000);
  if (!force && now - m_last < gap) return;
  m_last = now;
  std::ostringstream s;
  if (!m_in_runs) {
    s << "builds " << m_builds_done << "/" << m_builds_total << " (" << m_builds_cached
      << " cached, " << m_builds_failed << " failed)";
  } else {
    s << "runs " << m_runs_done << "/" << m_runs_planned << ", " << m_crashes
      << " crashing, cells crashed " << m_crashed_cells << "/" << m_cells << eta();
  }
  if (m_tty) {
    std::cerr << k_erase_line << s.str() << std::flush;
    m_status_shown = true;
  } else if (!force) {
    std::cerr << "progress: " << s.str() << "\n";
  }
}

void Progress::start_builds(std::size_t total) {
  m_builds_total = total;
  m_start = Clock::now();
  if (!m_tty) std::cerr << "builds: " << total << " needed\n";
  status(true);
}

void Progress::build_done(const std::string& id, const runner::BuildOutcome& o) {
  ++m_builds_done;
  if (o.cached)
    ++m_builds_cached;
  else if (o.state == runner::BuildState::ok)
    ++m_builds_run;
  if (o.state == runner::BuildState::failed) {
    ++m_builds_failed;
    line("build failed: " + id + ": " + o.error + " (log: " + o.log_path + ")");
  } else if (o.state == runner::BuildState::dependency_failed) {
    ++m_builds_failed;
    line("build skipped: " + id + ": " + o.error);
  } else if (!o.cached && !m_tty) {
    std::ostringstream s;
    s.precision(2);
    s << std::fixed << "built " << id << " in " << o.seconds << " s";
    line(s.str());
  }
  status(false);
}

void Progress::end_builds() {
  if (m_tty && m_status_shown) std::cerr << k_erase_line;
  m_status_shown = false;
  std::cerr << "builds: " << m_builds_run << " built, " << m_builds_cached << " cached, "
            << m_builds_failed << " failed\n";
}

void Progress::start_runs(std::size_t planned, std::size_t previous, std::size_t cells) {
  m_in_runs = true;
  m_runs_planned = planned > previous ? planned - previous : 0;
  m_cells = cells;
  m_start = Clock::now();
  std::cerr << "runs: up to " << m_runs_planned << " in " << cells << " cells"
            << (previous ? " (" + std::to_string(previous) + " resumed from the store)" : "")
            << "\n";
  status(true);
}

void Progress::run_done(const std::string& cell_id, const runner::RunRecord& r,
                        const runner::CellResult& cell) {
  ++m_runs_done;
  if (r.outcome != "pass") {
    ++m_crashes;
    if (cell.crashes + cell.hangs == 1) {
      ++m_crashed_cells;
      std::string what = r.outcome == "hang" ? "hang" : "crash";
      if (!r.crashes.empty())
        what += ": " + r.crashes[0].tool + " " + r.crashes[0].kind + " [" +
                r.crashes[0].signature.hash + "]";
      line(what + " in " + cell_id + " (run " + std::to_string(r.index + 1) + ")");
    }
  }
  status(false);
}

void Progress::end_runs() {
  if (m_tty && m_status_shown) std::cerr << k_erase_line;
  m_status_shown = false;
  double elapsed = std::chrono::duration<double>(Clock::now() - m_start).count();
  std::cerr << "runs: " << m_runs_done << " done in " << duration_text(elapsed) << ", " << m_crashes
            << " crashing\n";
}

}  // namespace faultline::pipeline
