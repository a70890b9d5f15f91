// What the end-to-end tests of the faultline binary share: a scratch directory
// per test (base/testing/scratch_dir.h: kept, and its path printed, when the
// test fails; removed otherwise), running faultline or another program in it,
// and waiting for something a background process does.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/testing/scratch_dir.h"

namespace faultline::e2e {

using testing::read_text;

// How a program ended: exit status (-1 when killed or not run), its stdout and
// stderr, and its wall time in seconds.
struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
  double seconds = 0;
};

// bug.c, a C program for a matrix to build: `bug V` prints "ok V" and exits 0
// for V < 3; for V >= 3 it reads freed memory at bug.c:5 (a heap-use-after-free
// under ASan).
extern const char* const k_bug_c;

// How to run a program: in `cwd` ("" the test's own), with `environment` as its
// whole environment (NAME=VALUE; nullopt inherits the test's), ended after `timeout`.
struct Launch {
  Launch(std::filesystem::path cwd_ = {},
         std::optional<std::vector<std::string>> environment_ = std::nullopt,
         std::chrono::milliseconds timeout_ = std::chrono::minutes(5))
      : cwd(std::move(cwd_)), environment(std::move(environment_)), timeout(timeout_) {}
  std::filesystem::path cwd;
  std::optional<std::vector<std::string>> environment;
  std::chrono::milliseconds timeout;
};

// ARGV (a path, or a name looked up in PATH) run to its end; one that cannot
// be started (not installed) ends with status -1 and the reason as its stderr.
Outcome run_program(std::vector<std::string> argv, const Launch& launch = {});
// The faultline binary under test with ARGS; that it cannot start fails the test.
Outcome run_faultline(std::vector<std::string> args, const Launch& launch = {});

// faultline ARGS started in the background in `cwd`, stdin from /dev/null, stdout
// to the file `out` and stderr to `err` (one file when they are the same), in a
// process group of its own when `own_group` (as a shell job). Its pid; -1, and a
// failure of the test, when it cannot start. The caller waits for it.
pid_t start_faultline(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      const std::filesystem::path& out, const std::filesystem::path& err,
                      bool own_group = false);

// The first column of the first row `sql` returns from the SQLite file `db`, as
// text, read-only beside any writer (waiting up to 5 s on a lock); "" when none.
std::string sql_text(const std::filesystem::path& db, const std::string& sql);

// The version name faultline gives the commit REV (a tag, a hash) of the git
// repository at `repo`: the commit's first 12 hex digits; "?" when git cannot
// resolve REV.
std::string commit_version(const std::filesystem::path& repo, const std::string& rev);

// Polls `done` every 50 ms for up to `limit`; true once it holds.
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds limit = std::chrono::minutes(2));

// A test fixture owning /tmp/faultline-NAME-XXXXXX, where faultline runs.
class ScratchTest : public testing::ScratchTest {
 protected:
  explicit ScratchTest(const std::string& name = "test") : testing::ScratchTest(name) {}

  // faultline ARGS in the scratch directory.
  Outcome faultline(std::vector<std::string> args,
                    std::chrono::milliseconds timeout = std::chrono::minutes(5));
  // /bin/sh -c COMMAND in the scratch directory; a failure fails the test.
  void sh(const std::string& command);
  // DIR/.faultline/results.json, parsed.
  nlohmann::json results() const;
  // DIR/.faultline/bisect-AXIS.json, the answer of the last bisect of AXIS, parsed.
  nlohmann::json bisect_answer(const std::string& axis) const;
  // sql_text() and its integer (-1 for none) from DIR/.faultline/faultline.db, the store.
  std::string db_text(const std::string& sql) const;
  std::int64_t db_int(const std::string& sql) const;
};

}  // namespace faultline::e2e
