// A test's scratch directory: /tmp/faultline-NAME-XXXXXX, made for one test
// and removed after it, or kept, with its path printed to stderr, when the
// test has failed. For unit tests and the end-to-end tests (tests/support.h)
// alike; needs GoogleTest, whose current test it asks about failure.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace faultline::testing {

class ScratchDir {
 public:
  // Makes /tmp/faultline-NAME-XXXXXX (mkdtemp(3)); a failure fails the test.
  explicit ScratchDir(const std::string& name = "test");
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return m_path; }
  // Writes `text` (bytes as given) to PATH/name; returns that file's path.
  std::filesystem::path write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path m_path;
};

// The bytes of the file at `path`, "" when it cannot be read (tests compare
// the text; base/files.h's read_file says why).
std::string read_text(const std::filesystem::path& path);

// A GoogleTest fixture owning a ScratchDir: `m_dir` is its path.
class ScratchTest : public ::testing::Test {
 protected:
  explicit ScratchTest(const std::string& name = "test")
      : m_scratch(name), m_dir(m_scratch.path()) {}

  // Writes `text` to DIR/name; returns the file's path.
  std::string write(const std::string& name, const std::string& text) const {
    return m_scratch.write(name, text).string();
  }
  std::string read(const std::filesystem::path& path) const { return read_text(path); }

  ScratchDir m_scratch;
  std::filesystem::path m_dir;
};

}  // namespace faultline::testing
