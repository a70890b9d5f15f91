#include "pipeline/bisect_progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <streambuf>

#include "pipeline/progress.h"
#include "reporters/text.h"

namespace faultline::pipeline {

namespace {

double seconds_between(BisectProgress::Clock::time_point a, BisectProgress::Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// log2 odds, clamped away from 0 and 1.
double logit2(double p) {
  p = std::min(std::max(p, 1e-9), 1 - 1e-9);
  return std::log2(p / (1 - p));
}

// The terminal's width in columns (80 when unknown).
std::size_t terminal_width() {
  winsize w{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col;
  return 80;
}

// `text` cut to at most `bytes` bytes, not inside a UTF-8 sequence.
std::string fit(std::string text, std::size_t bytes) {
  if (text.size() <= bytes) return text;
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
  text.resize(bytes);
  return text;
}

void put(std::streambuf* buffer, const std::string& text) {
  buffer->sputn(text.data(), static_cast<std::streamsize>(text.size()));
  buffer->pubsync();
}

}  // namespace

// Passes output through to the stream's own buffer, after erasing the live
// status line; notes whether the output ended a line.
class BisectProgress::StreamGuard : public std::streambuf {
 public:
  StreamGuard(BisectProgress& owner, std::ostream& stream)
      : m_owner(owner), m_stream(stream), m_own(stream.rdbuf(this)) {}
  ~StreamGuard() override { m_stream.rdbuf(m_own); }
  std::streambuf* own() const { return m_own; }

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return traits_type::not_eof(c);
    const char ch = static_cast<char>(c);
    return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::lock_guard lock(m_owner.m_mutex);
    m_owner.erase_locked();
    const std::streamsize put = m_own->sputn(s, n);
    m_own->pubsync();
    if (n > 0) m_owner.wrote_locked(s[n - 1] == '\n');
    return put;
  }
  int sync() override { return m_own->pubsync(); }

 private:
  BisectProgress& m_owner;
  std::ostream& m_stream;
  std::streambuf* m_own;
};

BisectProgress::BisectProgress(Mode mode, std::ostream& log, std::ostream* out,
                               std::function<std::string(std::size_t)> label)
    : m_mode(mode), m_label(std::move(label)) {
  m_log_guard = std::make_unique<StreamGuard>(*this, log);
  m_log = m_log_guard->own();
  if (m_mode == Mode::live && out) m_out_guard = std::make_unique<StreamGuard>(*this, *out);
  m_ticker = std::thread([this] { tick(); });
}

BisectProgress::~BisectProgress() {
  done();
  m_out_guard.reset();
  m_log_guard.reset();
}

void BisectProgress::done() {
  {
    std::lock_guard lock(m_mutex);
    if (m_stop) return;
    m_stop = true;
    erase_locked();
  }
  m_wake.notify_all();
  if (m_ticker.joinable()) m_ticker.join();
}

void BisectProgress::tick() {
  std::unique_lock lock(m_mutex);
  while (!m_stop) {
    m_wake.wait_for(lock, std::chrono::milliseconds(250));
    if (m_stop) break;
    const auto now = Clock::now();
    if (m_mode == Mode::live && m_at_line_start && (!m_shown || now - m_last_draw >= k_live_redraw))
      draw_locked(now);
    if (m_mode == Mode::lines && now - m_last_line >= k_quiet_limit)
      print_locked("progress: " + status_locked(now));
  }
}

void BisectProgress::draw_locked(Clock::time_point now) {
  const std::string text = fit(status_locked(now), terminal_width() - 1);
  put(m_log, k_erase_line + reporters::terminal_text(text));
  m_shown = true;
  m_last_draw = now;
}

void BisectProgress::erase_locked() {
  if (!m_shown) return;
  put(m_log, k_erase_line);
  m_shown = false;
}

void BisectProgress::print_locked(const std::string& line) {
  erase_locked();
  put(m_log, reporters::terminal_text(line) + "\n");
  wrote_locked(true);
}

void BisectProgress::wrote_locked(bool ends_line) {
  m_at_line_start = ends_line;
  if (ends_line) m_last_line = Clock::now();
}

void BisectProgress::search_started(std::size_t versions, double confidence) {
  std::lock_guard lock(m_mutex);
  m_versions = versions;
  m_confidence = confidence;
  m_searching = true;
  m_search_start = Clock::now();
  m_search_probes = 0;
}

void BisectProgress::probe_started(std::size_t cell, int runs) {
  std::lock_guard lock(m_mutex);
  m_probe = m_label ? m_label(cell) : std::to_string(cell);
  m_probe_runs = runs;
  m_probe_done = m_probe_crashed = m_probe_builds = 0;
  m_probe_build_seconds = 0;
  m_search_probes += m_searching;
  m_building = true;
  m_phase_start = Clock::now();
}

void BisectProgress::build_finished(const runner::BuildOutcome& o) {
  std::lock_guard lock(m_mutex);
  if (o.cached) {
    ++m_cached;
    return;
  }
  if (o.state == runner::BuildState::ok) {
    ++m_builds;
    ++m_probe_builds;
    m_probe_build_seconds += o.seconds;
  } else if (o.state != runner::BuildState::not_needed) {
    ++m_build_failures;
  }
}

void BisectProgress::builds_ended() {
  std::lock_guard lock(m_mutex);
  if (m_mode != Mode::lines || m_probe_builds == 0) return;
  char text[64];
  std::snprintf(text, sizeof text, " in %.1f s", m_probe_build_seconds);
  const std::string count =
      m_probe_builds > 1 ? " (" + std::to_string(m_probe_builds) + " builds)" : "";
  print_locked("built for probe " + m_probe + text + count);
  m_probe_builds = 0;
  m_probe_build_seconds = 0;
}

void BisectProgress::runs_started() {
  std::lock_guard lock(m_mutex);
  m_building = false;
  m_phase_start = Clock::now();
}

void BisectProgress::run_finished(const runner::RunRecord& r) {
  std::lock_guard lock(m_mutex);
  ++m_runs;
  ++m_probe_done;
  const bool failed = r.outcome != "pass";
  m_crashed += failed;
  m_probe_crashed += failed;
  m_phase_start = Clock::now();
}

void BisectProgress::leading(const std::string& words, double posterior) {
  std::lock_guard lock(m_mutex);
  m_leading = words;
  m_posterior = posterior;
}

void BisectProgress::probes_left(std::size_t probes) {
  std::lock_guard lock(m_mutex);
  m_probes_left = probes;
}

std::string BisectProgress::status_text() const {
  std::lock_guard lock(m_mutex);
  return status_locked(Clock::now());
}

// "probe lib=3: building (8s)" or "probe lib=2: run 2 of ≤ 64 (3s), 1 crashed".
std::string BisectProgress::probe_locked(Clock::time_point now) const {
  if (m_probe.empty()) return "starting";
  const std::string in_phase = duration_text(seconds_between(m_phase_start, now));
  if (m_building) return "probe " + m_probe + ": building (" + in_phase + ")";
  return "probe " + m_probe + ": run " + std::to_string(m_probe_done + 1) + " of ≤ " +
         std::to_string(m_probe_runs) + " (" + in_phase + "), " + std::to_string(m_probe_crashed) +
         " crashed";
}

// "probe lib=3: run 2 of ≤ 64 (3s), 1 crashed; leading first crashing lib=3
//  (posterior 0.812); builds 2 (1 cached), runs 7 (3 crashed); elapsed 25s, ETA ~40s"
std::string BisectProgress::status_locked(Clock::time_point now) const {
  std::ostringstream s;
  s << probe_locked(now);
  if (!m_leading.empty()) {
    char posterior[16];
    std::snprintf(posterior, sizeof posterior, "%.3f", m_posterior);
    s << "; leading " << m_leading << " (posterior " << posterior << ")";
  }
  s << "; builds " << m_builds << " (" << m_cached << " cached"
    << (m_build_failures ? ", " + std::to_string(m_build_failures) + " failed" : "") << "), runs "
    << m_runs << " (" << m_crashed << " crashed); elapsed "
    << duration_text(seconds_between(m_start, now)) << ", ETA " << eta_locked(now);
  return s.str();
}

// The search's speed in bits of log-odds of the leading candidate per second,
// from where a uniform prior starts (1 in versions − 1) to the confidence goal;
// at least one more bit for the verification reruns.
// Counted in probes (2-D): the probes left at the mean time of this search's probes.
std::string BisectProgress::eta_locked(Clock::time_point now) const {
  if (m_searching && m_probes_left) {
    if (m_search_probes == 0) return *m_probes_left == 0 ? "~0s" : "unknown";
    const double per_probe = seconds_between(m_search_start, now) / m_search_probes;
    return "~" + duration_text(per_probe * static_cast<double>(*m_probes_left));
  }
  if (!m_searching || m_posterior <= 0 || m_versions < 2) return "unknown";
  const double start = logit2(1.0 / static_cast<double>(std::max<std::size_t>(m_versions - 1, 2)));
  const double gained = logit2(m_posterior) - start;
  const double left = std::max(logit2(m_confidence) - logit2(m_posterior), 1.0);
  const double spent = seconds_between(m_search_start, now);
  if (gained < 0.1 || spent <= 0) return "unknown";
  return "~" + duration_text(spent * left / gained);
}

std::string cell_label(const matrix::CellTable& cells, const std::vector<std::size_t>& axes,
                       std::size_t cell) {
  std::string label;
  for (std::size_t a : axes)
    if (const std::string* v = cells.value(cell, a))
      label += (label.empty() ? "" : " ") + cells.axes[a].name + "=" + *v;
  return label;
}

}  // namespace faultline::pipeline
