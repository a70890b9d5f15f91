// Every ```yaml example of docs/config.md is accepted by faultline: each block,
// completed with the keys it leaves out (a small matrix of the docs' own names),
// loads and expands with no error and no warning. The include example also
// gives the cells the doc says it gives.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "matrix/expand.h"
#include "matrix/load.h"

namespace faultline::matrix {
namespace {

struct Block {
  int line = 0;  // of its first line in docs/config.md
  std::string text;
};

std::vector<Block> yaml_blocks(const std::string& markdown) {
  std::vector<Block> blocks;
  std::istringstream in(markdown);
  std::string line;
  Block* open = nullptr;
  for (int n = 1; std::getline(in, line); ++n) {
    if (open && line.rfind("```", 0) == 0) {
      open = nullptr;
    } else if (open) {
      open->text += line + "\n";
    } else if (line == "```yaml") {
      blocks.push_back({n + 1, ""});
      open = &blocks.back();
    }
  }
  return blocks;
}

// The parts of a matrix a block may leave out, in the names the docs use.
const std::vector<std::pair<std::string, std::string>> k_skeleton = {
    {"version", "version: 1\n"},
    {"components",
     "components:\n  library: { versions: [\"1.0\", \"1.1\", \"1.2\", \"1.3\"] }\n"
     "  binding: { versions: [\"0.7\", \"0.8\", \"0.9\"], depends: [library] }\n"},
    {"sanitizers", "sanitizers: [none, asan, tsan]\n"},
    {"workloads",
     "workloads:\n  gates:\n    run: \"{{ prefix.binding }}/bin/stress --threads {{ threads }}\"\n"
     "    params: { threads: [\"2\", \"16\"] }\n"},
};

std::string completed(const std::string& block) {
  std::string out = block;
  for (const auto& [key, text] : k_skeleton)
    if (block.rfind(key + ":", 0) != 0 && block.find("\n" + key + ":") == std::string::npos)
      out += text;
  return out;
}

// Versions sources stand in for git and npm, as the docs' examples name them.
LoadOptions docs_sources() {
  LoadOptions options;
  options.list_git_range = [](const std::string&, const std::string&,
                              bool) -> Expected<std::vector<std::string>> {
    return std::vector<std::string>{"0a1b2c3d4e5f", "1a1b2c3d4e5f"};
  };
  options.list_git_tags = [](const std::string&,
                             const std::string&) -> Expected<std::vector<std::string>> {
    return std::vector<std::string>{"v0.10.0", "v0.2.0", "v0.1.0"};
  };
  options.run_versions_command = [](const std::string&,
                                    const std::string&) -> Expected<std::string> {
    return std::string("[\"1.1.0\", \"1.2.0\", \"2.0.1\"]");
  };
  return options;
}

std::vector<Block> docs_blocks() {
  std::ifstream in(std::filesystem::path(FAULTLINE_SOURCE_DIR) / "docs" / "config.md");
  std::stringstream text;
  text << in.rdbuf();
  return yaml_blocks(text.str());
}

TEST(DocsConfig, EveryYamlExampleIsAcceptedWithoutWarnings) {
  const std::vector<Block> blocks = docs_blocks();
  ASSERT_GE(blocks.size(), 9u);  // the examples are there to test
  for (const Block& b : blocks) {
    const std::string yaml = completed(b.text);
    LoadResult r = load_text(yaml, "config.md:" + std::to_string(b.line), docs_sources());
    ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.render("block") << yaml;
    Diagnostics d;
    expand(r.config, d);
    EXPECT_EQ(d.render("block"), "") << "docs/config.md:" << b.line << "\n" << yaml;
  }
}

// "The include example": its cells are those the text beside it describes.
TEST(DocsConfig, TheIncludeExampleGivesTheCellsItDescribes) {
  const std::vector<Block> blocks = docs_blocks();
  auto it = std::find_if(blocks.begin(), blocks.end(), [](const Block& b) {
    return b.text.rfind("matrix:", 0) == 0 || b.text.find("\nmatrix:") != std::string::npos;
  });
  ASSERT_NE(it, blocks.end());
  LoadResult r = load_text(completed(it->text), "include.yaml", docs_sources());
  ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.render("include.yaml");
  Diagnostics d;
  Expansion e = expand(r.config, d);
  ASSERT_TRUE(d.empty()) << d.render("include.yaml");
  // 4 library × 3 binding × 3 sanitizers × 2 threads, less TSan with binding 0.7 (8), plus one.
  EXPECT_EQ(e.product, 72u);
  EXPECT_EQ(e.excluded, 8u);
  EXPECT_EQ(e.included, 1u);
  ASSERT_EQ(e.cells.size(), 65u);
  const std::size_t added = e.cells.size() - 1;
  EXPECT_EQ(e.cells.id(added), "library=1.3 binding=0.9 sanitizer=asan workload=gates threads=64");
  EXPECT_EQ(*e.cells.value(added, "seconds"), "2");
  for (std::size_t c = 0; c < added; ++c) {
    const bool tsan = *e.cells.value(c, "sanitizer") == "tsan";
    EXPECT_EQ(*e.cells.value(c, "seconds"), tsan ? "10" : "2") << e.cells.id(c);
    EXPECT_NE(*e.cells.value(c, "threads"), "64") << e.cells.id(c);
  }
}

}  // namespace
}  // namespace faultline::matrix
