#include "ci/serve/job_queue.h"

#include <sqlite3.h>

#include "store/store.h"

#include <chrono>
#include <ctime>

namespace faultline::ci::serve {

namespace {

constexpr const char* k_schema = R"sql(
CREATE TABLE IF NOT EXISTS serve_deliveries (
  id TEXT PRIMARY KEY,
  received_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS serve_jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  repo TEXT NOT NULL,
  pr INTEGER NOT NULL,
  sha TEXT NOT NULL,
  head_ref TEXT NOT NULL,
  clone_url TEXT NOT NULL,
  head_clone_url TEXT NOT NULL,
  command TEXT NOT NULL,
  reason TEXT NOT NULL,
  delivery TEXT NOT NULL,
  state TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  pending_posted INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS serve_jobs_by_state ON serve_jobs (state, id);
CREATE INDEX IF NOT EXISTS serve_jobs_by_pr ON serve_jobs (repo, pr, state);
)sql";

constexpr const char* k_columns =
    "id, repo, pr, sha, head_ref, clone_url, head_clone_url, command, reason, delivery, state, detail, "
    "pending_posted";

// Deliveries older than this are forgotten at start: GitHub redelivers for 3 days.
constexpr std::int64_t k_delivery_memory_seconds = 30 * 24 * 3600;

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

// One prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) { m_rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &m_stmt, nullptr); }
  ~Stmt() { sqlite3_finalize(m_stmt); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return m_rc == SQLITE_OK; }
  Stmt& bind(int i, std::int64_t v) { sqlite3_bind_int64(m_stmt, i, v); return *this; }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  int step() { return sqlite3_step(m_stmt); }
  std::int64_t integer(int col) const { return sqlite3_column_int64(m_stmt, col); }
  std::string text(int col) const {
    const unsigned char* p = sqlite3_column_text(m_stmt, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }

 private:
  sqlite3_stmt* m_stmt = nullptr;
  int m_rc = SQLITE_ERROR;
};

Job read_job(const Stmt& s) {
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

Expected<std::unique_ptr<JobQueue>> JobQueue::open(const std::string& path) {
  // The file is the results store's: it creates (or checks and migrates) faultline's
  // schema first, so `faultline run --db`, history and the bot can share one file.
  if (auto store = store::Store::open(path); !store) return fail(store.error());
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return fail(infrastructure(path + ": error: cannot open the bot's job queue: " + why));
  }
  std::unique_ptr<JobQueue> queue(new JobQueue(db, path));
  sqlite3_busy_timeout(db, 10'000);
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", k_schema})
    if (auto s = queue->exec(sql); !s) return fail(s.error());
  Stmt prune(db, "DELETE FROM serve_deliveries WHERE received_at < ?1");
  if (!prune.ok() || prune.bind(1, now_seconds() - k_delivery_memory_seconds).step() != SQLITE_DONE)
    return fail(queue->error("forgetting old deliveries"));
  return queue;
}

JobQueue::~JobQueue() { sqlite3_close(m_db); }

Error JobQueue::error(const std::string& what) const {
  return infrastructure(m_path + ": error: " + what + " in the bot's job queue: " + sqlite3_errmsg(m_db));
}

Status JobQueue::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return Ok{};
  std::string why = message ? message : "unknown error";
  sqlite3_free(message);
  return fail(infrastructure(m_path + ": error: cannot set up the bot's job queue: " + why));
}

Expected<bool> JobQueue::remember_delivery(const std::string& delivery) {
  std::lock_guard lock(m_mutex);
  Stmt s(m_db, "INSERT OR IGNORE INTO serve_deliveries (id, received_at) VALUES (?1, ?2)");
  if (!s.ok() || s.bind(1, delivery).bind(2, now_seconds()).step() != SQLITE_DONE)
    return fail(error("recording delivery " + delivery));
  return sqlite3_changes(m_db) == 1;
}

Status JobQueue::forget_delivery(const std::string& delivery) {
  std::lock_guard lock(m_mutex);
  Stmt s(m_db, "DELETE FROM serve_deliveries WHERE id = ?1");
  if (!s.ok() || s.bind(1, delivery).step() != SQLITE_DONE) return fail(error("forgetting delivery " + delivery));
  return Ok{};
}

Expected<Enqueued> JobQueue::enqueue(const Job& job) {
  std::lock_guard lock(m_mutex);
  if (auto s = exec("BEGIN IMMEDIATE"); !s) return fail(s.error());
  Enqueued out;
  auto rollback = [&](const std::string& what) {
    Error e = error(what);
    (void)exec("ROLLBACK");
    return fail(e);
  };
  {
    Stmt older(m_db, "SELECT id, state FROM serve_jobs WHERE repo = ?1 AND pr = ?2 AND state IN ('queued', 'running')");
    if (!older.ok()) return rollback("finding the jobs of pull request #" + std::to_string(job.pr));
    older.bind(1, job.repo).bind(2, job.pr);
    while (older.step() == SQLITE_ROW) {
      if (older.text(1) == "running")
        out.running = older.integer(0);
      else
        out.superseded.push_back(older.integer(0));
    }
  }
  Stmt drop(m_db, "UPDATE serve_jobs SET state = 'superseded', detail = 'a newer job for the pull request was queued', "
                  "updated_at = ?3 WHERE repo = ?1 AND pr = ?2 AND state = 'queued'");
  if (!drop.ok() || drop.bind(1, job.repo).bind(2, job.pr).bind(3, now_seconds()).step() != SQLITE_DONE)
    return rollback("superseding queued jobs");
  Stmt add(m_db, "INSERT INTO serve_jobs (repo, pr, sha, head_ref, clone_url, head_clone_url, command, reason, "
                 "delivery, state, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'queued', ?10, ?10)");
  if (!add.ok()) return rollback("queueing a job");
  add.bind(1, job.repo).bind(2, job.pr).bind(3, job.sha).bind(4, job.head_ref).bind(5, job.clone_url);
  add.bind(6, job.head_clone_url).bind(7, job.command).bind(8, job.reason).bind(9, job.delivery).bind(10, now_seconds());
  if (add.step() != SQLITE_DONE) return rollback("queueing a job");
  out.id = sqlite3_last_insert_rowid(m_db);
  if (auto s = exec("COMMIT"); !s) return rollback("committing a job");
  return out;
}

Expected<std::vector<Job>> JobQueue::select(const std::string& where, std::int64_t arg) {
  Stmt s(m_db, std::string("SELECT ") + k_columns + " FROM serve_jobs " + where);
  if (!s.ok()) return fail(error("reading jobs"));
  if (where.find("?1") != std::string::npos) s.bind(1, arg);
  std::vector<Job> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_job(s));
  if (rc != SQLITE_DONE) return fail(error("reading jobs"));
  return out;
}

Expected<std::optional<Job>> JobQueue::claim() {
  std::lock_guard lock(m_mutex);
  FAULTLINE_TRY(auto found, select("AS j WHERE state = 'queued' AND NOT EXISTS (SELECT 1 FROM serve_jobs AS r WHERE "
                                   "r.repo = j.repo AND r.pr = j.pr AND r.state = 'running') ORDER BY id LIMIT 1"));
  if (found.empty()) return std::optional<Job>{};
  Stmt s(m_db, "UPDATE serve_jobs SET state = 'running', updated_at = ?2 WHERE id = ?1 AND state = 'queued'");
  if (!s.ok() || s.bind(1, found[0].id).bind(2, now_seconds()).step() != SQLITE_DONE)
    return fail(error("claiming job " + std::to_string(found[0].id)));
  found[0].state = "running";
  return std::optional<Job>(found[0]);
}

Status JobQueue::finish(std::int64_t id, const std::string& state, const std::string& detail) {
  std::lock_guard lock(m_mutex);
  Stmt s(m_db, "UPDATE serve_jobs SET state = ?2, detail = ?3, updated_at = ?4 WHERE id = ?1");
  if (!s.ok() || s.bind(1, id).bind(2, state).bind(3, detail).bind(4, now_seconds()).step() != SQLITE_DONE)
    return fail(error("finishing job " + std::to_string(id)));
  return Ok{};
}

Status JobQueue::requeue(std::int64_t id) {
  std::lock_guard lock(m_mutex);
  Stmt s(m_db, "UPDATE serve_jobs SET state = 'queued', updated_at = ?2 WHERE id = ?1 AND state = 'running'");
  if (!s.ok() || s.bind(1, id).bind(2, now_seconds()).step() != SQLITE_DONE)
    return fail(error("requeueing job " + std::to_string(id)));
  return Ok{};
}

Expected<int> JobQueue::requeue_running() {
  std::lock_guard lock(m_mutex);
  Stmt s(m_db, "UPDATE serve_jobs SET state = 'queued', updated_at = ?1 WHERE state = 'running'");
  if (!s.ok() || s.bind(1, now_seconds()).step() != SQLITE_DONE) return fail(error("requeueing running jobs"));
  return sqlite3_changes(m_db);
}

Expected<std::vector<Job>> JobQueue::unannounced() {
  std::lock_guard lock(m_mutex);
  return select("WHERE pending_posted = 0 AND state IN ('queued', 'running') ORDER BY id");
}

Status JobQueue::mark_announced(std::int64_t id) {
  std::lock_guard lock(m_mutex);
  Stmt s(m_db, "UPDATE serve_jobs SET pending_posted = 1 WHERE id = ?1");
  if (!s.ok() || s.bind(1, id).step() != SQLITE_DONE) return fail(error("marking job " + std::to_string(id)));
  return Ok{};
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
