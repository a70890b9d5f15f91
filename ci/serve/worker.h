// ci/serve/worker.h — runs the queue's jobs: each in a fresh directory under the
// workdir, the pull request's head fetched with git (refs/pull/N/head from the base
// repository, else the head branch), then this very binary's `faultline run` (and
// `bisect`) on the configured matrix with the bot's secrets removed from its
// environment, then the sticky comment and final status. A newer job for the same
// pull request cancels the running one (its whole process group); stop() requeues
// what is running. Also posts each job's pending status as soon as it is queued.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/redact.h"
#include "ci/serve/config.h"
#include "ci/serve/github.h"
#include "ci/serve/job_queue.h"

namespace faultline::ci::serve {

struct WorkerOptions {
  std::string workdir;
  std::string matrix = "faultline.yaml";
  std::optional<int> runs;
  std::string faultline = "/proc/self/exe";  // the binary whose `run` the jobs use
  std::chrono::seconds timeout{3600};
  std::vector<std::string> hidden_env;  // removed from every job's environment (secret, token)
  int jobs = 1;
  std::ostream* log = nullptr;
  const Redactor* redactor = nullptr;  // applied to every log line
};

WorkerOptions worker_options(const BotConfig& config);

class Workers {
 public:
  Workers(JobQueue& queue, PullRequestPoster& github, WorkerOptions options);
  ~Workers();
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  void start();
  void wake();  // something was queued
  // The running job `id` was superseded: kill it, record it cancelled, post nothing.
  void cancel(std::int64_t id);
  // Graceful stop: running jobs are killed and requeued; threads joined.
  void stop();

 private:
  struct Running {
    std::atomic<bool> cancel{false};
    bool requeue = false;
  };
  enum class Outcome { done, failed, cancelled };

  void work_loop();
  void announce_loop();
  void announce(const Job& job);
  void run_job(const Job& job);
  Outcome execute(const Job& job, Running& running, std::string& detail);
  bool sleep_unless_stopped(std::chrono::milliseconds how_long);
  void note(const std::string& line);

  JobQueue& m_queue;
  PullRequestPoster& m_github;
  WorkerOptions m_options;
  std::vector<std::thread> m_threads;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;
  std::uint64_t m_generation = 0;  // bumped by wake()
  std::map<std::int64_t, std::shared_ptr<Running>> m_running;
  std::set<std::int64_t> m_cancel_on_start;
  std::mutex m_announce_mutex;  // one pending status at a time, never after a final one
  std::mutex m_log_mutex;
};

}  // namespace faultline::ci::serve
