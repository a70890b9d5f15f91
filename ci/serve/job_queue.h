// ci/serve/job_queue.h — the bot's durable queue: jobs (one pull request head to
// run) and the webhook deliveries already seen, in tables `serve_jobs` and
// `serve_deliveries` of the results store's SQLite file (WAL; store/ creates,
// checks and migrates the file and its tables, store/schema.cc; these rows are
// the bot's own). A job queued or
// running when the bot stopped is there when it starts again. At most one job per
// pull request runs at a time; a newer job for the same pull request supersedes
// the queued ones. Running jobs (processes, git) is worker.h's business.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/expected.h"

namespace faultline::store {
class Store;
}

namespace faultline::ci::serve {

struct Job {
  std::int64_t id = 0;
  std::string repo;             // owner/name of the base repository
  int pr = 0;                   // pull request number
  std::string sha;              // the head commit to test
  std::string head_ref;         // the head branch, in head_clone_url
  std::string clone_url;        // the base repository (refs/pull/N/head is fetched from it)
  std::string head_clone_url;   // where head_ref lives (the fork, for a fork's pull request)
  std::string command = "run";  // run or bisect
  std::string reason;           // "pull_request synchronize", "/faultline run by alice"
  std::string delivery;         // the X-GitHub-Delivery that queued it
  std::string state;            // queued, running, done, failed, cancelled, superseded
  std::string detail;           // why it ended that way
  bool pending_posted = false;  // the pending status went out
};

struct Enqueued {
  std::int64_t id = 0;
  std::vector<std::int64_t> superseded;  // queued jobs of the same pull request, dropped
  std::optional<std::int64_t> running;   // the running job of the same pull request, to cancel
};

class JobQueue {
 public:
  // Opens (creating, migrating) the results store at `path`, whose migrations
  // hold the serve_ tables; forgets deliveries older than 30 days.
  static Expected<std::unique_ptr<JobQueue>> open(const std::string& path);
  ~JobQueue();
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  // Records a delivery id: true the first time, false when it was seen before.
  Expected<bool> remember_delivery(const std::string& delivery);
  // Forgets it again, so GitHub's redelivery is handled (after a failure on our side).
  Status forget_delivery(const std::string& delivery);

  Expected<Enqueued> enqueue(const Job& job);
  // The oldest queued job whose pull request has nothing running, now marked running.
  Expected<std::optional<Job>> claim();
  Status finish(std::int64_t id, const std::string& state, const std::string& detail);
  Status requeue(std::int64_t id);           // running → queued (a graceful stop)
  Expected<int> requeue_running();           // at start: jobs a killed bot left running
  Expected<std::vector<Job>> unannounced();  // jobs whose pending status has not gone out
  Status mark_announced(std::int64_t id);
  Expected<std::vector<Job>> jobs();  // every job, oldest first
  Expected<std::optional<Job>> job(std::int64_t id);

 private:
  explicit JobQueue(std::unique_ptr<store::Store> store);
  // "PATH: error: WHAT in the bot's job queue: SQLite's message", from the store's error.
  Error error(const std::string& what, const Error& cause) const;
  // Prepares `sql`, binds `args` from ?1, steps to the end.
  template <typename... Args>
  Status run(const std::string& what, const std::string& sql, const Args&... args);
  Expected<std::vector<Job>> select(const std::string& where, std::int64_t arg = 0);
  Expected<Enqueued> enqueue_locked(const Job& job);

  std::unique_ptr<store::Store> m_store;
  std::string m_path;
  std::mutex m_mutex;
};

}  // namespace faultline::ci::serve
