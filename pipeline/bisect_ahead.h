// pipeline/bisect_ahead.h — building ahead (`faultline bisect -j N`, N > 1):
// while a probe builds and runs, up to N − 1 threads build the cells the search
// says it would probe next (bisect::SearchOptions::prefetch), through the build
// cache, so the probe that chooses one finds its builds there. Owns those
// threads and who builds what: no build is built by two threads at once (a
// probe waits for an ahead build of a build it needs; an ahead build never
// starts on a build in flight), and an ahead build the search no longer names
// is cancelled. Counts what it built and what probes used, for the answer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/bisect_cells.h"
#include "runner/builds.h"

namespace faultline::pipeline {

class BuildAhead {
 public:
  // `options` as the prober builds with (state dir, matrix dir, redactor, timeout);
  // ahead builds run one build at a time each, unannounced (no on_done) and
  // cancelled by this object only. `threads` >= 1.
  BuildAhead(BisectMatrix in, runner::BuildOptions options, int threads);
  ~BuildAhead() { stop(); }
  // Cancels the ahead builds in flight and joins the threads; nothing more is
  // built ahead (idempotent).
  void stop();
  BuildAhead(const BuildAhead&) = delete;
  BuildAhead& operator=(const BuildAhead&) = delete;

  // The search's next probes: `probe` is about to be probed, `next` (most
  // likely first) may follow. Replaces the cells waiting; cancels ahead builds
  // of cells neither `probe` nor in `next`.
  void want(std::size_t probe, const std::vector<std::size_t>& next);
  // A probe's builds (indices into expansion.builds), now, with the prober's
  // `options`: waits for ahead builds of any of them in flight, then builds
  // (runner::run_builds; an ahead build is found cached). When one of them
  // failed ahead, nothing is built: its failure is returned again (`reused`),
  // the others not_needed, so the probe finds the cell unbuildable.
  std::vector<runner::BuildOutcome> build_now(const std::vector<std::size_t>& needed,
                                              const runner::BuildOptions& options);
  // Whether build `b` is settled: built (made ahead, or by a probe through
  // build_now, or found cached) or failed ahead (not cancelled).
  bool settled(std::size_t b) const;
  AheadTally tally() const;

 private:
  struct Job {
    std::size_t cell = 0;
    std::vector<std::size_t> builds;  // the cell's builds not known complete at its start
    std::atomic<bool> cancel{false};
  };
  void work();
  std::vector<std::size_t> builds_of(std::size_t cell) const;  // not known complete
  bool startable_locked(std::size_t cell) const;
  std::shared_ptr<Job> next_job_locked();
  void finish_locked(const Job& job, const std::vector<runner::BuildOutcome>& outcomes);
  // The outcomes build_now returns when one of `needed` failed ahead; nullopt when none did.
  std::optional<std::vector<runner::BuildOutcome>> failed_ahead_locked(
      const std::vector<std::size_t>& needed) const;

  BisectMatrix m_in;
  runner::BuildOptions m_options;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  std::deque<std::size_t> m_queue;                       // cells wanted, not started
  std::vector<std::shared_ptr<Job>> m_running;           // ahead builds in flight
  std::set<std::size_t> m_busy;                          // builds in flight (ahead or a probe's)
  std::set<std::size_t> m_complete;                      // builds known built (found or made)
  std::map<std::size_t, std::size_t> m_ahead_of;         // build made ahead -> its cell
  std::map<std::size_t, runner::BuildOutcome> m_failed;  // builds that failed ahead
  std::set<std::size_t> m_built, m_used;                 // cells built ahead; of them, used
  int m_cancelled = 0;
  double m_waited = 0;
  int m_builds_run = 0;  // build commands run ahead, and their seconds
  double m_build_seconds = 0;
  std::vector<std::thread> m_threads;
};

// "built ahead: 2, used 1" (and ", cancelled 1" when any was).
std::string describe_ahead(const AheadTally& t);

}  // namespace faultline::pipeline
