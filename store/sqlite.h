// store/sqlite.h — the thin RAII layer over SQLite's C API that the store is
// written in: one connection (Database), prepared statements (Statement) with
// typed binds and columns, and a transaction guard. Every error names the
// database file and none quotes SQL. What is stored, and in which tables, is store.h's business.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/expected.h"

// FAULTLINE_STORE_CHECK(expr): evaluate a Status (or any Expected); on failure
// return its error. The store's many "do this, then that" steps read as a list.
#define FAULTLINE_STORE_CHECK(expr)                        \
  do {                                                     \
    if (auto faultline_check_ = (expr); !faultline_check_) \
      return ::faultline::fail(faultline_check_.error());  \
  } while (0)

struct sqlite3;
struct sqlite3_stmt;

namespace faultline::store {

class Database;

// How long a statement waits for a lock another connection (another faultline)
// holds before it fails: creation, migration and every write wait this long.
inline constexpr int k_busy_timeout_ms = 10'000;

// SQLite's message for an error of `primary_code`, as a sentence for people:
// a lock held too long says so. Never the statement's text.
std::string sentence_for(int primary_code, std::string_view sqlite_message);

class Statement {
 public:
  Statement(sqlite3_stmt* stmt, const Database* db) : m_stmt(stmt), m_db(db) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are numbered from 1, as in SQL's ?1.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, std::uint64_t value) {
    return bind(index, static_cast<std::int64_t>(value));
  }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::optional<int> value);
  Statement& bind_null(int index);

  // Binds every argument in order from ?1.
  template <typename... Args>
  Statement& bind_all(const Args&... args) {
    int i = 0;
    (bind(++i, args), ...);
    return *this;
  }

  // One step: true when a row is ready to read, false when done.
  Expected<bool> step();
  // Steps to the end (a statement without rows), then resets for reuse.
  Status run();
  void reset();  // also clears the bindings

  bool is_null(int column) const;
  std::int64_t integer(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::optional<int> optional_int(int column) const;

 private:
  sqlite3_stmt* m_stmt = nullptr;
  const Database* m_db = nullptr;
};

class Database {
 public:
  enum class Mode { create, existing };

  // Opens (or, Mode::create, creates) the file at `path`. Only opens: whether it
  // holds faultline's tables is checked by the store.
  static Expected<Database> open(const std::string& path, Mode mode);

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  Status exec(std::string_view sql);  // one or more statements, no rows wanted
  Expected<Statement> prepare(std::string_view sql) const;
  // The single integer a query returns (e.g. PRAGMA user_version).
  Expected<std::int64_t> scalar(std::string_view sql) const;
  std::int64_t last_insert_rowid() const;
  // Rows the last INSERT, UPDATE or DELETE on this connection changed.
  int changes() const;
  const std::string& path() const { return m_path; }

  // "PATH: DOING: SQLite's message" (or "PATH: SQLite's message"), as an
  // infrastructure error. No error carries the text of an SQL statement.
  Error error(std::string_view doing, int code) const;
  Error error(int code) const;

 private:
  Database(sqlite3* db, std::string path) : m_db(db), m_path(std::move(path)) {}
  sqlite3* m_db = nullptr;
  std::string m_path;
};

// BEGIN IMMEDIATE on construction (the write lock taken up front, so two
// writers never deadlock upgrading); ROLLBACK unless commit() succeeded.
class Transaction {
 public:
  static Expected<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : m_db(other.m_db) { other.m_db = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Database* db) : m_db(db) {}
  Database* m_db;
};

}  // namespace faultline::store
