#include "store/sqlite.h"

#include <sqlite3.h>

#include <filesystem>
#include <utility>

namespace faultline::store {

Statement::Statement(Statement&& other) noexcept : m_stmt(other.m_stmt), m_db(other.m_db) {
  other.m_stmt = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  std::swap(m_stmt, other.m_stmt);
  std::swap(m_db, other.m_db);
  return *this;
}

Statement::~Statement() {
  if (m_stmt) sqlite3_finalize(m_stmt);
}

// Bind errors (a wrong index) are programming errors: they surface at step().
Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(m_stmt, index, value);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(m_stmt, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::bind(int index, std::optional<int> value) {
  return value ? bind(index, static_cast<std::int64_t>(*value)) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(m_stmt, index);
  return *this;
}

Expected<bool> Statement::step() {
  const int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error e = m_db->error(rc);
  sqlite3_reset(m_stmt);
  return fail(e);
}

Status Statement::run() {
  while (true) {
    FAULTLINE_TRY(const bool row, step());
    if (!row) break;
  }
  reset();
  return Ok{};
}

void Statement::reset() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}
std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(m_stmt, column); }
double Statement::real(int column) const { return sqlite3_column_double(m_stmt, column); }

std::string Statement::text(int column) const {
  const unsigned char* p = sqlite3_column_text(m_stmt, column);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column)))
           : std::string();
}

std::optional<int> Statement::optional_int(int column) const {
  if (is_null(column)) return std::nullopt;
  return static_cast<int>(integer(column));
}

Expected<Database> Database::open(const std::string& path, Mode mode) {
  std::error_code ec;
  if (mode == Mode::existing && !std::filesystem::exists(path, ec))
    return fail(bad_input(
        path + ": no results store here (it is written by `faultline run`; --db names another)"));
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX |
                    (mode == Mode::create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  Database out(db, path);
  if (rc != SQLITE_OK) return fail(out.error("cannot open", rc));
  sqlite3_extended_result_codes(db, 1);
  // From the first statement on, a lock held by another faultline is waited for.
  sqlite3_busy_timeout(db, k_busy_timeout_ms);
  return out;
}

Database::Database(Database&& other) noexcept : m_db(other.m_db), m_path(std::move(other.m_path)) {
  other.m_db = nullptr;
}

Database& Database::operator=(Database&& other) noexcept {
  std::swap(m_db, other.m_db);
  std::swap(m_path, other.m_path);
  return *this;
}

Database::~Database() {
  if (m_db) sqlite3_close_v2(m_db);
}

Status Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Ok{};
  std::string why = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return fail(infrastructure(m_path + ": " + sentence_for(rc & 0xff, why)));
}

Expected<Statement> Database::prepare(std::string_view sql) const {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return fail(error(rc));
  return Statement(stmt, this);
}

Expected<std::int64_t> Database::scalar(std::string_view sql) const {
  FAULTLINE_TRY(Statement s, prepare(sql));
  FAULTLINE_TRY(const bool row, s.step());
  if (!row) return fail(infrastructure(m_path + ": a query of the store returned no row"));
  return s.integer(0);
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(m_db); }

int Database::changes() const { return sqlite3_changes(m_db); }

Error Database::error(std::string_view doing, int code) const {
  const char* why =
      m_db && sqlite3_extended_errcode(m_db) == code ? sqlite3_errmsg(m_db) : sqlite3_errstr(code);
  return infrastructure(m_path + ": " + std::string(doing) + ": " + sentence_for(code & 0xff, why));
}

Error Database::error(int code) const {
  const char* why =
      m_db && sqlite3_extended_errcode(m_db) == code ? sqlite3_errmsg(m_db) : sqlite3_errstr(code);
  return infrastructure(m_path + ": " + sentence_for(code & 0xff, why));
}

std::string sentence_for(int primary_code, std::string_view sqlite_message) {
  if (primary_code == SQLITE_BUSY || primary_code == SQLITE_LOCKED)
    return "another process held the results store's lock for over " +
           std::to_string(k_busy_timeout_ms / 1000) + " s (" + std::string(sqlite_message) + ")";
  return std::string(sqlite_message);
}

Expected<Transaction> Transaction::begin(Database& db) {
  if (auto s = db.exec("BEGIN IMMEDIATE"); !s) return fail(s.error());
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (m_db) (void)m_db->exec("ROLLBACK");
}

Status Transaction::commit() {
  Database* db = std::exchange(m_db, nullptr);
  if (auto s = db->exec("COMMIT"); !s) {
    (void)db->exec("ROLLBACK");
    return s;
  }
  return Ok{};
}

}  // namespace faultline::store
