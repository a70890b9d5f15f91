// End-to-end tests of the results store through the real `faultline` binary:
// a real kill -9 in the middle of a run, then --resume; history and sessions;
// new-versus-known crashes with report --baseline; refusing a bad store file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "runner/process.h"
#include "tests/support.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using e2e::Outcome;

class StoreE2eTest : public e2e::ScratchTest {
 protected:
  StoreE2eTest() : ScratchTest("store-e2e") {}
  void SetUp() override { write("bug.c", e2e::k_bug_c); }
  std::string db_path() const { return (m_dir / ".faultline/faultline.db").string(); }
};

const char* k_matrix = R"(version: 1
name: store-e2e
components:
  lib:
    versions: ["1", "2", "3"]
    build: $CC $SAN_CFLAGS -O1 -g -o {{ prefix }}/bug bug.c $SAN_LDFLAGS
sanitizers: [asan]
workloads:
  w: { run: "{{ prefix.lib }}/bug {{ lib }}", timeout: 10s }
stress: { runs: 3, stop: all }
)";

TEST_F(StoreE2eTest, KillNineMidRunLosesOnlyRunsInFlightAndResumeRepeatsNone) {
  // 4 cells × 10 runs of 0.2 s, two at a time: about 4 s in all.
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib: { versions: [\"1\", \"2\", \"3\", \"4\"] }\n"
        "workloads: { w: { run: \"sleep 0.2\" } }\nstress: { runs: 10, stop: all }\n");
  const pid_t pid = e2e::start_faultline({"run", "-j", "2"}, m_dir, m_dir / "first.log",
                                         m_dir / "first.log", /*own_group=*/true);
  ASSERT_GT(pid, 0);
  // Wait until some runs are committed, then kill the whole process group without warning.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (db_int("SELECT count(*) FROM runs") < 6 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(kill(-pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "faultline ended before the kill";

  EXPECT_EQ(db_text("PRAGMA integrity_check"), "ok");
  const int kept = db_int("SELECT count(*) FROM runs");
  EXPECT_GE(kept, 6);
  EXPECT_LT(kept, 40);
  EXPECT_EQ(db_text("SELECT coalesce(finished_at, 'unfinished') FROM sessions"), "unfinished");
  const std::string kept_ids =
      db_text("SELECT group_concat(cell_hash || ':' || idx) FROM (SELECT * FROM runs ORDER BY id)");

  Outcome resumed = faultline({"run", "-j", "2", "--resume"});
  EXPECT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("(" + std::to_string(kept) + " resumed from the store)"));
  EXPECT_EQ(db_text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(db_int("SELECT count(*) FROM sessions"), 1);
  EXPECT_EQ(db_int("SELECT count(*) FROM runs"), 40);
  EXPECT_EQ(db_int("SELECT count(*) FROM (SELECT DISTINCT cell_hash, idx FROM runs)"), 40);
  // The runs kept are still the first ones, untouched.
  EXPECT_THAT(
      db_text("SELECT group_concat(cell_hash || ':' || idx) FROM (SELECT * FROM runs ORDER BY id)"),
      StartsWith(kept_ids));
  EXPECT_EQ(db_int("SELECT resumed FROM sessions"), 1);
  const json r = results();
  for (const auto& c : r["cells"]) EXPECT_EQ(c["runs"], 10) << c["id"];
}

TEST_F(StoreE2eTest, HistorySaysWhenASignatureWasFirstAndLastSeenAndWhere) {
  write("faultline.yaml", k_matrix);
  ASSERT_EQ(faultline({"run", "--only", "lib=1"}).status, 0);
  ASSERT_EQ(faultline({"run"}).status, 1);
  ASSERT_EQ(faultline({"run", "--only", "lib=3"}).status, 1);
  const std::string hash =
      db_text("SELECT hash FROM signatures WHERE kind = 'heap-use-after-free'");
  ASSERT_EQ(hash.size(), 12u);
  EXPECT_EQ(db_int("SELECT first_session FROM signatures"), 2);
  EXPECT_EQ(db_int("SELECT last_session FROM signatures"), 3);
  EXPECT_EQ(db_int("SELECT count FROM signatures"), 6);

  Outcome all = faultline({"history"});
  EXPECT_EQ(all.status, 0) << all.err;
  EXPECT_THAT(all.out, HasSubstr("1 crash signature in " + db_path()));
  EXPECT_THAT(all.out, HasSubstr(hash + "  asan heap-use-after-free         6  "));
  EXPECT_THAT(all.out, HasSubstr(" #2 "));
  EXPECT_THAT(all.out, HasSubstr(" #3 "));
  EXPECT_THAT(all.out, HasSubstr("lib=3 sanitizer=asan workload=w\n"));

  Outcome one = faultline({"history", "--signature", hash.substr(0, 6)});
  EXPECT_EQ(one.status, 0) << one.err;
  EXPECT_THAT(one.out, HasSubstr("signature " + hash + ": asan heap-use-after-free\n"));
  EXPECT_THAT(one.out, HasSubstr("(session 2), last seen"));
  EXPECT_THAT(one.out, HasSubstr("(session 3); 6 runs in 1 cell\n"));
  EXPECT_THAT(one.out, ::testing::ContainsRegex(
                           "\n2        run         3  [0-9: -]+  lib=3 sanitizer=asan workload=w\n"
                           "3        run         3  "));

  std::string typo = hash;
  typo[5] = typo[5] == 'a' ? 'b' : 'a';
  Outcome unknown = faultline({"history", "--signature", typo});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_EQ(unknown.err, "faultline history: no recorded signature starts with '" + typo + "' in " +
                             db_path() + " (did you mean '" + hash +
                             "'?); `faultline history` lists them\n");

  Outcome sessions = faultline({"sessions"});
  EXPECT_EQ(sessions.status, 0) << sessions.err;
  EXPECT_THAT(sessions.out, ::testing::ContainsRegex(
                                "\n3        run .* 3         3  store-e2e \\(faultline.yaml\\)\n"));
  EXPECT_THAT(sessions.out, ::testing::ContainsRegex(
                                "\n1        run .* 3         0  store-e2e \\(faultline.yaml\\)\n"));
}

TEST_F(StoreE2eTest, ReportAgainstABaselineLeadsWithTheNewCrashes) {
  write("faultline.yaml", k_matrix);
  ASSERT_EQ(faultline({"run", "--only", "lib=1", "--out", "base.json"}).status,
            0);                             // session 1: no crash
  ASSERT_EQ(faultline({"run"}).status, 1);  // session 2
  const std::string hash = db_text("SELECT hash FROM signatures");

  // Against a stored session: the asan crash is new, and the comment says so first.
  Outcome md = faultline({"report", "--baseline", "1", "--format", "md"});
  EXPECT_EQ(md.status, 0) << md.err;
  const std::size_t lead = md.out.find("**🆕 1 new crash signature** against session 1 (run of ");
  ASSERT_NE(lead, std::string::npos) << md.out;
  EXPECT_LT(lead, md.out.find("| lib |"));  // before the grid
  EXPECT_THAT(md.out, HasSubstr("- `" + hash + "` asan heap-use-after-free — 1 cell, 3 runs\n"));
  EXPECT_THAT(md.out, HasSubstr("### 1. asan heap-use-after-free — 1 cell, 3 runs · 🆕 **new**\n"));

  // Against a results.json: the same, in the JSON and on the terminal.
  Outcome js = faultline({"report", "--baseline", "base.json", "--format", "json"});
  EXPECT_EQ(js.status, 0) << js.err;
  const json marked = json::parse(js.out);
  EXPECT_EQ(marked["signatures"][0]["baseline"], "new");
  EXPECT_EQ(marked["baseline"]["source"], "base.json");
  EXPECT_EQ(marked["baseline"]["new"], json::array({hash}));
  Outcome terminal = faultline({"report", "--baseline", "base.json"});
  EXPECT_THAT(terminal.out,
              HasSubstr("against base.json: 1 new signature, 0 still present, 0 fixed\n"));
  EXPECT_THAT(terminal.out, HasSubstr("  [new]\n"));

  // Seen again: still present; gone: fixed.
  ASSERT_EQ(faultline({"run", "--out", "again.json"}).status, 1);
  Outcome still = faultline({"report", "again.json", "--baseline", "2"});
  EXPECT_THAT(still.out, HasSubstr("against session 2 (run of "));
  EXPECT_THAT(still.out, HasSubstr("0 new signatures, 1 still present, 0 fixed\n"));
  Outcome fixed = faultline({"report", "base.json", "--baseline", "2", "--format", "md"});
  EXPECT_THAT(fixed.out, HasSubstr("**No new crash signature** against session 2"));
  EXPECT_THAT(fixed.out,
              HasSubstr("Still present: 0 · Fixed: 1 (`" + hash + "` asan heap-use-after-free)"));

  Outcome missing = faultline({"report", "--baseline", "9"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_EQ(missing.err, "faultline report: --baseline: " + db_path() +
                             " has no session 9 (`faultline sessions` lists them)\n");
}

TEST_F(StoreE2eTest, AStoreThatIsNotFaultlinesIsNamedAndNothingRuns) {
  write("faultline.yaml", k_matrix);
  fs::create_directories(m_dir / ".faultline");
  write(".faultline/faultline.db", std::string("not a database at all ") + std::string(4096, '!'));
  Outcome o = faultline({"run"});
  EXPECT_EQ(o.status, 3);
  EXPECT_EQ(o.err, "faultline run: " + db_path() +
                       ": cannot use as faultline's results store: file is not a database (name "
                       "another file with --db)\n");
  EXPECT_FALSE(fs::exists(m_dir / ".faultline/builds"));
  // Another store with --db works, and history reads it.
  Outcome other = faultline({"run", "--only", "lib=1", "--db", "other.db"});
  EXPECT_EQ(other.status, 0) << other.err;
  EXPECT_EQ(faultline({"sessions", "--db", "other.db"}).status, 0);
  // A store from a newer faultline is bad input (exit 2), for run and history alike.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((m_dir / "other.db").c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "UPDATE meta SET schema_version = 42", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  for (const char* command : {"run", "history"}) {
    Outcome newer = faultline({command, "--db", "other.db"});
    EXPECT_EQ(newer.status, 2) << command;
    EXPECT_THAT(
        newer.err,
        HasSubstr(
            "other.db: written by a newer faultline (schema version 42; this one knows up to 4)"));
  }
  Outcome none = faultline({"history", "--db", "absent.db"});
  EXPECT_EQ(none.status, 2);
  EXPECT_THAT(none.err, HasSubstr("absent.db: no results store here"));
}

TEST_F(StoreE2eTest, ASessionBeingRunIsNeverResumedTwiceAndWaitWaitsForIt) {
  // 4 cells × 10 runs of 0.2 s, two at a time: about 4 s.
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib: { versions: [\"1\", \"2\", \"3\", \"4\"] }\n"
        "workloads: { w: { run: \"sleep 0.2\" } }\nstress: { runs: 10, stop: all }\n");
  const pid_t first = e2e::start_faultline({"run", "-j", "2"}, m_dir, m_dir / "first.log",
                                           m_dir / "first.log", /*own_group=*/true);
  ASSERT_GT(first, 0);
  ASSERT_TRUE(e2e::eventually(
      [&] { return db_int("SELECT pid FROM session_claims WHERE session_id = 1") == first; },
      std::chrono::minutes(1)));
  // A second process resuming that session is refused, naming the one that holds it.
  Outcome refused = faultline({"run", "-j", "2", "--resume"});
  EXPECT_EQ(refused.status, 2);
  EXPECT_THAT(refused.err,
              StartsWith("faultline run: --resume: session 1 in " + db_path() +
                         " is being run by process " + std::to_string(first) + " on "));
  EXPECT_THAT(refused.err, HasSubstr("; wait for it to end, or pass --wait\n"));
  // With --wait it waits, then finds every run done and repeats none.
  Outcome waited = faultline({"run", "-j", "2", "--resume", "--wait"});
  EXPECT_EQ(waited.status, 0) << waited.err;
  EXPECT_THAT(waited.err, HasSubstr("is being run by process " + std::to_string(first)));
  EXPECT_THAT(waited.err, HasSubstr("; waiting for it to end\n"));
  EXPECT_THAT(waited.err, HasSubstr("runs: up to 0 in 4 cells (40 resumed from the store)"));
  int status = 0;
  ASSERT_EQ(waitpid(first, &status, 0), first);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(db_int("SELECT count(*) FROM sessions"), 1);
  EXPECT_EQ(db_int("SELECT count(*) FROM runs"), 40);
  EXPECT_EQ(db_int("SELECT count(*) FROM session_claims"), 0);  // each released its claim
}

TEST_F(StoreE2eTest, TwoResumesAtOnceRunEachMissingRunOnce) {
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib: { versions: [\"1\", \"2\"] }\n"
        "workloads: { w: { run: \"sleep 0.1\" } }\nstress: { runs: 10, stop: all }\n");
  const pid_t killed = e2e::start_faultline({"run", "-j", "1"}, m_dir, m_dir / "killed.log",
                                            m_dir / "killed.log", /*own_group=*/true);
  ASSERT_GT(killed, 0);
  ASSERT_TRUE(e2e::eventually([&] { return db_int("SELECT count(*) FROM runs") >= 2; },
                              std::chrono::minutes(1)));
  ASSERT_EQ(kill(-killed, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(killed, &status, 0), killed);
  // The claim of the killed process is left behind; the next resumes take it over, one at a time.
  const pid_t a = e2e::start_faultline({"run", "-j", "1", "--resume"}, m_dir, m_dir / "a.log",
                                       m_dir / "a.log", /*own_group=*/true);
  const pid_t b = e2e::start_faultline({"run", "-j", "1", "--resume"}, m_dir, m_dir / "b.log",
                                       m_dir / "b.log", /*own_group=*/true);
  int status_a = 0, status_b = 0;
  ASSERT_EQ(waitpid(a, &status_a, 0), a);
  ASSERT_EQ(waitpid(b, &status_b, 0), b);
  const std::string text_a = read(m_dir / "a.log"), text_b = read(m_dir / "b.log");
  // One ran the missing runs (exit 0); the other was refused (exit 2) — or, had the first
  // finished before it looked, found nothing left to run (exit 0).
  const std::set<int> statuses = {WEXITSTATUS(status_a), WEXITSTATUS(status_b)};
  EXPECT_TRUE(statuses.count(0)) << text_a << text_b;
  for (const std::string* text : {&text_a, &text_b}) {
    EXPECT_EQ(text->find("UNIQUE"), std::string::npos) << *text;
    EXPECT_EQ(text->find("locked"), std::string::npos) << *text;
  }
  if (statuses.count(2)) {
    EXPECT_THAT(text_a + text_b, HasSubstr("is being run by process"));
  }
  EXPECT_EQ(db_int("SELECT count(*) FROM runs"), 20);
  EXPECT_EQ(db_int("SELECT count(*) FROM (SELECT DISTINCT cell_hash, idx FROM runs)"), 20);
}

TEST_F(StoreE2eTest, RunsStartingTogetherOnANewStoreAllRecord) {
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib: { versions: [\"1\"] }\n"
        "workloads: { w: { run: \"true\" } }\nstress: { runs: 3, stop: all }\n");
  std::vector<pid_t> pids;
  for (int i = 0; i < 6; ++i) {
    const fs::path log = m_dir / ("run" + std::to_string(i) + ".log");
    pids.push_back(e2e::start_faultline({"run", "--out", "r" + std::to_string(i) + ".json"}, m_dir,
                                        log, log, /*own_group=*/true));
  }
  for (std::size_t i = 0; i < pids.size(); ++i) {
    int status = 0;
    ASSERT_EQ(waitpid(pids[i], &status, 0), pids[i]);
    const std::string text = read(m_dir / ("run" + std::to_string(i) + ".log"));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text;
    EXPECT_EQ(text.find("locked"), std::string::npos) << text;
    for (const char* sql : {"CREATE", "INSERT", "SELECT", "PRAGMA", "BEGIN"})
      EXPECT_EQ(text.find(sql), std::string::npos) << text;
  }
  EXPECT_EQ(db_int("SELECT count(*) FROM sessions"), 6);
  EXPECT_EQ(db_int("SELECT count(*) FROM runs"), 18);
  EXPECT_EQ(db_int("SELECT schema_version FROM meta"), 4);
}

TEST_F(StoreE2eTest, ADamagedStoreIsRefusedBeforeAnyWork) {
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib: { versions: [\"1\", \"2\"] }\n"
        "workloads: { w: { run: \"echo ran >> ran.log\" } }\nstress: { runs: 50, stop: all }\n");
  ASSERT_EQ(faultline({"run"}).status, 0);
  const auto size = fs::file_size(db_path());
  ASSERT_GE(size, 4u * 4096);
  {
    // Page 3 onwards (a table's b-tree pages) overwritten with garbage; the header stays.
    std::fstream db(db_path(), std::ios::in | std::ios::out | std::ios::binary);
    db.seekp(2 * 4096);
    const std::string garbage(size - 2 * 4096, '\xa5');
    db.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  fs::remove(m_dir / "ran.log");
  Outcome o = faultline({"run"});
  EXPECT_EQ(o.status, 3);
  EXPECT_EQ(o.err, "faultline run: " + db_path() +
                       ": the results store is damaged (SQLite: database disk image is "
                       "malformed); move it aside or name another file with --db\n");
  EXPECT_FALSE(fs::exists(m_dir / "ran.log"));  // no run happened
}

// The wordings docs/store.md gives: a truncated file SQLite cannot read, and a file it reads
// whose header quick_check finds wrong (a freelist count of 3 with no freelist).
TEST_F(StoreE2eTest, ATruncatedOrInconsistentStoreIsRefusedInTheDocumentedWords) {
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib: { versions: [\"1\", \"2\"] }\n"
        "workloads: { w: { run: \"echo ran >> ran.log\" } }\nstress: { runs: 50, stop: all }\n");
  ASSERT_EQ(faultline({"run"}).status, 0);
  const std::string original = read(db_path());
  ASSERT_GE(original.size(), 4u * 4096);
  fs::remove(m_dir / "ran.log");
  fs::remove(db_path() + "-wal");  // none after a clean end; the test replaces the file alone
  fs::remove(db_path() + "-shm");
  const std::string refusal = "faultline run: " + db_path() + ": the results store is damaged (";
  const std::string advice = "); move it aside or name another file with --db\n";
  write(".faultline/faultline.db", original.substr(0, original.size() / 2));
  Outcome truncated = faultline({"run"});
  EXPECT_EQ(truncated.status, 3);
  EXPECT_EQ(truncated.err, refusal + "SQLite: database disk image is malformed" + advice);
  std::string freelist = original;
  freelist.replace(36, 4, std::string("\0\0\0\3", 4));  // header: total freelist pages
  write(".faultline/faultline.db", freelist);
  Outcome inconsistent = faultline({"run"});
  EXPECT_EQ(inconsistent.status, 3);
  EXPECT_EQ(inconsistent.err, refusal +
                                  "SQLite's quick_check: *** in database main *** Main freelist: "
                                  "size is 0 but should be 3" +
                                  advice);
  EXPECT_FALSE(fs::exists(m_dir / "ran.log"));  // no run happened
}

TEST_F(StoreE2eTest, OutReplacesOnlyARegularFile) {
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib: { versions: [\"1\"] }\n"
        "workloads: { w: { run: \"echo ran >> ran.log\" } }\nstress: { runs: 1 }\n");
  ASSERT_EQ(mkfifo((m_dir / "fifo").c_str(), 0600), 0);
  fs::create_symlink("elsewhere.json", m_dir / "link.json");
  const std::map<std::string, std::string> refused = {
      {"fifo", "a FIFO"}, {"link.json", "a symbolic link"}, {"/dev/full", "a device"}};
  for (const auto& [path, what] : refused) {
    Outcome o = faultline({"run", "--out", path});
    EXPECT_EQ(o.status, 2) << path;
    EXPECT_EQ(o.err, "faultline run: --out " + path + " is " + what +
                         "; faultline only replaces regular files (name another path)\n");
  }
  EXPECT_TRUE(fs::is_fifo(m_dir / "fifo"));
  EXPECT_TRUE(fs::is_symlink(m_dir / "link.json"));
  EXPECT_FALSE(fs::exists(m_dir / "ran.log"));
  write("plain.json", "old");
  EXPECT_EQ(faultline({"run", "--out", "plain.json"}).status, 0);
  EXPECT_TRUE(fs::is_regular_file(m_dir / "plain.json"));
}

}  // namespace
}  // namespace faultline
