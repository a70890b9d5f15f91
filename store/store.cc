#include "store/store.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "base/time.h"
#include "store/schema.h"

namespace faultline::store {

using nlohmann::json;

namespace {

std::string frames_json(const std::vector<sanitizers::Frame>& frames) {
  json out = json::array();
  for (const auto& f : frames)
    out.push_back({{"function", f.function},
                   {"file", f.file},
                   {"line", f.line},
                   {"module", f.module},
                   {"offset", f.offset}});
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<sanitizers::Frame> frames_from_json(const std::string& text) {
  std::vector<sanitizers::Frame> frames;
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return frames;
  for (const auto& f : j) {
    sanitizers::Frame fr;
    fr.function = f.value("function", "");
    fr.file = f.value("file", "");
    fr.line = f.value("line", 0);
    fr.module = f.value("module", "");
    fr.offset = f.value("offset", std::uint64_t{0});
    frames.push_back(std::move(fr));
  }
  return frames;
}

const char* const k_session_columns =
    "s.id, s.kind, s.matrix_name, s.matrix_file, s.fingerprint, s.started_at, "
    "coalesce(s.finished_at, ''), "
    "coalesce(s.shard, ''), s.interrupted, s.resumed, "
    "(SELECT count(*) FROM runs r WHERE r.session_id = s.id), "
    "(SELECT count(*) FROM runs r WHERE r.session_id = s.id AND r.outcome != 'pass')";

SessionInfo session_from(const Statement& s) {
  SessionInfo i;
  i.id = s.integer(0);
  i.kind = s.text(1);
  i.matrix_name = s.text(2);
  i.matrix_file = s.text(3);
  i.fingerprint = s.text(4);
  i.started_at = s.text(5);
  i.finished_at = s.text(6);
  i.shard = s.text(7);
  i.interrupted = s.integer(8) != 0;
  i.resumed = static_cast<int>(s.integer(9));
  i.runs = s.integer(10);
  i.crashing_runs = s.integer(11);
  return i;
}

Expected<std::vector<SessionInfo>> query_sessions(Database& db, const std::string& where,
                                                  const std::string& arg) {
  FAULTLINE_TRY(Statement s, db.prepare(std::string("SELECT ") + k_session_columns +
                                        " FROM sessions s " + where));
  if (!arg.empty()) s.bind(1, arg);
  std::vector<SessionInfo> out;
  while (true) {
    FAULTLINE_TRY(const bool row, s.step());
    if (!row) break;
    out.push_back(session_from(s));
  }
  return out;
}

Expected<std::optional<SessionInfo>> first_of(Expected<std::vector<SessionInfo>> found) {
  if (!found) return fail(found.error());
  if (found->empty()) return std::optional<SessionInfo>();
  return std::optional<SessionInfo>(found->front());
}

std::vector<std::string> split_cells(const std::string& joined) {
  std::set<std::string> cells;
  std::size_t start = 0;
  while (start < joined.size()) {
    std::size_t end = joined.find('\x1f', start);
    if (end == std::string::npos) end = joined.size();
    cells.insert(joined.substr(start, end - start));
    start = end + 1;
  }
  return {cells.begin(), cells.end()};
}

Status write_claim(Database& db, std::int64_t session, const Claimant& me) {
  FAULTLINE_TRY(Statement s,
                db.prepare("INSERT OR REPLACE INTO session_claims(session_id, pid, process_start, "
                           "host, claimed_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
  return s.bind_all(session, me.pid, me.process_start, me.host, utc_timestamp()).run();
}

// The refusal of a damaged file, `why` naming who found the damage (docs/store.md):
// "SQLite: database disk image is malformed" when SQLite cannot read the file,
// "SQLite's quick_check: …" when it reads but PRAGMA quick_check finds a fault.
Error damaged_store(const std::string& path, const std::string& why) {
  return infrastructure(path + ": the results store is damaged (" + why +
                        "); move it aside or name another file with --db");
}

bool is_malformed(const std::string& sqlite_message) {
  return sqlite_message.find("malformed") != std::string::npos;
}

// PRAGMA quick_check: a damaged file is refused before any work is done on it.
Status check_intact(Database& db) {
  auto refused = [&](const Error& e) {
    if (!is_malformed(e.message)) return fail(e);
    return fail(damaged_store(db.path(), "SQLite: " + e.message.substr(db.path().size() + 2)));
  };
  auto check = db.prepare("PRAGMA quick_check(1)");
  if (!check) return refused(check.error());
  auto row = check->step();
  if (!row) return refused(row.error());
  std::string verdict = *row ? check->text(0) : "no answer";
  for (std::size_t nl = verdict.find('\n'); nl != std::string::npos; nl = verdict.find('\n', nl))
    verdict.replace(nl, 1, " ");  // one line: "*** in database main *** Page 19: …"
  if (verdict != "ok") return fail(damaged_store(db.path(), "SQLite's quick_check: " + verdict));
  return Ok{};
}

}  // namespace

std::string utc_timestamp() { return utc_timestamp_ms(); }

Expected<std::unique_ptr<Store>> Store::open(const std::string& path, Database::Mode mode) {
  FAULTLINE_TRY(Database db, Database::open(path, mode));
  // The first statement reads the file: a file that is not SQLite fails here.
  if (auto wal = db.exec("PRAGMA journal_mode = WAL"); !wal) {
    const std::string why = wal.error().message.substr(wal.error().message.rfind(": ") + 2);
    if (is_malformed(why)) return fail(damaged_store(path, "SQLite: " + why));
    return fail(infrastructure(path + ": cannot use as faultline's results store: " + why +
                               " (name another file with --db)"));
  }
  FAULTLINE_STORE_CHECK(db.exec("PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = " +
                                std::to_string(k_busy_timeout_ms) + "; PRAGMA foreign_keys = ON"));
  FAULTLINE_STORE_CHECK(check_intact(db));
  FAULTLINE_STORE_CHECK(migrate(db));
  return std::unique_ptr<Store>(new Store(std::move(db)));
}

Expected<std::int64_t> Store::begin_session(const NewSession& n) {
  FAULTLINE_TRY(Statement s,
                m_db.prepare("INSERT INTO sessions(kind, matrix_name, matrix_file, fingerprint, "
                             "started_at, shard) VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, ''))"));
  FAULTLINE_STORE_CHECK(
      s.bind_all(n.kind, n.matrix_name, n.matrix_file, n.fingerprint, n.started_at, n.shard).run());
  return m_db.last_insert_rowid();
}

Expected<std::int64_t> Store::begin_session(const NewSession& n, const Claimant& me) {
  FAULTLINE_TRY(Transaction tx, Transaction::begin(m_db));
  FAULTLINE_TRY(const std::int64_t id, begin_session(n));
  FAULTLINE_STORE_CHECK(write_claim(m_db, id, me));
  FAULTLINE_STORE_CHECK(tx.commit());
  return id;
}

Expected<std::optional<Claimant>> Store::claim_session(std::int64_t id, const Claimant& me,
                                                       const ClaimantAlive& alive) {
  FAULTLINE_TRY(Transaction tx, Transaction::begin(m_db));
  FAULTLINE_TRY(Statement held,
                m_db.prepare("SELECT pid, process_start, host, claimed_at FROM session_claims "
                             "WHERE session_id = ?1"));
  FAULTLINE_TRY(const bool row, held.bind_all(id).step());
  if (row) {
    Claimant c{held.integer(0), held.text(1), held.text(2), held.text(3)};
    const bool mine = c.pid == me.pid && c.process_start == me.process_start && c.host == me.host;
    if (!mine && alive(c)) return std::optional<Claimant>(c);
  }
  held.reset();
  FAULTLINE_STORE_CHECK(write_claim(m_db, id, me));
  FAULTLINE_STORE_CHECK(tx.commit());
  return std::optional<Claimant>();
}

Status Store::release_session(std::int64_t id, const Claimant& me) {
  FAULTLINE_TRY(Statement s,
                m_db.prepare("DELETE FROM session_claims WHERE session_id = ?1 AND pid = ?2 "
                             "AND process_start = ?3 AND host = ?4"));
  return s.bind_all(id, me.pid, me.process_start, me.host).run();
}

Status Store::finish_session(std::int64_t id, const std::string& finished_at, bool interrupted) {
  FAULTLINE_TRY(
      Statement s,
      m_db.prepare("UPDATE sessions SET finished_at = ?1, interrupted = ?2 WHERE id = ?3"));
  return s.bind_all(finished_at, interrupted, id).run();
}

Status Store::mark_resumed(std::int64_t id) {
  FAULTLINE_TRY(Statement s,
                m_db.prepare("UPDATE sessions SET resumed = resumed + 1, finished_at = NULL, "
                             "interrupted = 0 WHERE id = ?1"));
  return s.bind_all(id).run();
}

Expected<std::optional<SessionInfo>> Store::session(std::int64_t id) {
  return first_of(query_sessions(m_db, "WHERE s.id = " + std::to_string(id), ""));
}

Expected<std::optional<SessionInfo>> Store::latest_session(const std::string& kind) {
  return first_of(query_sessions(m_db, "WHERE s.kind = ?1 ORDER BY s.id DESC LIMIT 1", kind));
}

Expected<std::vector<SessionInfo>> Store::sessions() {
  return query_sessions(m_db, "ORDER BY s.id DESC", "");
}

Status Store::record_cells(const std::vector<std::pair<std::string, std::string>>& cells) {
  FAULTLINE_TRY(Transaction tx, Transaction::begin(m_db));
  FAULTLINE_TRY(Statement s, m_db.prepare("INSERT INTO cells(hash, id) VALUES (?1, ?2) "
                                          "ON CONFLICT(hash) DO UPDATE SET id = excluded.id"));
  for (const auto& [hash, id] : cells) FAULTLINE_STORE_CHECK(s.bind_all(hash, id).run());
  return tx.commit();
}

Status Store::record_builds(std::int64_t session, const std::vector<StoredBuild>& builds) {
  FAULTLINE_TRY(Transaction tx, Transaction::begin(m_db));
  FAULTLINE_TRY(
      Statement s,
      m_db.prepare("INSERT OR REPLACE INTO builds(session_id, id, state, cached, seconds, dir) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  for (const auto& b : builds)
    FAULTLINE_STORE_CHECK(s.bind_all(session, b.id, b.state, b.cached, b.seconds, b.dir).run());
  return tx.commit();
}

Status Store::record_runs(std::int64_t session, const std::vector<RunToStore>& runs) {
  FAULTLINE_TRY(Transaction tx, Transaction::begin(m_db));
  for (const auto& run : runs) FAULTLINE_STORE_CHECK(insert_run(session, run));
  return tx.commit();
}

Status Store::insert_run(std::int64_t session, const RunToStore& run) {
  const results::RunRecord& r = run.record;
  // Every signature first, so runs and crashes can refer to it.
  std::set<std::string> seen;
  for (const auto& c : r.crashes) {
    if (!seen.insert(c.signature.hash).second) continue;
    FAULTLINE_TRY(
        Statement * sig,
        cached("INSERT INTO signatures(hash, text, tool, kind, first_seen, first_session, "
               "last_seen, last_session, count) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?6, 1) ON CONFLICT(hash) DO UPDATE SET "
               "last_seen = max(last_seen, excluded.last_seen), last_session = "
               "excluded.last_session, count = count + 1"));
    FAULTLINE_STORE_CHECK(
        sig->bind_all(c.signature.hash, c.signature.text, c.tool, c.kind, run.finished_at, session)
            .run());
  }
  FAULTLINE_TRY(Statement * s, cached("INSERT INTO runs(session_id, cell_hash, idx, outcome, "
                                      "exit_code, signal, core_dumped, wall_seconds, "
                                      "cpu_seconds, peak_rss_bytes, stdout_bytes, stderr_bytes, "
                                      "signature, command, hung_stacks, finished_at) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                                      "nullif(?13, ''), ?14, ?15, ?16)"));
  s->bind_all(session, run.cell_hash, r.index, r.outcome, r.exit_code, r.signal, r.core_dumped,
              r.wall_seconds, r.cpu_seconds, r.peak_rss_bytes, r.stdout_bytes, r.stderr_bytes,
              r.crashes.empty() ? std::string() : r.crashes.front().signature.hash, r.command,
              r.hung_stacks, run.finished_at);
  FAULTLINE_STORE_CHECK(s->run());
  const std::int64_t run_id = m_db.last_insert_rowid();
  FAULTLINE_TRY(Statement * crash, cached("INSERT INTO crashes(run_id, position, signature, tool, "
                                          "kind, location, summary, frames, excerpt, "
                                          "stack_lost) "
                                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  for (std::size_t i = 0; i < r.crashes.size(); ++i) {
    const auto& c = r.crashes[i];
    FAULTLINE_STORE_CHECK(crash
                              ->bind_all(run_id, static_cast<std::int64_t>(i), c.signature.hash,
                                         c.tool, c.kind, c.location, c.summary,
                                         frames_json(c.frames), c.excerpt, c.stack_lost)
                              .run());
  }
  return Ok{};
}

Expected<Statement*> Store::cached(const char* sql) {
  auto it = m_statements.find(sql);
  if (it != m_statements.end()) return &it->second;
  FAULTLINE_TRY(Statement s, m_db.prepare(sql));
  return &m_statements.emplace(sql, std::move(s)).first->second;
}

Expected<std::vector<results::RunRecord>> Store::runs_of(
    std::int64_t session, const std::map<std::string, std::size_t>& cell_by_hash) {
  FAULTLINE_TRY(Statement s, m_db.prepare("SELECT id, cell_hash, idx, outcome, exit_code, signal, "
                                          "core_dumped, wall_seconds, cpu_seconds, peak_rss_bytes, "
                                          "stdout_bytes, stderr_bytes, command, hung_stacks FROM "
                                          "runs WHERE session_id = ?1 ORDER BY id"));
  s.bind(1, session);
  FAULTLINE_TRY(Statement crashes,
                m_db.prepare("SELECT c.signature, coalesce(g.text, ''), c.tool, c.kind, "
                             "c.location, c.summary, c.frames, c.excerpt, c.stack_lost "
                             "FROM crashes c LEFT JOIN signatures g ON g.hash = c.signature WHERE "
                             "c.run_id = ?1 ORDER BY c.position"));
  std::vector<results::RunRecord> out;
  while (true) {
    FAULTLINE_TRY(const bool row, s.step());
    if (!row) break;
    auto cell = cell_by_hash.find(s.text(1));
    if (cell == cell_by_hash.end()) continue;
    results::RunRecord r;
    r.cell = cell->second;
    r.index = static_cast<int>(s.integer(2));
    r.outcome = s.text(3);
    r.exit_code = s.optional_int(4);
    r.signal = s.optional_int(5);
    r.core_dumped = s.integer(6) != 0;
    r.wall_seconds = s.real(7);
    r.cpu_seconds = s.real(8);
    r.peak_rss_bytes = s.integer(9);
    r.stdout_bytes = static_cast<std::uint64_t>(s.integer(10));
    r.stderr_bytes = static_cast<std::uint64_t>(s.integer(11));
    r.command = s.text(12);
    r.hung_stacks = s.text(13);
    crashes.bind(1, s.integer(0));
    while (true) {
      FAULTLINE_TRY(const bool crow, crashes.step());
      if (!crow) break;
      sanitizers::Crash c;
      c.signature.hash = crashes.text(0);
      c.signature.text = crashes.text(1);
      c.tool = crashes.text(2);
      c.kind = crashes.text(3);
      c.location = crashes.text(4);
      c.summary = crashes.text(5);
      c.frames = frames_from_json(crashes.text(6));
      c.excerpt = crashes.text(7);
      c.stack_lost = crashes.text(8);
      r.crashes.push_back(std::move(c));
    }
    crashes.reset();
    out.push_back(std::move(r));
  }
  return out;
}

Expected<std::int64_t> Store::run_count(std::int64_t session) {
  return m_db.scalar("SELECT count(*) FROM runs WHERE session_id = " + std::to_string(session));
}

Expected<std::vector<SignatureHistory>> Store::signatures() {
  FAULTLINE_TRY(Statement s,
                m_db.prepare("SELECT g.hash, g.text, g.tool, g.kind, g.first_seen, "
                             "g.first_session, g.last_seen, g.last_session, g.count, "
                             "(SELECT group_concat(cid, char(31)) FROM (SELECT DISTINCT "
                             "coalesce(c.id, r.cell_hash) AS cid FROM crashes x "
                             "JOIN runs r ON r.id = x.run_id LEFT JOIN cells c ON c.hash = "
                             "r.cell_hash WHERE x.signature = g.hash)) "
                             "FROM signatures g ORDER BY g.last_seen DESC, g.hash"));
  std::vector<SignatureHistory> out;
  while (true) {
    FAULTLINE_TRY(const bool row, s.step());
    if (!row) break;
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(6), s.integer(5),
                   s.integer(7), s.integer(8), split_cells(s.text(9))});
  }
  return out;
}

Expected<std::vector<Sighting>> Store::sightings(const std::string& hash) {
  FAULTLINE_TRY(
      Statement s,
      m_db.prepare(
          "SELECT r.session_id, se.kind, r.cell_hash, coalesce(c.id, r.cell_hash), count(DISTINCT "
          "r.id), "
          "min(r.finished_at), max(r.finished_at) FROM crashes x JOIN runs r ON r.id = x.run_id "
          "JOIN sessions se ON se.id = r.session_id LEFT JOIN cells c ON c.hash = r.cell_hash "
          "WHERE x.signature = ?1 GROUP BY r.session_id, r.cell_hash ORDER BY min(r.finished_at), "
          "r.cell_hash"));
  s.bind(1, hash);
  std::vector<Sighting> out;
  while (true) {
    FAULTLINE_TRY(const bool row, s.step());
    if (!row) break;
    out.push_back(
        {s.integer(0), s.text(1), s.text(2), s.text(3), s.integer(4), s.text(5), s.text(6)});
  }
  return out;
}

Expected<std::vector<SessionSignature>> Store::session_signatures(std::int64_t session) {
  FAULTLINE_TRY(
      Statement s,
      m_db.prepare(
          "SELECT g.hash, g.text, g.tool, g.kind, count(DISTINCT r.id), group_concat(DISTINCT "
          "r.cell_hash) "
          "FROM crashes x JOIN runs r ON r.id = x.run_id JOIN signatures g ON g.hash = x.signature "
          "WHERE r.session_id = ?1 GROUP BY g.hash ORDER BY g.hash"));
  s.bind(1, session);
  std::vector<SessionSignature> out;
  while (true) {
    FAULTLINE_TRY(const bool row, s.step());
    if (!row) break;
    std::string joined = s.text(5);
    std::replace(joined.begin(), joined.end(), ',', '\x1f');
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4), split_cells(joined)});
  }
  return out;
}

Expected<std::int64_t> Store::begin_bisect(const NewSession& session, const std::string& key,
                                           const std::string& header) {
  FAULTLINE_TRY(Transaction tx, Transaction::begin(m_db));
  NewSession bisect = session;
  bisect.kind = "bisect";
  FAULTLINE_TRY(const std::int64_t id, begin_session(bisect));
  FAULTLINE_TRY(
      Statement s,
      m_db.prepare("INSERT INTO bisect_sessions(session_id, key, header) VALUES (?1, ?2, ?3)"));
  FAULTLINE_STORE_CHECK(s.bind_all(id, key, header).run());
  FAULTLINE_STORE_CHECK(tx.commit());
  return id;
}

Status Store::set_bisect_header(std::int64_t session, const std::string& header) {
  FAULTLINE_TRY(Statement s,
                m_db.prepare("UPDATE bisect_sessions SET header = ?1 WHERE session_id = ?2"));
  return s.bind_all(header, session).run();
}

Status Store::add_bisect_observation(std::int64_t session, const BisectObservation& o) {
  FAULTLINE_TRY(Statement s,
                m_db.prepare("INSERT INTO bisect_observations(session_id, seq, x, y, runs, target, "
                             "other, unbuildable, unknown) VALUES (?1, "
                             "(SELECT coalesce(max(seq), 0) + 1 FROM bisect_observations WHERE "
                             "session_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  s.bind_all(session, o.x);
  if (o.y)
    s.bind(3, *o.y);
  else
    s.bind_null(3);
  s.bind(4, o.runs).bind(5, o.target).bind(6, o.other).bind(7, o.unbuildable).bind(8, o.unknown);
  return s.run();
}

Expected<std::optional<BisectSession>> Store::latest_bisect(const std::string& key) {
  FAULTLINE_TRY(Statement s, m_db.prepare("SELECT session_id, header FROM bisect_sessions WHERE "
                                          "key = ?1 ORDER BY session_id DESC LIMIT 1"));
  s.bind(1, key);
  FAULTLINE_TRY(const bool row, s.step());
  if (!row) return std::optional<BisectSession>();
  BisectSession b;
  b.key = key;
  b.header = s.text(1);
  FAULTLINE_TRY(auto info, session(s.integer(0)));
  if (info) b.session = *info;
  FAULTLINE_TRY(
      Statement o,
      m_db.prepare(
          "SELECT x, y, runs, target, other, unbuildable, unknown FROM bisect_observations "
          "WHERE session_id = ?1 ORDER BY seq"));
  o.bind(1, b.session.id);
  while (true) {
    FAULTLINE_TRY(const bool orow, o.step());
    if (!orow) break;
    BisectObservation ob;
    ob.x = o.integer(0);
    if (!o.is_null(1)) ob.y = o.integer(1);
    ob.runs = static_cast<int>(o.integer(2));
    ob.target = static_cast<int>(o.integer(3));
    ob.other = static_cast<int>(o.integer(4));
    ob.unbuildable = o.integer(5) != 0;
    ob.unknown = static_cast<int>(o.integer(6));
    b.observations.push_back(ob);
  }
  return std::optional<BisectSession>(std::move(b));
}

}  // namespace faultline::store
