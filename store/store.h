// store/store.h — faultline's results store: one SQLite file (by default
// STATE/faultline.db) in WAL mode holding sessions (each `faultline run` or
// `bisect`), cells, builds, every run as it ended with its crashes, crash
// signatures with first / last sighting and counts, and bisect sessions.
// Writing runs from many workers goes through writer.h; rendering is reporters/'.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/expected.h"
#include "results/records.h"
#include "store/sqlite.h"

namespace faultline::store {

inline constexpr const char* k_db_file_name = "faultline.db";

// "2026-11-22T00:12:19.123Z": UTC with milliseconds; sorts as it reads.
std::string utc_timestamp();

struct NewSession {
  std::string kind = "run";  // "run" or "bisect"
  std::string matrix_name;
  std::string matrix_file;
  std::string fingerprint;  // a hash of the matrix file's text
  std::string started_at;
  std::string shard;  // "K/N" or ""
};

struct SessionInfo {
  std::int64_t id = 0;
  std::string kind;
  std::string matrix_name;
  std::string matrix_file;
  std::string fingerprint;
  std::string started_at;
  std::string finished_at;  // "" while running, or when killed
  std::string shard;
  bool interrupted = false;
  int resumed = 0;  // how many times --resume continued it
  std::int64_t runs = 0;
  std::int64_t crashing_runs = 0;
};

// The process running a session: its pid, its start time as the OS counts it
// (/proc/PID/stat's starttime; "" where unknown), so a reused pid is told apart,
// and its host.
struct Claimant {
  std::int64_t pid = 0;
  std::string process_start;
  std::string host;
  std::string claimed_at;
};

// Whether a recorded claimant still runs (it is given the claim row).
using ClaimantAlive = std::function<bool(const Claimant&)>;

struct StoredBuild {
  std::string id;
  std::string state;  // ok, failed, dependency-failed
  bool cached = false;
  double seconds = 0;
  std::string dir;
};

// A run to record: the cell by its stable hash (matrix::CellTable::hash).
struct RunToStore {
  std::string cell_hash;
  std::string finished_at;
  results::RunRecord record;
};

// One signature's life across every session in the store.
struct SignatureHistory {
  std::string hash, text, tool, kind;
  std::string first_seen, last_seen;
  std::int64_t first_session = 0, last_session = 0;
  std::int64_t count = 0;          // runs that showed it
  std::vector<std::string> cells;  // cell ids, sorted
};

// Where one signature was seen: one session × cell.
struct Sighting {
  std::int64_t session = 0;
  std::string session_kind;
  std::string cell_hash, cell_id;
  std::int64_t runs = 0;  // runs of that cell in that session showing it
  std::string first_seen, last_seen;
};

// A signature as one session saw it (for `report --baseline SESSION`).
struct SessionSignature {
  std::string hash, text, tool, kind;
  std::int64_t runs = 0;
  std::vector<std::string> cells;  // cell hashes
};

struct BisectObservation {
  std::int64_t x = 0;             // index along the (first) searched axis
  std::optional<std::int64_t> y;  // index along the second axis of a 2-D search
  int runs = 0;
  int target = 0;
  int other = 0;
  bool unbuildable = false;
  int unknown = 0;  // runs whose crash lost its stack: neither target nor other, not in `runs`
};

struct BisectSession {
  SessionInfo session;
  std::string key;     // what identifies the search, e.g. the axis ("binding" or "binding,library")
  std::string header;  // the caller's description of the search (JSON text), stored as given
  std::vector<BisectObservation> observations;  // in the order recorded
};

class Store {
 public:
  // Opens the store at `path` (creating it with Database::Mode::create), in WAL
  // mode with synchronous=NORMAL and a busy timeout, migrating it to the
  // current schema. Errors name the file: not SQLite or another program's
  // database → infrastructure (exit 3); from a newer faultline → bad input (2).
  static Expected<std::unique_ptr<Store>> open(const std::string& path,
                                               Database::Mode mode = Database::Mode::create);

  const std::string& path() const { return m_db.path(); }
  Database& database() { return m_db; }

  // Sessions.
  // A new session, claimed by `me` in the same transaction.
  Expected<std::int64_t> begin_session(const NewSession& session, const Claimant& me);
  Expected<std::int64_t> begin_session(const NewSession& session);
  // Claims session `id` for `me`, atomically: nullopt when claimed (it was free,
  // already `me`'s, or its claimant is no longer `alive`), else the live
  // claimant that holds it. release_session gives it up (only `me`'s claim).
  Expected<std::optional<Claimant>> claim_session(std::int64_t id, const Claimant& me,
                                                  const ClaimantAlive& alive);
  Status release_session(std::int64_t id, const Claimant& me);
  Status finish_session(std::int64_t id, const std::string& finished_at, bool interrupted);
  Status mark_resumed(std::int64_t id);
  Expected<std::optional<SessionInfo>> session(std::int64_t id);
  Expected<std::optional<SessionInfo>> latest_session(const std::string& kind);
  Expected<std::vector<SessionInfo>> sessions();  // newest first

  // What a session used.
  Status record_cells(const std::vector<std::pair<std::string, std::string>>& hash_and_id);
  Status record_builds(std::int64_t session, const std::vector<StoredBuild>& builds);

  // Runs: all of `runs` in one transaction (the writer batches into this).
  Status record_runs(std::int64_t session, const std::vector<RunToStore>& runs);
  // The runs a session recorded, for --resume: cells mapped to their index in
  // the current matrix by hash; runs of cells no longer in it are left out.
  Expected<std::vector<results::RunRecord>> runs_of(
      std::int64_t session, const std::map<std::string, std::size_t>& cell_by_hash);
  Expected<std::int64_t> run_count(std::int64_t session);

  // History.
  Expected<std::vector<SignatureHistory>> signatures();                // most recently seen first
  Expected<std::vector<Sighting>> sightings(const std::string& hash);  // oldest first
  Expected<std::vector<SessionSignature>> session_signatures(std::int64_t session);

  // Bisect sessions: a `bisect` session row plus its search key and header.
  Expected<std::int64_t> begin_bisect(const NewSession& session, const std::string& key,
                                      const std::string& header);
  Status set_bisect_header(std::int64_t session, const std::string& header);
  Status add_bisect_observation(std::int64_t session, const BisectObservation& observation);
  Expected<std::optional<BisectSession>> latest_bisect(const std::string& key);

 private:
  explicit Store(Database db) : m_db(std::move(db)) {}
  Status insert_run(std::int64_t session, const RunToStore& run);
  // A statement prepared once per connection, by the address of its SQL literal.
  Expected<Statement*> cached(const char* sql);
  Database m_db;
  std::map<const char*, Statement> m_statements;  // destroyed before m_db
};

}  // namespace faultline::store
