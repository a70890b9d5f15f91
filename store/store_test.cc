// The store against a real SQLite file in a scratch directory: schema and
// migrations, refusing foreign or newer files, a reopen that loses nothing,
// signature history across sessions, and bisect sessions.
#include "store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "base/testing/scratch_dir.h"
#include "store/schema.h"

namespace faultline::store {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class StoreTest : public testing::ScratchTest {
 protected:
  StoreTest() : ScratchTest("store"), m_path((m_dir / "faultline.db").string()) {}
  std::unique_ptr<Store> open_store() {
    auto s = Store::open(m_path);
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(s).value() : nullptr;
  }
  // A statement run on a separate, plain sqlite3 connection (as another program would).
  void raw(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(m_path.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }
  const std::string m_path;  // DIR/faultline.db
};

results::RunRecord crash_run(int index, const std::string& signature, const std::string& text) {
  results::RunRecord r;
  r.index = index;
  r.outcome = "crash";
  r.signal = 6;
  r.wall_seconds = 0.25;
  r.command = "./bug 3";
  sanitizers::Crash c;
  c.tool = "asan";
  c.kind = "heap-use-after-free";
  c.signature.hash = signature;
  c.signature.text = text;
  c.location = "bug.c:5";
  c.summary = "SUMMARY: AddressSanitizer: heap-use-after-free bug.c:5 in main";
  c.excerpt = "==1==ERROR: AddressSanitizer: heap-use-after-free\n    #0 0x1 in main bug.c:5\n";
  c.frames.push_back({"main", "bug.c", 5, "bug", 0x11, ""});
  r.crashes.push_back(c);
  return r;
}

results::RunRecord pass_run(int index) {
  results::RunRecord r;
  r.index = index;
  r.outcome = "pass";
  r.exit_code = 0;
  r.wall_seconds = 0.1;
  return r;
}

std::int64_t session(Store& s, const std::string& fingerprint = "f1") {
  auto id = s.begin_session({"run", "m", "faultline.yaml", fingerprint, utc_timestamp(), ""});
  EXPECT_TRUE(id) << id.error().message;
  EXPECT_TRUE(s.record_cells({{"aaaa0001", "lib=1"}, {"aaaa0002", "lib=2"}}));
  return id ? *id : 0;
}

TEST_F(StoreTest, ANewFileGetsTheCurrentSchemaInWalMode) {
  auto s = open_store();
  ASSERT_TRUE(s);
  EXPECT_EQ(*s->database().scalar("SELECT schema_version FROM meta"), migrations().back().version);
  EXPECT_EQ(*s->database().scalar("PRAGMA application_id"), k_application_id);
  auto mode = s->database().prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode);
  ASSERT_TRUE(*mode->step());
  EXPECT_EQ(mode->text(0), "wal");
  // Opening again migrates nothing and keeps the version.
  s.reset();
  auto again = open_store();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again->database().scalar("SELECT count(*) FROM meta"), 1);
}

TEST_F(StoreTest, ReopeningLosesNothing) {
  {
    auto s = open_store();
    const auto id = session(*s);
    ASSERT_TRUE(s->record_runs(
        id, {{"aaaa0001", "2026-11-22T00:00:01.000Z", pass_run(0)},
             {"aaaa0002", "2026-11-22T00:00:02.000Z", crash_run(0, "abc123", "asan uaf: main")}}));
  }
  auto s = open_store();
  auto latest = s->latest_session("run");
  ASSERT_TRUE(latest && *latest);
  EXPECT_EQ((*latest)->fingerprint, "f1");
  EXPECT_EQ((*latest)->runs, 2);
  EXPECT_EQ((*latest)->crashing_runs, 1);
  auto runs = s->runs_of((*latest)->id, {{"aaaa0001", 7}, {"aaaa0002", 9}});
  ASSERT_TRUE(runs) << runs.error().message;
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].cell, 7u);
  EXPECT_EQ((*runs)[0].exit_code, 0);
  const results::RunRecord& r = (*runs)[1];
  EXPECT_EQ(r.cell, 9u);
  EXPECT_EQ(r.outcome, "crash");
  EXPECT_EQ(r.signal, 6);
  EXPECT_FALSE(r.exit_code);
  EXPECT_EQ(r.command, "./bug 3");
  ASSERT_EQ(r.crashes.size(), 1u);
  EXPECT_EQ(r.crashes[0].signature.hash, "abc123");
  EXPECT_EQ(r.crashes[0].signature.text, "asan uaf: main");
  EXPECT_EQ(r.crashes[0].excerpt, crash_run(0, "", "").crashes[0].excerpt);
  ASSERT_EQ(r.crashes[0].frames.size(), 1u);
  EXPECT_EQ(r.crashes[0].frames[0].function, "main");
  EXPECT_EQ(r.crashes[0].frames[0].line, 5);
  EXPECT_EQ(r.crashes[0].frames[0].offset, 0x11u);
  // Runs of cells the matrix no longer has are left out.
  EXPECT_EQ(s->runs_of((*latest)->id, {{"aaaa0001", 0}})->size(), 1u);
}

TEST_F(StoreTest, ARunIsRecordedOnceAndABatchIsAllOrNothing) {
  auto s = open_store();
  const auto id = session(*s);
  ASSERT_TRUE(s->record_runs(id, {{"aaaa0001", utc_timestamp(), pass_run(0)}}));
  auto again = s->record_runs(
      id, {{"aaaa0001", utc_timestamp(), pass_run(1)}, {"aaaa0001", utc_timestamp(), pass_run(0)}});
  ASSERT_FALSE(again);
  EXPECT_THAT(again.error().message, HasSubstr(m_path));
  EXPECT_THAT(again.error().message, HasSubstr("UNIQUE constraint failed"));
  EXPECT_EQ(*s->run_count(id), 1);  // run 1 was rolled back with its batch
}

TEST_F(StoreTest, NoErrorQuotesAnSqlStatement) {
  auto s = open_store();
  ASSERT_TRUE(s);
  auto exec = s->database().exec("INSERT INTO nowhere VALUES (1)");
  ASSERT_FALSE(exec);
  EXPECT_EQ(exec.error().message, m_path + ": no such table: nowhere");
  auto prepared = s->database().prepare("SELECT * FROM nowhere");
  ASSERT_FALSE(prepared);
  EXPECT_EQ(prepared.error().message, m_path + ": no such table: nowhere");
  const auto id = session(*s);
  ASSERT_TRUE(s->record_runs(id, {{"aaaa0001", utc_timestamp(), pass_run(0)}}));
  auto twice = s->record_runs(id, {{"aaaa0001", utc_timestamp(), pass_run(0)}});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message,
            m_path + ": UNIQUE constraint failed: runs.session_id, runs.cell_hash, runs.idx");
}

TEST_F(StoreTest, ASessionIsClaimedByOneLiveProcessAtATime) {
  auto s = open_store();
  ASSERT_TRUE(s);
  const Claimant me{100, "5000", "host-a", ""}, other{200, "6000", "host-a", ""};
  const auto id = s->begin_session({"run", "m", "faultline.yaml", "f1", utc_timestamp(), ""}, me);
  ASSERT_TRUE(id) << id.error().message;
  bool other_alive = true;
  auto alive = [&](const Claimant& c) { return c.pid == 200 ? other_alive : true; };
  auto held = s->claim_session(*id, other, alive);
  ASSERT_TRUE(held);
  ASSERT_TRUE(held->has_value());  // me holds it
  EXPECT_EQ((*held)->pid, 100);
  EXPECT_EQ((*held)->host, "host-a");
  EXPECT_FALSE((*s->claim_session(*id, me, alive)).has_value());  // claiming again is fine
  ASSERT_TRUE(s->release_session(*id, me));
  EXPECT_FALSE((*s->claim_session(*id, other, alive)).has_value());  // free: other takes it
  auto back = s->claim_session(*id, me, alive);
  ASSERT_TRUE(back && back->has_value());
  EXPECT_EQ((*back)->pid, 200);
  other_alive = false;  // other was killed: its claim is taken over
  EXPECT_FALSE((*s->claim_session(*id, me, alive)).has_value());
  EXPECT_EQ(*s->database().scalar("SELECT pid FROM session_claims"), 100);
  ASSERT_TRUE(s->release_session(*id, other));  // not other's any more: nothing happens
  EXPECT_EQ(*s->database().scalar("SELECT count(*) FROM session_claims"), 1);
}

TEST_F(StoreTest, SignaturesKeepFirstAndLastSightingAcrossSessions) {
  auto s = open_store();
  const auto first = session(*s);
  ASSERT_TRUE(s->record_runs(
      first, {{"aaaa0002", "2026-11-22T00:00:01.000Z", crash_run(0, "abc123", "t")},
              {"aaaa0002", "2026-11-22T00:00:02.000Z", crash_run(1, "abc123", "t")}}));
  const auto second = session(*s);
  ASSERT_TRUE(s->record_runs(
      second, {{"aaaa0001", "2026-11-22T01:00:00.000Z", crash_run(0, "abc123", "t")},
               {"aaaa0002", "2026-11-22T01:00:01.000Z", crash_run(0, "def456", "u")}}));
  auto history = s->signatures();
  ASSERT_TRUE(history) << history.error().message;
  ASSERT_EQ(history->size(), 2u);
  const SignatureHistory& abc = (*history)[1];  // most recently seen first: def456 at 01:00:01
  EXPECT_EQ(abc.hash, "abc123");
  EXPECT_EQ(abc.first_seen, "2026-11-22T00:00:01.000Z");
  EXPECT_EQ(abc.first_session, first);
  EXPECT_EQ(abc.last_seen, "2026-11-22T01:00:00.000Z");
  EXPECT_EQ(abc.last_session, second);
  EXPECT_EQ(abc.count, 3);
  EXPECT_THAT(abc.cells, ElementsAre("lib=1", "lib=2"));
  auto seen = s->sightings("abc123");
  ASSERT_TRUE(seen);
  ASSERT_EQ(seen->size(), 2u);
  EXPECT_EQ((*seen)[0].session, first);
  EXPECT_EQ((*seen)[0].cell_id, "lib=2");
  EXPECT_EQ((*seen)[0].runs, 2);
  EXPECT_EQ((*seen)[1].session, second);
  EXPECT_EQ((*seen)[1].cell_id, "lib=1");
  auto of_second = s->session_signatures(second);
  ASSERT_TRUE(of_second);
  ASSERT_EQ(of_second->size(), 2u);
  EXPECT_EQ((*of_second)[0].hash, "abc123");
  EXPECT_THAT((*of_second)[0].cells, ElementsAre("aaaa0001"));
  EXPECT_EQ((*of_second)[1].hash, "def456");
}

TEST_F(StoreTest, AFileThatIsNotSqliteIsRefusedByName) {
  std::ofstream(m_path) << "this is a results.json, not a database\n" << std::string(4096, 'x');
  auto s = Store::open(m_path);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::infrastructure);
  EXPECT_EQ(s.error().message,
            m_path +
                ": cannot use as faultline's results store: file is not a database "
                "(name another file with --db)");
}

TEST_F(StoreTest, AnotherProgramsDatabaseIsRefused) {
  raw("CREATE TABLE accounts(id INTEGER PRIMARY KEY, name TEXT)");
  auto s = Store::open(m_path);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::infrastructure);
  EXPECT_EQ(s.error().message, m_path +
                                   ": an SQLite database, but not faultline's (no faultline meta "
                                   "table); name another file with --db");
  raw("SELECT * FROM accounts");  // left as it was
}

TEST_F(StoreTest, AFileFromANewerFaultlineIsBadInput) {
  open_store().reset();
  raw("UPDATE meta SET schema_version = 99");
  auto s = Store::open(m_path);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::bad_input);
  EXPECT_EQ(s.error().message,
            m_path + ": written by a newer faultline (schema version 99; this one knows up to " +
                std::to_string(migrations().back().version) +
                "); upgrade faultline or use another --db");
}

TEST_F(StoreTest, AMissingFileIsBadInputWhenItMustExist) {
  auto s = Store::open(m_path, Database::Mode::existing);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::bad_input);
  EXPECT_THAT(s.error().message, HasSubstr(m_path + ": no results store here"));
  EXPECT_FALSE(fs::exists(m_path));
}

TEST_F(StoreTest, MigrationsApplyOnlyTheMissingStepsAndAFailedOneChangesNothing) {
  auto db = Database::open(m_path, Database::Mode::create);
  ASSERT_TRUE(db);
  const std::vector<Migration> v1 = {
      {1,
       "CREATE TABLE meta(schema_version INTEGER NOT NULL); INSERT INTO meta VALUES (0);"
       "CREATE TABLE t(a INTEGER); INSERT INTO t VALUES (1);"}};
  ASSERT_EQ(*migrate(*db, v1), 1);
  std::vector<Migration> v2 = v1;
  v2.push_back({2, "ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'"});
  ASSERT_EQ(*migrate(*db, v2), 2);
  EXPECT_EQ(*db->scalar("SELECT count(*) FROM t WHERE a = 1 AND b = 'x'"),
            1);  // v1's row kept, step 1 not rerun
  std::vector<Migration> broken = v2;
  broken.push_back({3, "CREATE TABLE u(c INTEGER); INSERT INTO nowhere VALUES (1);"});
  auto failed = migrate(*db, broken);
  ASSERT_FALSE(failed);
  EXPECT_THAT(failed.error().message, HasSubstr(m_path + ": migrating to schema version 3: "));
  EXPECT_THAT(failed.error().message, HasSubstr("no such table: nowhere"));
  EXPECT_EQ(*db->scalar("SELECT schema_version FROM meta"), 2);
  EXPECT_EQ(*db->scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'u'"), 0);
}

// A crash whose core was lost keeps its mark; a file from before the mark (schema 3)
// gains the column, and its crashes read back unmarked.
TEST_F(StoreTest, ALostStackIsKeptAndASchema3FileGainsTheColumn) {
  {
    auto db = Database::open(m_path, Database::Mode::create);
    ASSERT_TRUE(db);
    const std::vector<Migration> v3(migrations().begin(), migrations().begin() + 3);
    ASSERT_EQ(*migrate(*db, v3), 3);
  }
  raw("INSERT INTO sessions VALUES (1, 'run', 'm', 'faultline.yaml', 'f1', "
      "'2026-11-29T00:00:00.000Z', NULL, NULL, 0, 0);"
      "INSERT INTO cells VALUES ('aaaa0001', 'lib=1');"
      "INSERT INTO signatures VALUES ('abc123', 'signal SIGSEGV', 'signal', 'SIGSEGV', "
      "'2026-11-29T00:00:01.000Z', 1, '2026-11-29T00:00:01.000Z', 1, 1);"
      "INSERT INTO runs VALUES (1, 1, 'aaaa0001', 0, 'crash', NULL, 11, 1, 0.1, 0.1, 0, 0, 0, "
      "'abc123', './bug', '', '2026-11-29T00:00:01.000Z');"
      "INSERT INTO crashes VALUES (1, 0, 'abc123', 'signal', 'SIGSEGV', '', 'killed', '[]', '');");
  auto s = open_store();
  EXPECT_EQ(*s->database().scalar("SELECT schema_version FROM meta"), 4);
  results::RunRecord lost = crash_run(1, "abc123", "signal SIGSEGV");
  lost.crashes[0].stack_lost = "core file shared by parallel runs";
  ASSERT_TRUE(s->record_runs(1, {{"aaaa0001", "2026-11-29T00:00:02.000Z", lost}}));
  auto runs = s->runs_of(1, {{"aaaa0001", 0}});
  ASSERT_TRUE(runs) << runs.error().message;
  ASSERT_EQ(runs->size(), 2u);
  ASSERT_EQ((*runs)[0].crashes.size(), 1u);
  EXPECT_EQ((*runs)[0].crashes[0].summary, "killed");
  EXPECT_EQ((*runs)[0].crashes[0].stack_lost, "");
  ASSERT_EQ((*runs)[1].crashes.size(), 1u);
  EXPECT_EQ((*runs)[1].crashes[0].stack_lost, "core file shared by parallel runs");
  EXPECT_EQ(*s->database().scalar("SELECT count(*) FROM pragma_table_info('bisect_observations') "
                                  "WHERE name = 'unknown' AND dflt_value = '0'"),
            1);
}

TEST_F(StoreTest, BisectSessionsKeepTheirHeaderAndObservationsInOrder) {
  auto s = open_store();
  auto id = s->begin_bisect({"bisect", "m", "faultline.yaml", "f1", utc_timestamp(), ""}, "binding",
                            R"({"axis":"binding"})");
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_TRUE(s->set_bisect_header(*id, R"({"axis":"binding","target":"abc"})"));
  BisectObservation a{4, std::nullopt, 20, 1, 0, false, 1}, b{2, 3, 40, 0, 2, false},
      c{3, std::nullopt, 0, 0, 0, true};
  for (const auto& o : {a, b, c}) ASSERT_TRUE(s->add_bisect_observation(*id, o));
  s.reset();
  auto reopened = open_store();
  auto found = reopened->latest_bisect("binding");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->session.id, *id);
  EXPECT_EQ((*found)->session.kind, "bisect");
  EXPECT_EQ((*found)->header, R"({"axis":"binding","target":"abc"})");
  ASSERT_EQ((*found)->observations.size(), 3u);
  EXPECT_EQ((*found)->observations[0].x, 4);
  EXPECT_EQ((*found)->observations[0].target, 1);
  EXPECT_EQ((*found)->observations[0].unknown, 1);
  EXPECT_EQ((*found)->observations[1].unknown, 0);
  EXPECT_EQ((*found)->observations[1].y, 3);
  EXPECT_EQ((*found)->observations[1].other, 2);
  EXPECT_TRUE((*found)->observations[2].unbuildable);
  EXPECT_FALSE(*reopened->latest_bisect("library"));
}

}  // namespace
}  // namespace faultline::store
