#include "results/records.h"

namespace faultline::results {

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::pass:
      return "pass";
    case Verdict::crash:
      return "crash";
    case Verdict::hang:
      return "hang";
    case Verdict::build_error:
      return "build-error";
    case Verdict::skipped:
      return "skipped";
  }
  return "?";
}

Verdict CellResult::verdict(bool selected) const {
  if (!build_error.empty()) return Verdict::build_error;
  if (crashes > 0) return Verdict::crash;
  if (hangs > 0) return Verdict::hang;
  if (runs == 0 || !selected) return Verdict::skipped;
  return Verdict::pass;
}

}  // namespace faultline::results
