#include "ci/serve/job_queue.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "base/testing/scratch_dir.h"
#include "store/schema.h"
#include "store/store.h"

namespace faultline::ci::serve {
namespace {

class JobQueueTest : public faultline::testing::ScratchTest {
 protected:
  JobQueueTest() : ScratchTest("serve-queue"), m_path((m_dir / "faultline.db").string()) {}
  std::unique_ptr<JobQueue> open() {
    auto q = JobQueue::open(m_path);
    EXPECT_TRUE(q) << q.error().message;
    return q ? std::move(*q) : nullptr;
  }
  static Job job(int pr, char sha) {
    Job j;
    j.repo = "acme/widgets";
    j.pr = pr;
    j.sha = std::string(40, sha);
    j.head_ref = "topic";
    j.clone_url = j.head_clone_url = "/srv/widgets.git";
    j.reason = "pull_request synchronize";
    j.delivery = std::string("d-") + sha;
    return j;
  }
  const std::string m_path;  // DIR/faultline.db
};

TEST_F(JobQueueTest, ADeliveryIsRememberedAcrossRestarts) {
  {
    auto q = open();
    EXPECT_TRUE(*q->remember_delivery("72d3162e"));
    EXPECT_FALSE(*q->remember_delivery("72d3162e"));
    EXPECT_TRUE(*q->remember_delivery("72d3162f"));
  }
  auto q = open();
  EXPECT_FALSE(*q->remember_delivery("72d3162e"));
  ASSERT_TRUE(q->forget_delivery("72d3162e"));
  EXPECT_TRUE(*q->remember_delivery("72d3162e"));
}

TEST_F(JobQueueTest, ANewerJobSupersedesTheQueuedOnesOfItsPullRequest) {
  auto q = open();
  auto a = q->enqueue(job(7, 'a'));
  auto other = q->enqueue(job(8, 'c'));
  auto b = q->enqueue(job(7, 'b'));
  ASSERT_TRUE(a && other && b);
  EXPECT_EQ(b->superseded, std::vector<std::int64_t>{a->id});
  EXPECT_FALSE(b->running);
  auto first = q->claim();
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->id, other->id);
  auto second = q->claim();
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->id, b->id);
  EXPECT_EQ((*second)->sha, std::string(40, 'b'));
  EXPECT_EQ((*q->job(a->id))->state, "superseded");
}

TEST_F(JobQueueTest, OneJobPerPullRequestRunsAtATime) {
  auto q = open();
  auto a = q->enqueue(job(7, 'a'));
  auto claimed = q->claim();
  ASSERT_TRUE(claimed && *claimed);
  auto b = q->enqueue(job(7, 'b'));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->running, a->id);
  auto none = q->claim();
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none) << "a second job of the same pull request started while the first ran";
  ASSERT_TRUE(q->finish(a->id, "cancelled", "superseded"));
  auto next = q->claim();
  ASSERT_TRUE(next && *next);
  EXPECT_EQ((*next)->id, b->id);
}

TEST_F(JobQueueTest, QueuedAndRunningJobsSurviveARestart) {
  std::int64_t running_id = 0, queued_id = 0;
  {
    auto q = open();
    running_id = q->enqueue(job(1, 'a'))->id;
    queued_id = q->enqueue(job(2, 'b'))->id;
    ASSERT_EQ((*q->claim())->id, running_id);
  }
  auto q = open();
  EXPECT_EQ(*q->requeue_running(), 1);
  auto unannounced = q->unannounced();
  ASSERT_TRUE(unannounced);
  EXPECT_EQ(unannounced->size(), 2u);
  std::vector<std::int64_t> order;
  while (auto next = q->claim()) {
    if (!*next) break;
    order.push_back((*next)->id);
  }
  EXPECT_EQ(order, (std::vector<std::int64_t>{running_id, queued_id}));
}

TEST_F(JobQueueTest, AnnouncedJobsAreNotAnnouncedAgain) {
  auto q = open();
  auto a = q->enqueue(job(1, 'a'));
  ASSERT_TRUE(q->mark_announced(a->id));
  EXPECT_TRUE(q->unannounced()->empty());
}

TEST_F(JobQueueTest, TheFileStaysTheResultsStores) {
  { auto q = open(); }
  auto store = store::Store::open(m_path, store::Database::Mode::existing);
  ASSERT_TRUE(store) << store.error().message;
  auto again = open();
  ASSERT_TRUE(again);
  EXPECT_TRUE(*again->remember_delivery("after-the-store"));
}

// Bots before schema version 2 created the serve_ tables themselves in a
// version-1 file; the migration adopts them with their rows.
TEST_F(JobQueueTest, AQueueFromBeforeItsMigrationKeepsItsJobs) {
  {
    auto db = store::Database::open(m_path, store::Database::Mode::create);
    ASSERT_TRUE(db);
    ASSERT_EQ(*store::migrate(*db, {store::migrations().front()}), 1);
    ASSERT_TRUE(db->exec(
        "CREATE TABLE serve_deliveries (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL);"
        "CREATE TABLE serve_jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, repo TEXT NOT NULL, "
        "pr INTEGER NOT NULL, sha TEXT NOT NULL, head_ref TEXT NOT NULL, clone_url TEXT NOT NULL, "
        "head_clone_url TEXT NOT NULL, command TEXT NOT NULL, reason TEXT NOT NULL, "
        "delivery TEXT NOT NULL, state TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '', "
        "pending_posted INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, "
        "updated_at INTEGER NOT NULL);"
        "INSERT INTO serve_jobs (repo, pr, sha, head_ref, clone_url, head_clone_url, command, "
        "reason, "
        "delivery, state, created_at, updated_at) VALUES ('acme/widgets', 7, 'abc', 'topic', "
        "'/srv/w.git', '/srv/w.git', 'run', 'pull_request opened', 'd-1', 'queued', 1, 1)"));
  }
  auto q = open();
  ASSERT_TRUE(q);
  auto jobs = q->jobs();
  ASSERT_TRUE(jobs) << jobs.error().message;
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].pr, 7);
  EXPECT_EQ((*jobs)[0].state, "queued");
  auto store = store::Store::open(m_path, store::Database::Mode::existing);
  ASSERT_TRUE(store);
  EXPECT_EQ(*(*store)->database().scalar("SELECT schema_version FROM meta"), 4);
}

TEST_F(JobQueueTest, AnotherProgramsDatabaseIsRefused) {
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(m_path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "CREATE TABLE other (x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  auto q = JobQueue::open(m_path);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().kind, ErrorKind::infrastructure);
  EXPECT_NE(q.error().message.find("not faultline's"), std::string::npos) << q.error().message;
}

TEST_F(JobQueueTest, AFileThatIsNotSQLiteIsAnInfrastructureError) {
  {
    std::ofstream(m_path)
        << "this is not a database, it is a long enough text file to be read as one\n";
  }
  auto q = JobQueue::open(m_path);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().kind, ErrorKind::infrastructure);
  EXPECT_EQ(q.error().message.rfind(m_path + ": ", 0), 0u) << q.error().message;
}

}  // namespace
}  // namespace faultline::ci::serve
