// store/schema.h — the store's versioned schema: numbered migrations, each
// applied once, in order, inside one transaction when a database is opened;
// meta(schema_version) says how far a file has come. Adding a table or column
// means appending a migration, never editing one that has shipped.
#pragma once

#include <string>
#include <vector>

#include "base/expected.h"
#include "store/sqlite.h"

namespace faultline::store {

// PRAGMA application_id of every faultline database ("FLT1"), so a foreign
// SQLite file is told apart from an old faultline one.
inline constexpr int k_application_id = 0x464c5431;

struct Migration {
  int version = 0;  // 1, 2, 3, …: the schema_version after it
  std::string sql;
};

// faultline's migrations, oldest first.
const std::vector<Migration>& migrations();

// Brings `db` up to the last of `steps` in one transaction: a fresh file gets
// every step, an older one the missing steps. Refuses (bad input: exit 2) a
// file from a newer faultline, and (infrastructure: exit 3) a file that is not
// SQLite or is another program's database. Returns the schema version.
Expected<int> migrate(Database& db, const std::vector<Migration>& steps = migrations());

}  // namespace faultline::store
