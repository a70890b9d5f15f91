#include "base/testing/scratch_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "base/files.h"

namespace faultline::testing {

namespace fs = std::filesystem;

ScratchDir::ScratchDir(const std::string& name) {
  std::string tmpl = "/tmp/faultline-" + name + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr)
    ADD_FAILURE() << "cannot make the scratch directory " << tmpl << ": " << std::strerror(errno);
  m_path = tmpl;
}

ScratchDir::~ScratchDir() {
  if (::testing::Test::HasFailure()) {
    std::cerr << "scratch directory kept: " << m_path.string() << "\n";
  } else {
    std::error_code ignored;
    fs::remove_all(m_path, ignored);
  }
}

fs::path ScratchDir::write(const std::string& name, const std::string& text) const {
  std::ofstream(m_path / name, std::ios::binary) << text;
  return m_path / name;
}

std::string read_text(const fs::path& path) {
  auto text = read_file(path.string());
  return text ? *text : std::string();
}

}  // namespace faultline::testing
