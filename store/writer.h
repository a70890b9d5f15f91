// store/writer.h — the one writer of runs: workers hand each finished run to
// add() (which never blocks on the disk), and a single thread commits them in
// batches — everything queued, up to max_batch, at most `window` after the
// first of them ended. A kill -9 thus loses the runs in flight plus those that
// ended in the last `window`. Secret values are masked before anything is written.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "base/redact.h"
#include "store/store.h"

namespace faultline::store {

struct WriterOptions {
  std::size_t max_batch = 256;           // runs per transaction at most
  std::chrono::milliseconds window{50};  // how long a finished run may wait for company
  Redactor redactor;                     // masks secrets in every text field
};

class RunWriter {
 public:
  // Writes into `session` of `store`, which nobody else may use until close().
  RunWriter(Store& store, std::int64_t session, WriterOptions options = {});
  ~RunWriter();  // close(), its error dropped: call close() to see it
  RunWriter(const RunWriter&) = delete;
  RunWriter& operator=(const RunWriter&) = delete;

  // Queues a finished run of the cell with hash `cell_hash`, stamped now.
  void add(const std::string& cell_hash, const results::RunRecord& record);
  // Commits everything queued and stops the thread. The first write error, if any.
  Status close();
  // The first write error so far (runs after it are still attempted).
  std::optional<Error> error() const;
  std::size_t committed() const;
  std::size_t transactions() const;  // batches committed so far

 private:
  void loop();
  std::deque<RunToStore> take_batch(std::unique_lock<std::mutex>& lock);

  Store& m_store;
  const std::int64_t m_session;
  const WriterOptions m_options;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::deque<RunToStore> m_queue;
  bool m_closing = false;
  std::optional<Error> m_error;
  std::size_t m_committed = 0;
  std::size_t m_transactions = 0;
  std::thread m_thread;  // last: started once everything above exists
};

// `record` with every secret value masked in its text fields.
results::RunRecord redacted(results::RunRecord record, const Redactor& redactor);

}  // namespace faultline::store
