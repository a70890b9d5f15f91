#include "store/writer.h"

#include <vector>

namespace faultline::store {

// Masks the captured text of a run: its command, hung stacks, and each crash's
// location, summary, excerpt, readable signature and frames. Outcome, tool,
// kind and signature hash stay as judged (they are keys and verdicts).
results::RunRecord redacted(results::RunRecord r, const Redactor& redactor) {
  if (redactor.empty()) return r;
  auto mask = [&](std::string& s) { s = redactor.apply(s); };
  mask(r.command);
  mask(r.hung_stacks);
  for (auto& c : r.crashes) {
    for (std::string* s : {&c.location, &c.summary, &c.excerpt, &c.signature.text}) mask(*s);
    for (auto& f : c.frames)
      for (std::string* s : {&f.function, &f.file, &f.module}) mask(*s);
  }
  return r;
}

RunWriter::RunWriter(Store& store, std::int64_t session, WriterOptions options)
    : m_store(store),
      m_session(session),
      m_options(std::move(options)),
      m_thread([this] { loop(); }) {}

RunWriter::~RunWriter() { (void)close(); }

void RunWriter::add(const std::string& cell_hash, const results::RunRecord& record) {
  RunToStore run{cell_hash, utc_timestamp(), redacted(record, m_options.redactor)};
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_queue.push_back(std::move(run));
  }
  m_wake.notify_one();
}

Status RunWriter::close() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_closing = true;
  }
  m_wake.notify_one();
  if (m_thread.joinable()) m_thread.join();
  std::lock_guard<std::mutex> lock(m_mutex);
  if (m_error) return fail(*m_error);
  return Ok{};
}

std::optional<Error> RunWriter::error() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_error;
}

std::size_t RunWriter::committed() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_committed;
}

std::size_t RunWriter::transactions() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_transactions;
}

// Waits for a first run, then up to `window` for more (unless the batch is
// full or the writer is closing), and takes at most max_batch of them.
std::deque<RunToStore> RunWriter::take_batch(std::unique_lock<std::mutex>& lock) {
  m_wake.wait(lock, [&] { return !m_queue.empty() || m_closing; });
  if (m_options.window.count() > 0) {
    const auto deadline = std::chrono::steady_clock::now() + m_options.window;
    m_wake.wait_until(lock, deadline,
                      [&] { return m_queue.size() >= m_options.max_batch || m_closing; });
  }
  std::deque<RunToStore> batch;
  while (!m_queue.empty() && batch.size() < std::max<std::size_t>(1, m_options.max_batch)) {
    batch.push_back(std::move(m_queue.front()));
    m_queue.pop_front();
  }
  return batch;
}

void RunWriter::loop() {
  std::unique_lock<std::mutex> lock(m_mutex);
  while (true) {
    std::deque<RunToStore> batch = take_batch(lock);
    if (batch.empty()) return;  // closing, and nothing left
    lock.unlock();
    Status written = m_store.record_runs(
        m_session, std::vector<RunToStore>(std::make_move_iterator(batch.begin()),
                                           std::make_move_iterator(batch.end())));
    lock.lock();
    if (written) {
      m_committed += batch.size();
      ++m_transactions;
    } else if (!m_error)
      m_error = written.error();
  }
}

}  // namespace faultline::store
