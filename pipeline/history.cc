#include "pipeline/history.h"

#include <algorithm>
#include <filesystem>

#include "base/text.h"

namespace faultline::pipeline {

namespace fs = std::filesystem;

std::string store_path(const std::string& matrix_file, const std::string& db) {
  if (!db.empty()) return db;
  return (fs::absolute(matrix_file).parent_path() / ".faultline" / store::k_db_file_name)
      .lexically_normal()
      .string();
}

Expected<store::SignatureHistory> find_signature(store::Store& db, const std::string& prefix) {
  FAULTLINE_TRY(const auto all, db.signatures());
  std::vector<const store::SignatureHistory*> matches;
  for (const auto& s : all)
    if (s.hash.rfind(prefix, 0) == 0) matches.push_back(&s);
  if (matches.size() == 1) return *matches.front();
  if (matches.size() > 1) {
    std::vector<std::string> hashes;
    for (const auto* m : matches) hashes.push_back(m->hash);
    return fail(bad_input("--signature '" + prefix + "' matches " + std::to_string(matches.size()) +
                          " signatures (" + join(hashes, ", ") + "); give more digits"));
  }
  std::vector<std::string> heads;
  for (const auto& s : all)
    heads.push_back(s.hash.substr(0, std::max(prefix.size(), std::size_t{1})));
  std::string message = "no recorded signature starts with '" + prefix + "' in " + db.path();
  // A suggestion only for a prefix long enough to have been meant (a typo in a copied hash).
  if (auto close = prefix.size() >= 4 ? did_you_mean(prefix, heads) : std::nullopt)
    for (const auto& s : all)
      if (s.hash.rfind(*close, 0) == 0) {
        message += " (did you mean '" + s.hash + "'?)";
        break;
      }
  return fail(bad_input(message + "; `faultline history` lists them"));
}

}  // namespace faultline::pipeline
