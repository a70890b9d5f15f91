#include "pipeline/baseline.h"

#include <filesystem>

#include "reporters/load.h"
#include "store/store.h"

namespace faultline::pipeline {

Expected<reporters::Baseline> load_baseline(const std::string& ref, const std::string& db,
                                            const nlohmann::json& results) {
  const bool number =
      !ref.empty() && ref.size() < 18 && ref.find_first_not_of("0123456789") == std::string::npos;
  std::error_code ec;
  if (!number || std::filesystem::exists(ref, ec)) {
    FAULTLINE_TRY(const nlohmann::json base, reporters::load_results(ref));
    return reporters::baseline_from_results(base, ref);
  }
  std::string db_path = db;
  if (db_path.empty() && results.contains("store") && results["store"].is_object())
    db_path = results["store"].value("db", "");
  if (db_path.empty()) db_path = std::string(".faultline/") + store::k_db_file_name;
  FAULTLINE_TRY(auto store_db, store::Store::open(db_path, store::Database::Mode::existing));
  const std::int64_t id = std::stoll(ref);
  FAULTLINE_TRY(const auto session, store_db->session(id));
  if (!session)
    return fail(
        bad_input(db_path + " has no session " + ref + " (`faultline sessions` lists them)"));
  FAULTLINE_TRY(const auto signatures, store_db->session_signatures(id));
  reporters::Baseline b{
      "session " + ref + " (" + session->kind + " of " + session->started_at.substr(0, 19) + "Z)",
      {}};
  for (const auto& s : signatures)
    b.signatures.push_back({s.hash, s.text, s.tool, s.kind, static_cast<int>(s.runs)});
  return b;
}

}  // namespace faultline::pipeline
