// runner/journal.h — every run's record, appended to STATE/runs.jsonl the moment
// it ends (JSON Lines, flushed per line), so an interrupted or killed run loses
// at most the runs in flight, and `faultline run --resume` continues from it.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/expected.h"
#include "base/redact.h"
#include "matrix/expand.h"
#include "runner/stress.h"

namespace faultline::runner {

class Journal {
 public:
  ~Journal();
  // Starts a new journal at `path` for a matrix with `fingerprint` (truncates).
  static Expected<std::unique_ptr<Journal>> create(const std::string& path, const std::string& fingerprint);
  // Opens an existing journal to append to, after reading its records; fails
  // when it belongs to another matrix (a different fingerprint).
  static Expected<std::unique_ptr<Journal>> resume(const std::string& path, const std::string& fingerprint,
                                                   const matrix::CellTable& cells,
                                                   std::vector<RunRecord>& previous);

  Status append(const RunRecord& record, const matrix::CellTable& cells);
  // Secret values to mask in every line written from now on.
  void set_redactor(Redactor redactor) { m_redactor = std::move(redactor); }

 private:
  explicit Journal(std::FILE* file) : m_file(file) {}
  std::FILE* m_file;
  std::mutex m_mutex;
  Redactor m_redactor;
};

std::string record_to_json_line(const RunRecord& record, const matrix::CellTable& cells);

}  // namespace faultline::runner
