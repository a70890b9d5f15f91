#include "tests/support.h"

#include <fcntl.h>
#include <spawn.h>
#include <sqlite3.h>

#include <thread>

#include "runner/process.h"

extern char** environ;

namespace faultline::e2e {

const char* const k_bug_c =
    "#include <stdio.h>\n#include <stdlib.h>\n"
    "int main(int argc, char** argv) {\n"
    "  int v = atoi(argv[1]);\n"
    "  if (v >= 3) { char* volatile p = malloc(8); free(p); return p[0]; }\n"
    "  printf(\"ok %d\\n\", v);\n  return 0;\n}\n";

namespace {

Expected<runner::ProcessResult> spawn(std::vector<std::string> argv, const Launch& launch) {
  runner::ProcessOptions p;
  p.argv = std::move(argv);
  p.working_directory = launch.cwd.string();
  p.environment = launch.environment;
  p.timeout = launch.timeout;
  p.kill_grace = std::chrono::seconds(30);
  return runner::run_process(p);
}

Outcome outcome_of(const runner::ProcessResult& r) {
  return {r.exit_code.value_or(-1), r.stdout_capture.text(), r.stderr_capture.text(),
          std::chrono::duration<double>(r.wall).count()};
}

}  // namespace

Outcome run_program(std::vector<std::string> argv, const Launch& launch) {
  auto r = spawn(std::move(argv), launch);
  if (!r) return {-1, "", r.error().message + "\n"};
  return outcome_of(*r);
}

Outcome run_faultline(std::vector<std::string> args, const Launch& launch) {
  args.insert(args.begin(), FAULTLINE_BINARY);
  auto r = spawn(std::move(args), launch);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? outcome_of(*r) : Outcome{};
}

pid_t start_faultline(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      const std::filesystem::path& out, const std::filesystem::path& err,
                      bool own_group) {
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addchdir_np(&files, cwd.c_str());
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (err == out)
    posix_spawn_file_actions_adddup2(&files, 1, 2);
  else
    posix_spawn_file_actions_addopen(&files, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  if (own_group) {
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  }
  std::vector<std::string> words = {FAULTLINE_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, FAULTLINE_BINARY, &files, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  EXPECT_EQ(rc, 0) << "cannot start " << FAULTLINE_BINARY;
  return rc == 0 ? pid : -1;
}

std::string sql_text(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  std::string value;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(handle, 5000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
  }
  sqlite3_close(handle);
  return value;
}

std::string commit_version(const std::filesystem::path& repo, const std::string& rev) {
  auto hash = runner::command_output({"git", "-C", repo.string(), "rev-parse", rev});
  return hash ? hash->substr(0, 12) : "?";
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

Outcome ScratchTest::faultline(std::vector<std::string> args, std::chrono::milliseconds timeout) {
  return run_faultline(std::move(args), {m_dir, std::nullopt, timeout});
}

void ScratchTest::sh(const std::string& command) {
  auto r = runner::run_command({"/bin/sh", "-c", command}, m_dir.string());
  ASSERT_TRUE(r && r->succeeded())
      << command << ": " << (r ? r->stderr_capture.text() : r.error().message);
}

nlohmann::json ScratchTest::results() const {
  return nlohmann::json::parse(read_text(m_dir / ".faultline/results.json"));
}

nlohmann::json ScratchTest::bisect_answer(const std::string& axis) const {
  return nlohmann::json::parse(read_text(m_dir / ".faultline" / ("bisect-" + axis + ".json")));
}

std::string ScratchTest::db_text(const std::string& sql) const {
  return sql_text(m_dir / ".faultline/faultline.db", sql);
}

std::int64_t ScratchTest::db_int(const std::string& sql) const {
  const std::string text = db_text(sql);
  return text.empty() ? -1 : std::stoll(text);
}

}  // namespace faultline::e2e
