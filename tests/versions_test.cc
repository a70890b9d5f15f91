// End-to-end tests of the versions sources (git tags ordered by semantic
// version, git ranges, a command's listing, a semver range filter): the real
// binary, a real generated git repository, real shell commands.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "runner/process.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

Outcome faultline(std::vector<std::string> args, const std::string& cwd) {
  args.insert(args.begin(), FAULTLINE_BINARY);
  auto r = runner::run_command(args, cwd);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  if (!r) return {};
  return {r->exit_code.value_or(-1), r->stdout_capture.text(), r->stderr_capture.text()};
}

// A scratch directory with a git repository `lib` whose tags are given out of
// order, plus some that are not v0.*; left behind (and named) when a test fails.
class Versions : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/faultline-versions-XXXXXX";
    m_dir = mkdtemp(tmpl);
    sh("git init -q lib && cd lib && git config user.email t@t && git config user.name t && "
       "for t in v0.1.0 v0.10.0 v0.2.0-rc.1 v0.9.1 v0.2.0 v1.0.0 nightly; do "
       "echo $t > f && git add f && git commit -qm $t && git tag $t; done");
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "scratch directory kept: " << m_dir << "\n";
    else fs::remove_all(m_dir);
  }
  // faultline.yaml with `versions` as the library's versions; returns its path.
  std::string matrix(const std::string& versions) {
    std::ofstream(m_dir / "faultline.yaml") << "version: 1\nname: v\ncomponents:\n  library:\n    versions: " << versions
                                            << "\nworkloads: { w: { run: \"echo {{ library }}\" } }\n";
    return (m_dir / "faultline.yaml").string();
  }
  Outcome validate() { return faultline({"validate", "--no-probe", "faultline.yaml"}, m_dir.string()); }
  Outcome plan() { return faultline({"plan", "faultline.yaml"}, m_dir.string()); }
  void sh(const std::string& command) {
    auto r = runner::run_command({"/bin/sh", "-c", command}, m_dir.string());
    ASSERT_TRUE(r && r->succeeded()) << command << ": " << (r ? r->stderr_capture.text() : r.error().message);
  }
  fs::path m_dir;
};

TEST_F(Versions, DebugPrint) {
  matrix("{ git: { repo: lib, tags: \"v0.*\" } }");
  Outcome v = validate();
  Outcome p = plan();
  std::cout << v.status << "\n" << v.out << v.err << p.status << "\n" << p.out << p.err;
}

}  // namespace
}  // namespace faultline
