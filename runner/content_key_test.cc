#include "runner/content_key.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/testing/scratch_dir.h"

namespace faultline::runner {
namespace {

namespace fs = std::filesystem;

TEST(ContentKey, IsTheSha256OfLengthPrefixedFields) {
  // sha256 of "" — the empty key, no field.
  EXPECT_EQ(ContentKey().hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // Fields cannot shift into each other: "a\nb" + "c" differs from "a" + "b\nc".
  EXPECT_NE(ContentKey().add("a\nb").add("c").hex(), ContentKey().add("a").add("b\nc").hex());
  EXPECT_NE(ContentKey().add("ab").add("").hex(), ContentKey().add("a").add("b").hex());
  EXPECT_EQ(ContentKey().add("x").hex().size(), 64u);
}

TEST(GlobMatches, NamesFilesFoldersAndAnyDepth) {
  EXPECT_TRUE(glob_matches("build.sh", "build.sh"));
  EXPECT_FALSE(glob_matches("build.sh", "lib/build.sh"));
  EXPECT_TRUE(glob_matches("lib", "lib/src/a.c"));  // a folder names everything under it
  EXPECT_TRUE(glob_matches("lib/*.c", "lib/a.c"));
  EXPECT_FALSE(glob_matches("lib/*.c", "lib/src/a.c"));
  EXPECT_TRUE(glob_matches("lib/**/*.c", "lib/a.c"));
  EXPECT_TRUE(glob_matches("lib/**/*.c", "lib/src/deep/a.c"));
  EXPECT_TRUE(glob_matches("**/*.h", "include/x/y.h"));
  EXPECT_FALSE(glob_matches("*.c", ".hidden.c"));
  EXPECT_FALSE(glob_matches("libgate", "libgatebind/a.c"));
}

class InputsDigest : public testing::ScratchTest {
 protected:
  InputsDigest() : ScratchTest("inputs") {
    write("lib/a.c", "int a;\n");
    write("lib/b.c", "int b;\n");
    write("bind/c.c", "int c;\n");
    write(".faultline/results.json", "{}");
  }
  // Writes `text` to DIR/name, making its folders.
  void write(const std::string& name, const std::string& text) {
    fs::create_directories((m_dir / name).parent_path());
    ScratchTest::write(name, text);
  }
  std::string digest(std::vector<std::string> globs) {
    auto d = inputs_digest({m_dir.string(), std::move(globs), {(m_dir / ".faultline").string()}});
    EXPECT_TRUE(d) << (d ? "" : d.error().message);
    return d ? *d : "";
  }
};

TEST_F(InputsDigest, ChangesWithTheContentOfTheNamedFilesOnly) {
  const std::string lib = digest({"lib/**"}), bind = digest({"bind"}), all = digest({});
  write("bind/c.c", "int c2;\n");
  EXPECT_EQ(digest({"lib/**"}), lib);
  EXPECT_NE(digest({"bind"}), bind);
  EXPECT_NE(digest({}), all);
  write(".faultline/results.json", "{\"changed\": true}");  // state and dot-names are not inputs
  const std::string after = digest({});
  write(".faultline/x", "y");
  EXPECT_EQ(digest({}), after);
  fs::permissions(m_dir / "lib/a.c", fs::perms::owner_exec, fs::perm_options::add);
  EXPECT_NE(digest({"lib/**"}), lib);  // the executable bit is part of a script's content
}

TEST_F(InputsDigest, AGlobThatMatchesNothingIsBadInput) {
  auto d = inputs_digest({m_dir.string(), {"lib/**", "libgat/**"}, {}});
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message, "inputs: 'libgat/**' matches no file in " + m_dir.string());
}

}  // namespace
}  // namespace faultline::runner
