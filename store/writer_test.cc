// The single writer: many threads hand it runs at once; it commits them all,
// in fewer transactions than runs; secrets never reach the file; a write that
// fails is reported, not dropped silently.
#include "store/writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/testing/scratch_dir.h"

namespace faultline::store {
namespace {

using ::testing::HasSubstr;

class WriterTest : public testing::ScratchTest {
 protected:
  WriterTest() : ScratchTest("writer") {}
  void SetUp() override {
    auto s = Store::open((m_dir / "faultline.db").string());
    ASSERT_TRUE(s) << s.error().message;
    m_store = std::move(s).value();
    auto id = m_store->begin_session({"run", "m", "faultline.yaml", "f", utc_timestamp(), ""});
    ASSERT_TRUE(id);
    m_session = *id;
    std::vector<std::pair<std::string, std::string>> cells;
    for (int c = 0; c < 8; ++c)
      cells.emplace_back("cell000" + std::to_string(c), "lib=" + std::to_string(c));
    ASSERT_TRUE(m_store->record_cells(cells));
  }
  std::string file_bytes() {
    std::string all;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream in((m_dir / "faultline.db").string() + suffix, std::ios::binary);
      std::stringstream s;
      s << in.rdbuf();
      all += s.str();
    }
    return all;
  }
  std::unique_ptr<Store> m_store;
  std::int64_t m_session = 0;
};

TEST_F(WriterTest, ManyWorkersAtOnceLoseNothingAndShareTransactions) {
  RunWriter writer(*m_store, m_session);
  std::vector<std::thread> workers;
  for (int c = 0; c < 8; ++c)
    workers.emplace_back([&writer, c] {
      for (int i = 0; i < 250; ++i) {
        results::RunRecord r;
        r.index = i;
        r.outcome = i % 50 == 0 ? "crash" : "pass";
        if (i % 50 == 0) {
          sanitizers::Crash crash;
          crash.tool = "signal";
          crash.kind = "SIGSEGV";
          crash.signature.hash = "sig" + std::to_string(c % 2);
          r.crashes.push_back(crash);
        }
        writer.add("cell000" + std::to_string(c), r);
      }
    });
  for (auto& w : workers) w.join();
  ASSERT_TRUE(writer.close());
  EXPECT_EQ(writer.committed(), 2000u);
  EXPECT_EQ(*m_store->run_count(m_session), 2000);
  EXPECT_LT(writer.transactions(), 2000u);
  auto history = m_store->signatures();
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].count + (*history)[1].count, 40);
}

TEST_F(WriterTest, OneTransactionPerRunWhenTheBatchIsOne) {
  RunWriter writer(*m_store, m_session, {1, std::chrono::milliseconds(0), {}});
  for (int i = 0; i < 20; ++i) {
    results::RunRecord r;
    r.index = i;
    r.outcome = "pass";
    writer.add("cell0001", r);
  }
  ASSERT_TRUE(writer.close());
  EXPECT_EQ(writer.transactions(), 20u);
  EXPECT_EQ(*m_store->run_count(m_session), 20);
}

TEST_F(WriterTest, SecretsAreMaskedBeforeTheyReachTheFile) {
  Redactor redactor;
  redactor.add("hunter2-secret-value");
  {
    RunWriter writer(*m_store, m_session, {256, std::chrono::milliseconds(5), redactor});
    results::RunRecord r;
    r.outcome = "crash";
    r.command = "./bug --token hunter2-secret-value";
    sanitizers::Crash c;
    c.signature.hash = "abc";
    c.excerpt = "leaked hunter2-secret-value here";
    c.frames.push_back({"f_hunter2-secret-value", "", 0, "", 0, ""});
    r.crashes.push_back(c);
    writer.add("cell0001", r);
    ASSERT_TRUE(writer.close());
  }
  const std::string bytes = file_bytes();
  EXPECT_EQ(bytes.find("hunter2-secret-value"), std::string::npos);
  EXPECT_NE(bytes.find("leaked *** here"), std::string::npos);
}

TEST_F(WriterTest, AFailedWriteIsReportedByClose) {
  RunWriter writer(*m_store, m_session + 100);  // no such session: the foreign key refuses
  results::RunRecord r;
  r.outcome = "pass";
  writer.add("cell0001", r);
  auto closed = writer.close();
  ASSERT_FALSE(closed);
  EXPECT_THAT(closed.error().message, HasSubstr("FOREIGN KEY constraint failed"));
  ASSERT_TRUE(writer.error());
  EXPECT_EQ(writer.committed(), 0u);
}

}  // namespace
}  // namespace faultline::store
