#include "base/files.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "base/testing/scratch_dir.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

class FilesTest : public testing::ScratchTest {
 protected:
  FilesTest() : ScratchTest("files") {}
};

TEST_F(FilesTest, ReadsEveryByte) {
  const std::string path = m_dir.string() + "/f";
  std::ofstream(path, std::ios::binary) << std::string("a\0b\r\n\xff", 6);
  EXPECT_EQ(*read_file(path), std::string("a\0b\r\n\xff", 6));
  std::ofstream(m_dir.string() + "/empty");
  EXPECT_EQ(*read_file(m_dir.string() + "/empty"), "");
}

TEST_F(FilesTest, AMissingFileSaysWhy) {
  auto text = read_file(m_dir.string() + "/absent");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().kind, ErrorKind::bad_input);
  EXPECT_EQ(text.error().message, "No such file or directory");
}

TEST_F(FilesTest, WritesWholeAndLeavesNoTemporaryFile) {
  const std::string path = m_dir.string() + "/results.json";
  std::ofstream(path) << "old";
  ASSERT_TRUE(write_file_atomically(path, "{\"new\": true}\n"));
  EXPECT_EQ(*read_file(path), "{\"new\": true}\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(m_dir), fs::directory_iterator()), 1);
}

TEST_F(FilesTest, AFolderThatCannotHoldATemporaryFileIsAnInfrastructureError) {
  const std::string path = m_dir.string() + "/absent/results.json";
  auto written = write_file_atomically(path, "new");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind, ErrorKind::infrastructure);
  EXPECT_EQ(written.error().message,
            path + ": cannot create a temporary file beside it: No such file or directory");
}

// Two writers of one path at once (two merges into one results.json): each file
// is whole, one of the two texts, and no temporary file is left.
TEST_F(FilesTest, ConcurrentWritersOfOnePathLeaveOneWholeText) {
  const std::string path = m_dir.string() + "/results.json";
  const std::string a(1 << 20, 'a'), b(1 << 20, 'b');
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i)
        if (!write_file_atomically(path, t % 2 ? a : b)) ++failures;
    });
  for (auto& w : writers) w.join();
  EXPECT_EQ(failures.load(), 0);
  const std::string text = *read_file(path);
  EXPECT_TRUE(text == a || text == b);
  EXPECT_EQ(std::distance(fs::directory_iterator(m_dir), fs::directory_iterator()), 1);
}

TEST_F(FilesTest, ARenameOntoAFolderSaysWhy) {
  const std::string path = m_dir.string() + "/taken";
  fs::create_directories(path + "/inside");
  auto written = write_file_atomically(path, "new");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().message, path + ": cannot write: Is a directory");
}

}  // namespace
}  // namespace faultline
