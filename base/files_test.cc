#include "base/files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST_F(FilesTest, AnUnwritableTemporaryFileIsAnInfrastructureErrorAndTheOldFileStays) {
  const std::string path = m_dir.string() + "/results.json";
  std::ofstream(path) << "old";
  fs::create_directory(path + ".tmp");  // cannot be opened for writing, even by root
  auto written = write_file_atomically(path, "new");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind, ErrorKind::infrastructure);
  EXPECT_EQ(written.error().message, path + ": cannot write " + path + ".tmp");
  EXPECT_EQ(*read_file(path), "old");
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
