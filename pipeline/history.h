// What `faultline history` and `faultline sessions` look up in the results
// store (store/store.h): which store, and which recorded signature a prefix names.
#pragma once

#include <string>

#include "base/expected.h"
#include "store/store.h"

namespace faultline::pipeline {

// `db` when given, else MATRIX_DIR/.faultline/faultline.db beside `matrix_file`.
std::string store_path(const std::string& matrix_file, const std::string& db);

// The one recorded signature whose hash starts with `prefix`; bad input when
// none or several do, with a did-you-mean among the recorded hashes when one is close.
Expected<store::SignatureHistory> find_signature(store::Store& db, const std::string& prefix);

}  // namespace faultline::pipeline
