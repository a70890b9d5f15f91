// What the end-to-end tests of the faultline binary share: a scratch directory
// per test (kept, and its path printed, when the test fails; removed otherwise)
// and running faultline or another program in it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace faultline::e2e {

// How a program ended: exit status (-1 when killed or not run), its stdout and
// stderr, and its wall time in seconds.
struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
  double seconds = 0;
};

// The text of `path`, "" when it cannot be read.
std::string read_text(const std::filesystem::path& path);

// A test fixture owning /tmp/faultline-NAME-XXXXXX.
class ScratchTest : public ::testing::Test {
 protected:
  explicit ScratchTest(const std::string& name = "test");
  ~ScratchTest() override;

  // Writes `text` to DIR/name; returns the file's path.
  std::string write(const std::string& name, const std::string& text);
  std::string read(const std::filesystem::path& path) const { return read_text(path); }
  // faultline ARGS in the scratch directory (the binary under test).
  Outcome faultline(std::vector<std::string> args,
                    std::chrono::milliseconds timeout = std::chrono::minutes(5));
  // /bin/sh -c COMMAND in the scratch directory; a failure fails the test.
  void sh(const std::string& command);
  // DIR/.faultline/results.json, parsed.
  nlohmann::json results() const;

  std::filesystem::path m_dir;
};

}  // namespace faultline::e2e
