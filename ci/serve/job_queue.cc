#include "ci/serve/job_queue.h"

#include <ctime>

#include "store/sqlite.h"
#include "store/store.h"

namespace faultline::ci::serve {

namespace {

using store::Statement;

constexpr const char* k_columns =
    "id, repo, pr, sha, head_ref, clone_url, head_clone_url, command, reason, delivery, state, "
    "detail, "
    "pending_posted";

// Deliveries older than this are forgotten at start: GitHub redelivers for 3 days.
constexpr std::int64_t k_delivery_memory_seconds = 30 * 24 * 3600;

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

Job read_job(const Statement& s) {
  Job j;
  j.id = s.integer(0);
  j.repo = s.text(1);
  j.pr = static_cast<int>(s.integer(2));
  j.sha = s.text(3);
  j.head_ref = s.text(4);
  j.clone_url = s.text(5);
  j.head_clone_url = s.text(6);
  j.command = s.text(7);
  j.reason = s.text(8);
  j.delivery = s.text(9);
  j.state = s.text(10);
  j.detail = s.text(11);
  j.pending_posted = s.integer(12) != 0;
  return j;
}

}  // namespace

JobQueue::JobQueue(std::unique_ptr<store::Store> store)
    : m_store(std::move(store)), m_path(m_store->database().path()) {}

JobQueue::~JobQueue() = default;

Expected<std::unique_ptr<JobQueue>> JobQueue::open(const std::string& path) {
  // The file is the results store's: it creates (or checks and migrates) faultline's
  // schema, serve_ tables included, so `faultline run --db`, history and the bot
  // can share one file.
  FAULTLINE_TRY(auto store, store::Store::open(path));
  std::unique_ptr<JobQueue> queue(new JobQueue(std::move(store)));
  FAULTLINE_STORE_CHECK(queue->run("forgetting old deliveries",
                                   "DELETE FROM serve_deliveries WHERE received_at < ?1",
                                   now_seconds() - k_delivery_memory_seconds));
  return queue;
}

Error JobQueue::error(const std::string& what, const Error& cause) const {
  std::string why = cause.message;
  if (why.rfind(m_path + ": ", 0) == 0) why.erase(0, m_path.size() + 2);
  return infrastructure(m_path + ": error: " + what + " in the bot's job queue: " + why);
}

template <typename... Args>
Status JobQueue::run(const std::string& what, const std::string& sql, const Args&... args) {
  auto s = m_store->database().prepare(sql);
  if (!s) return fail(error(what, s.error()));
  if (auto done = s->bind_all(args...).run(); !done) return fail(error(what, done.error()));
  return Ok{};
}

Expected<bool> JobQueue::remember_delivery(const std::string& delivery) {
  std::lock_guard lock(m_mutex);
  FAULTLINE_STORE_CHECK(
      run("recording delivery " + delivery,
          "INSERT OR IGNORE INTO serve_deliveries (id, received_at) VALUES (?1, ?2)", delivery,
          now_seconds()));
  return m_store->database().changes() == 1;
}

Status JobQueue::forget_delivery(const std::string& delivery) {
  std::lock_guard lock(m_mutex);
  return run("forgetting delivery " + delivery, "DELETE FROM serve_deliveries WHERE id = ?1",
             delivery);
}

Expected<Enqueued> JobQueue::enqueue(const Job& job) {
  std::lock_guard lock(m_mutex);
  auto tx = store::Transaction::begin(m_store->database());
  if (!tx) return fail(error("queueing a job", tx.error()));
  FAULTLINE_TRY(Enqueued out, enqueue_locked(job));
  if (auto s = tx->commit(); !s) return fail(error("committing a job", s.error()));
  return out;
}

// Inside enqueue's transaction: the same pull request's queued jobs superseded,
// its running one named for cancelling, the new job added.
Expected<Enqueued> JobQueue::enqueue_locked(const Job& job) {
  store::Database& db = m_store->database();
  Enqueued out;
  const std::string finding = "finding the jobs of pull request #" + std::to_string(job.pr);
  auto older = db.prepare(
      "SELECT id, state FROM serve_jobs WHERE repo = ?1 AND pr = ?2 AND state IN ('queued', "
      "'running')");
  if (!older) return fail(error(finding, older.error()));
  older->bind_all(job.repo, job.pr);
  while (true) {
    auto row = older->step();
    if (!row) return fail(error(finding, row.error()));
    if (!*row) break;
    if (older->text(1) == "running")
      out.running = older->integer(0);
    else
      out.superseded.push_back(older->integer(0));
  }
  FAULTLINE_STORE_CHECK(run(
      "superseding queued jobs",
      "UPDATE serve_jobs SET state = 'superseded', detail = 'a newer job for the pull request was "
      "queued', updated_at = ?3 WHERE repo = ?1 AND pr = ?2 AND state = 'queued'",
      job.repo, job.pr, now_seconds()));
  FAULTLINE_STORE_CHECK(run(
      "queueing a job",
      "INSERT INTO serve_jobs (repo, pr, sha, head_ref, clone_url, head_clone_url, command, "
      "reason, delivery, state, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
      "?9, 'queued', ?10, ?10)",
      job.repo, job.pr, job.sha, job.head_ref, job.clone_url, job.head_clone_url, job.command,
      job.reason, job.delivery, now_seconds()));
  out.id = db.last_insert_rowid();
  return out;
}

Expected<std::vector<Job>> JobQueue::select(const std::string& where, std::int64_t arg) {
  auto s =
      m_store->database().prepare(std::string("SELECT ") + k_columns + " FROM serve_jobs " + where);
  if (!s) return fail(error("reading jobs", s.error()));
  if (where.find("?1") != std::string::npos) s->bind(1, arg);
  std::vector<Job> out;
  while (true) {
    auto row = s->step();
    if (!row) return fail(error("reading jobs", row.error()));
    if (!*row) return out;
    out.push_back(read_job(*s));
  }
}

Expected<std::optional<Job>> JobQueue::claim() {
  std::lock_guard lock(m_mutex);
  FAULTLINE_TRY(
      auto found,
      select("AS j WHERE state = 'queued' AND NOT EXISTS (SELECT 1 FROM serve_jobs AS r WHERE "
             "r.repo = j.repo AND r.pr = j.pr AND r.state = 'running') ORDER BY id LIMIT 1"));
  if (found.empty()) return std::optional<Job>{};
  FAULTLINE_STORE_CHECK(run(
      "claiming job " + std::to_string(found[0].id),
      "UPDATE serve_jobs SET state = 'running', updated_at = ?2 WHERE id = ?1 AND state = 'queued'",
      found[0].id, now_seconds()));
  found[0].state = "running";
  return std::optional<Job>(found[0]);
}

Status JobQueue::finish(std::int64_t id, const std::string& state, const std::string& detail) {
  std::lock_guard lock(m_mutex);
  return run("finishing job " + std::to_string(id),
             "UPDATE serve_jobs SET state = ?2, detail = ?3, updated_at = ?4 WHERE id = ?1", id,
             state, detail, now_seconds());
}

Status JobQueue::requeue(std::int64_t id) {
  std::lock_guard lock(m_mutex);
  return run(
      "requeueing job " + std::to_string(id),
      "UPDATE serve_jobs SET state = 'queued', updated_at = ?2 WHERE id = ?1 AND state = 'running'",
      id, now_seconds());
}

Expected<int> JobQueue::requeue_running() {
  std::lock_guard lock(m_mutex);
  FAULTLINE_STORE_CHECK(
      run("requeueing running jobs",
          "UPDATE serve_jobs SET state = 'queued', updated_at = ?1 WHERE state = 'running'",
          now_seconds()));
  return m_store->database().changes();
}

Expected<std::vector<Job>> JobQueue::unannounced() {
  std::lock_guard lock(m_mutex);
  return select("WHERE pending_posted = 0 AND state IN ('queued', 'running') ORDER BY id");
}

Status JobQueue::mark_announced(std::int64_t id) {
  std::lock_guard lock(m_mutex);
  return run("marking job " + std::to_string(id),
             "UPDATE serve_jobs SET pending_posted = 1 WHERE id = ?1", id);
}

Expected<std::vector<Job>> JobQueue::jobs() {
  std::lock_guard lock(m_mutex);
  return select("ORDER BY id");
}

Expected<std::optional<Job>> JobQueue::job(std::int64_t id) {
  std::lock_guard lock(m_mutex);
  FAULTLINE_TRY(auto found, select("WHERE id = ?1", id));
  if (found.empty()) return std::optional<Job>{};
  return std::optional<Job>(found[0]);
}

}  // namespace faultline::ci::serve
