#include "pipeline/bisect_ahead.h"

#include <algorithm>
#include <chrono>

namespace faultline::pipeline {

BuildAhead::BuildAhead(BisectMatrix in, runner::BuildOptions options, int threads)
    : m_in(in), m_options(std::move(options)) {
  m_options.jobs = 1;
  m_options.on_done = nullptr;
  for (int t = 0; t < std::max(1, threads); ++t) m_threads.emplace_back([this] { work(); });
}

void BuildAhead::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
    for (const auto& job : m_running) job->cancel = true;
  }
  m_wake.notify_all();
  for (auto& t : m_threads) t.join();
  m_threads.clear();
}

void BuildAhead::want(std::size_t probe, const std::vector<std::size_t>& next) {
  std::lock_guard lock(m_mutex);
  m_queue.assign(next.begin(), next.end());
  for (const auto& job : m_running)
    if (job->cell != probe && std::find(next.begin(), next.end(), job->cell) == next.end())
      job->cancel = true;
  m_wake.notify_all();
}

std::vector<std::size_t> BuildAhead::builds_of(std::size_t cell) const {
  std::vector<std::size_t> builds;
  for (const auto b : m_in.expansion.cell_builds[cell])
    if (!m_complete.count(b) && !m_failed.count(b)) builds.push_back(b);
  return builds;
}

// A cell an ahead build may start: something of it to build, none of it in flight.
bool BuildAhead::startable_locked(std::size_t cell) const {
  const std::vector<std::size_t> builds = builds_of(cell);
  return !builds.empty() && std::none_of(builds.begin(), builds.end(),
                                         [&](std::size_t b) { return m_busy.count(b) > 0; });
}

// The first waiting cell that may start (cells with nothing to build are
// dropped), its builds marked in flight; null when none may.
std::shared_ptr<BuildAhead::Job> BuildAhead::next_job_locked() {
  for (auto it = m_queue.begin(); it != m_queue.end();) {
    if (builds_of(*it).empty()) {
      it = m_queue.erase(it);
      continue;
    }
    if (!startable_locked(*it)) {
      ++it;
      continue;
    }
    auto job = std::make_shared<Job>();
    job->cell = *it;
    job->builds = builds_of(job->cell);
    m_queue.erase(it);
    for (const std::size_t b : job->builds) m_busy.insert(b);
    m_running.push_back(job);
    return job;
  }
  return nullptr;
}

void BuildAhead::finish_locked(const Job& job, const std::vector<runner::BuildOutcome>& outcomes) {
  bool all_ok = true, any_built = false;
  for (const std::size_t b : job.builds) {
    m_busy.erase(b);
    if (outcomes[b].state != runner::BuildState::not_needed && !outcomes[b].cached)
      ++m_builds_run, m_build_seconds += outcomes[b].seconds;
    if (outcomes[b].state != runner::BuildState::ok) {
      all_ok = false;
      const bool failed = outcomes[b].state == runner::BuildState::failed ||
                          outcomes[b].state == runner::BuildState::dependency_failed;
      if (failed && !job.cancel) m_failed[b] = outcomes[b];
      continue;
    }
    if (!m_complete.insert(b).second) continue;
    if (!outcomes[b].cached) any_built = true, m_ahead_of[b] = job.cell;
  }
  if (all_ok && any_built)
    m_built.insert(job.cell);
  else if (job.cancel)
    ++m_cancelled;
  m_running.erase(std::find_if(m_running.begin(), m_running.end(),
                               [&](const auto& j) { return j.get() == &job; }));
}

void BuildAhead::work() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    std::shared_ptr<Job> job;
    m_wake.wait(lock, [&] { return m_stop || (job = next_job_locked()) != nullptr; });
    if (m_stop && !job) return;
    lock.unlock();
    runner::BuildOptions options = m_options;
    options.cancel = &job->cancel;
    const auto outcomes = runner::run_builds(m_in.config, m_in.expansion, job->builds, options);
    lock.lock();
    finish_locked(*job, outcomes);
    m_wake.notify_all();
  }
}

std::vector<runner::BuildOutcome> BuildAhead::build_now(const std::vector<std::size_t>& needed,
                                                        const runner::BuildOptions& options) {
  std::unique_lock lock(m_mutex);
  const auto start = std::chrono::steady_clock::now();
  auto in_flight = [&] {
    return std::any_of(needed.begin(), needed.end(),
                       [&](std::size_t b) { return m_busy.count(b) > 0; });
  };
  if (in_flight()) {
    m_wake.wait(lock, [&] { return !in_flight(); });
    m_waited += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  if (auto failed = failed_ahead_locked(needed)) return *failed;
  std::vector<std::size_t> claimed;
  for (const std::size_t b : needed)
    if (!m_complete.count(b)) claimed.push_back(b), m_busy.insert(b);
  lock.unlock();
  auto outcomes = runner::run_builds(m_in.config, m_in.expansion, needed, options);
  lock.lock();
  for (const std::size_t b : claimed) m_busy.erase(b);
  for (const std::size_t b : needed) {
    if (outcomes[b].state == runner::BuildState::ok) m_complete.insert(b);
    if (auto made = m_ahead_of.find(b); made != m_ahead_of.end() && m_built.count(made->second))
      m_used.insert(made->second);
  }
  m_wake.notify_all();
  return outcomes;
}

std::optional<std::vector<runner::BuildOutcome>> BuildAhead::failed_ahead_locked(
    const std::vector<std::size_t>& needed) const {
  std::vector<runner::BuildOutcome> outcomes(m_in.expansion.builds.size());
  bool any = false;
  for (const std::size_t b : needed)
    if (const auto it = m_failed.find(b); it != m_failed.end()) {
      outcomes[b] = it->second;
      outcomes[b].reused = true;
      any = true;
    }
  return any ? std::optional(std::move(outcomes)) : std::nullopt;
}

bool BuildAhead::settled(std::size_t b) const {
  std::lock_guard lock(m_mutex);
  return m_complete.count(b) > 0 || m_failed.count(b) > 0;
}

AheadTally BuildAhead::tally() const {
  std::lock_guard lock(m_mutex);
  return {int(m_built.size()), int(m_used.size()), m_cancelled, m_waited,
          m_builds_run,        m_build_seconds};
}

std::string describe_ahead(const AheadTally& t) {
  std::string text = "built ahead: " + std::to_string(t.built) + ", used " + std::to_string(t.used);
  if (t.cancelled > 0) text += ", cancelled " + std::to_string(t.cancelled);
  return text;
}

}  // namespace faultline::pipeline
