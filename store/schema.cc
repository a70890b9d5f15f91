#include "store/schema.h"

namespace faultline::store {

namespace {

// Version 1: sessions (each `faultline run` or `bisect`), the cells and builds
// they used, every run as it ended with its crashes, the signatures with first
// and last sighting, and bisect sessions with their observations.
const char* const k_schema_v1 = R"sql(
CREATE TABLE meta(schema_version INTEGER NOT NULL);
INSERT INTO meta(schema_version) VALUES (0);
CREATE TABLE sessions(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('run', 'bisect')),
  matrix_name TEXT NOT NULL,
  matrix_file TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  shard TEXT,
  interrupted INTEGER NOT NULL DEFAULT 0,
  resumed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE cells(
  hash TEXT PRIMARY KEY,
  id TEXT NOT NULL);
CREATE TABLE builds(
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  id TEXT NOT NULL,
  state TEXT NOT NULL,
  cached INTEGER NOT NULL,
  seconds REAL NOT NULL,
  dir TEXT NOT NULL,
  PRIMARY KEY (session_id, id));
CREATE TABLE signatures(
  hash TEXT PRIMARY KEY,
  text TEXT NOT NULL,
  tool TEXT NOT NULL,
  kind TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  first_session INTEGER NOT NULL REFERENCES sessions(id),
  last_seen TEXT NOT NULL,
  last_session INTEGER NOT NULL REFERENCES sessions(id),
  count INTEGER NOT NULL);
CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  cell_hash TEXT NOT NULL REFERENCES cells(hash),
  idx INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  exit_code INTEGER,
  signal INTEGER,
  core_dumped INTEGER NOT NULL,
  wall_seconds REAL NOT NULL,
  cpu_seconds REAL NOT NULL,
  peak_rss_bytes INTEGER NOT NULL,
  stdout_bytes INTEGER NOT NULL,
  stderr_bytes INTEGER NOT NULL,
  signature TEXT REFERENCES signatures(hash),
  command TEXT NOT NULL,
  hung_stacks TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  UNIQUE (session_id, cell_hash, idx));
CREATE TABLE crashes(
  run_id INTEGER NOT NULL REFERENCES runs(id),
  position INTEGER NOT NULL,
  signature TEXT NOT NULL REFERENCES signatures(hash),
  tool TEXT NOT NULL,
  kind TEXT NOT NULL,
  location TEXT NOT NULL,
  summary TEXT NOT NULL,
  frames TEXT NOT NULL,
  excerpt TEXT NOT NULL,
  PRIMARY KEY (run_id, position));
CREATE INDEX crashes_by_signature ON crashes(signature);
CREATE TABLE bisect_sessions(
  session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
  key TEXT NOT NULL,
  header TEXT NOT NULL);
CREATE INDEX bisect_sessions_by_key ON bisect_sessions(key);
CREATE TABLE bisect_observations(
  session_id INTEGER NOT NULL REFERENCES sessions(id),
  seq INTEGER NOT NULL,
  x INTEGER NOT NULL,
  y INTEGER,
  runs INTEGER NOT NULL,
  target INTEGER NOT NULL,
  other INTEGER NOT NULL,
  unbuildable INTEGER NOT NULL,
  PRIMARY KEY (session_id, seq));
)sql";

// Version 2: the PR status bot's queue (ci/serve/job_queue.h): webhook
// deliveries already seen and the jobs they queued. IF NOT EXISTS: bots before
// this migration created these tables themselves in version-1 files.
const char* const k_schema_v2 = R"sql(
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

// Version 3: which process is running a session (`run`, `run --resume`), so
// two faultlines never run one session at once. A row outlives a killed
// process; the next claimant checks whether its process still lives.
const char* const k_schema_v3 = R"sql(
CREATE TABLE session_claims(
  session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
  pid INTEGER NOT NULL,
  process_start TEXT NOT NULL,
  host TEXT NOT NULL,
  claimed_at TEXT NOT NULL);
)sql";

// Version 4: a crash whose stack was lost, and why ("core file shared by
// parallel runs", sanitizers::Crash::stack_lost; '' for every crash before), and
// a bisect observation's runs of unknown outcome (such crashes; 0 before).
const char* const k_schema_v4 = R"sql(
ALTER TABLE crashes ADD COLUMN stack_lost TEXT NOT NULL DEFAULT '';
ALTER TABLE bisect_observations ADD COLUMN unknown INTEGER NOT NULL DEFAULT 0;
)sql";

Expected<int> current_version(Database& db) {
  FAULTLINE_TRY(
      const std::int64_t has_meta,
      db.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta'"));
  FAULTLINE_TRY(const std::int64_t tables,
                db.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'table'"));
  FAULTLINE_TRY(const std::int64_t app_id, db.scalar("PRAGMA application_id"));
  if (!has_meta && tables == 0 && app_id == 0) return 0;  // a new, empty file
  if (!has_meta || app_id != k_application_id)
    return fail(
        infrastructure(db.path() +
                       ": an SQLite database, but not faultline's (no faultline meta table); "
                       "name another file with --db"));
  FAULTLINE_TRY(const std::int64_t version, db.scalar("SELECT schema_version FROM meta"));
  return static_cast<int>(version);
}

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> steps = {
      {1, k_schema_v1}, {2, k_schema_v2}, {3, k_schema_v3}, {4, k_schema_v4}};
  return steps;
}

Expected<int> migrate(Database& db, const std::vector<Migration>& steps) {
  FAULTLINE_TRY(Transaction tx, Transaction::begin(db));
  FAULTLINE_TRY(const int version, current_version(db));
  const int latest = steps.empty() ? 0 : steps.back().version;
  if (version > latest)
    return fail(bad_input(db.path() + ": written by a newer faultline (schema version " +
                          std::to_string(version) + "; this one knows up to " +
                          std::to_string(latest) + "); upgrade faultline or use another --db"));
  for (const Migration& m : steps) {
    if (m.version <= version) continue;
    if (auto s = db.exec(m.sql); !s)
      return fail(infrastructure(db.path() + ": migrating to schema version " +
                                 std::to_string(m.version) + ": " +
                                 s.error().message.substr(db.path().size() + 2)));
  }
  if (version < latest) {
    FAULTLINE_TRY(auto set, db.prepare("UPDATE meta SET schema_version = ?1"));
    FAULTLINE_STORE_CHECK(set.bind(1, latest).run());
    FAULTLINE_STORE_CHECK(db.exec("PRAGMA application_id = " + std::to_string(k_application_id)));
  }
  FAULTLINE_STORE_CHECK(tx.commit());
  return latest;
}

}  // namespace faultline::store
