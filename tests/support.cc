#include "tests/support.h"

#include <stdlib.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "runner/process.h"

namespace faultline::e2e {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ScratchTest::ScratchTest(const std::string& name) {
  std::string tmpl = "/tmp/faultline-" + name + "-XXXXXX";
  m_dir = mkdtemp(tmpl.data());
}

ScratchTest::~ScratchTest() {
  if (HasFailure())
    std::cerr << "scratch directory kept: " << m_dir << "\n";
  else
    fs::remove_all(m_dir);
}

std::string ScratchTest::write(const std::string& name, const std::string& text) {
  std::ofstream(m_dir / name, std::ios::binary) << text;
  return (m_dir / name).string();
}

Outcome ScratchTest::faultline(std::vector<std::string> args, std::chrono::milliseconds timeout) {
  args.insert(args.begin(), FAULTLINE_BINARY);
  runner::ProcessOptions p;
  p.argv = args;
  p.working_directory = m_dir.string();
  p.timeout = timeout;
  p.kill_grace = std::chrono::seconds(30);
  auto r = runner::run_process(p);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  if (!r) return {};
  return {r->exit_code.value_or(-1), r->stdout_capture.text(), r->stderr_capture.text(),
          std::chrono::duration<double>(r->wall).count()};
}

void ScratchTest::sh(const std::string& command) {
  auto r = runner::run_command({"/bin/sh", "-c", command}, m_dir.string());
  ASSERT_TRUE(r && r->succeeded())
      << command << ": " << (r ? r->stderr_capture.text() : r.error().message);
}

nlohmann::json ScratchTest::results() const {
  return nlohmann::json::parse(read_text(m_dir / ".faultline/results.json"));
}

}  // namespace faultline::e2e
