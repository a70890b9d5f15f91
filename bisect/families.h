// bisect/families.h — crash families: the signatures of one bug. A bug that
// dies of SIGSEGV in one run, SIGILL in the next and a runtime's one-line panic
// in a third leaves three signatures; they are one family when they appear in
// the same crashing cells at compatible rates and no frames tell them apart.
// Owns only that reasoning and the matching of crashes to a family; where cell
// results come from (a run, a merge, a bisect) is the caller's business.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "sanitizers/crash.h"

namespace faultline::bisect {

// One signature as family grouping sees it.
struct Manifestation {
  std::string hash;  // the signature hash
  std::string tool;  // asan, signal, go, …; "exit" (a bare nonzero exit) and "faultline" (the
                     // workload could not run) never join a family
  std::string top_frame;  // key of the first meaningful frame; "" when it has none (signal only,
                          // frame-less panic)
};

// Runs per signature hash in one cell. A run that showed two signatures counts for both.
using CellSignatures = std::map<std::string, int>;

struct Family {
  std::vector<std::string>
      signatures;         // hashes; the leading one (framed, most runs, then by hash) first
  std::string top_frame;  // the members' common top frame; "" when every member is frame-less
};

// Groups `signatures` into families over `cells`. Two groups join when
//  - no frames tell them apart: at most one distinct non-empty top frame among
//    their members, and neither is a bare exit nor faultline's own failure;
//  - a frame-less group joins a framed one only where they appeared together in
//    a cell (a signature with real frames of its own stays its own family);
//  - their rates are compatible: in every cell, the share of the family's
//    crashing runs that show each group is one and the same (a Beta-binomial
//    Bayes factor of one shared share against a share per cell of at least
//    1/10; disjoint cells with many crashes each rule it out).
// Greedy: the pair with the largest Bayes factor joins first. Deterministic;
// families come in the order of their leading signatures in `signatures`.
std::vector<Family> group_families(const std::vector<Manifestation>& signatures,
                                   const std::vector<CellSignatures>& cells);

// A bare nonzero exit ("exit") or faultline's own failure to run the workload
// ("faultline"): no manifestation of a bug, so never in another's family.
bool stands_alone(const std::string& tool);

// The key of the first meaningful frame of a crash ("" when it has none), as
// its signature counts frames (sanitizers/signature.h).
std::string top_frame(const sanitizers::Crash& crash);

// Which crashes count as a bisect's target: every signature of one family, and
// crashes not met before that no frames tell apart from it (same top frame; or,
// for a family with frame-less members, any frame-less crash but a bare exit
// or faultline's own failure).
struct FamilyTarget {
  std::set<std::string> signatures;  // hashes, or prefixes of them (--signature)
  std::string top_frame;             // "" when no framed member
  bool frameless = false;            // frame-less crashes count
  bool exact = false;                // only `signatures` count (a framed --signature)

  bool matches(const sanitizers::Crash& crash) const;
  bool matches(const Manifestation& m) const;
};

}  // namespace faultline::bisect
