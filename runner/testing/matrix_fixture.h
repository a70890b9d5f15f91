// runner/testing/matrix_fixture.h — the fixture of runner's unit tests over the
// FakeProcessRunner (stress_test.cc, builds_test.cc): a scratch directory per test
// (/tmp/faultline-<name>-XXXXXX, left behind and printed when the test fails,
// removed when it passes) and a matrix loaded from text as its faultline.yaml and
// expanded. Tests only; header-only, so it adds no library.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include "matrix/expand.h"
#include "matrix/load.h"

namespace faultline::runner::testing {

class MatrixFixture : public ::testing::Test {
 protected:
  // Makes the scratch directory and loads `matrix_text` (YAML) as if it were
  // SCRATCH/faultline.yaml; a diagnostic or an expansion error fails the test.
  void load(const std::string& name, const char* matrix_text) {
    std::string pattern = "/tmp/faultline-" + name + "-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    m_scratch = pattern;
    matrix::LoadResult loaded = matrix::load_text(matrix_text, m_scratch + "/faultline.yaml");
    ASSERT_TRUE(loaded.diagnostics.empty()) << loaded.diagnostics.render("faultline.yaml");
    m_config = std::move(loaded.config);
    matrix::Diagnostics d;
    m_expansion = matrix::expand(m_config, d);
    ASSERT_TRUE(d.empty()) << d.render("faultline.yaml");
  }

  void TearDown() override {
    if (m_scratch.empty()) return;
    if (HasFailure()) {
      std::printf("scratch directory: %s\n", m_scratch.c_str());
    } else {
      std::error_code ec;
      std::filesystem::remove_all(m_scratch, ec);
    }
  }

  std::string m_scratch;
  matrix::Config m_config;
  matrix::Expansion m_expansion;
};

}  // namespace faultline::runner::testing
