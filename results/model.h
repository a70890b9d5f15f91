// results/model.h — the typed model of results.json (schema `faultline.results/1`,
// docs/results.md): the one place that knows its fields. Each struct converts
// to and from nlohmann::json (to_json/from_json beside it), so a writer fills
// fields and a renderer reads them; neither spells a key. Producing the values
// (runner/, bisect/, reporters/derive_summary) and rendering them (reporters/)
// are left to others.
//
// Presence: a field that docs/results.md calls "present when …" is a
// std::optional here, written only when set; every other field is always
// written. from_json takes a missing key as the field's default and throws
// nlohmann::json::exception on a value of the wrong type (reporters/load turns
// that into a message). Keys this faultline does not know, at the top level and
// in a `bisect[]` entry, are kept in `extra` and written back unchanged.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace faultline::results {

inline constexpr const char* k_schema = "faultline.results/1";

// Axis name → value: a cell's values, a bisect step's or answer's cell.
using Values = std::map<std::string, std::string>;

struct Axis {
  std::string name;
  std::string kind;  // component, sanitizer, workload, param
  std::vector<std::string> values;
  bool operator==(const Axis&) const = default;
};

struct Options {
  int runs = 0;
  int jobs = 0;
  std::string stop;                  // first-crash, confidence, all, bisect …
  std::optional<std::string> shard;  // "K/N"; written as null when unset
  bool operator==(const Options&) const = default;
};

// A crash rate with its two-sided 95% interval (runner/verdict.h), fractions.
struct Rate {
  double estimate = 0;
  double low = 0;
  double high = 0;
  bool operator==(const Rate&) const = default;
};

// cells[].signatures[]: which crash a cell showed, in how many runs.
struct CellSignature {
  std::string hash;
  int runs = 0;
  bool operator==(const CellSignature&) const = default;
};

struct BuildError {
  std::string error;
  std::string command;
  std::string log_tail;
  bool operator==(const BuildError&) const = default;
};

struct Cell {
  std::string id;    // "library=1.2 binding=0.8 …"
  std::string hash;  // 8 hex digits
  std::size_t index = 0;
  Values values;
  std::string verdict;  // pass, crash, hang, build-error, skipped
  std::optional<std::string> skipped_reason;
  int runs = 0;
  int crashes = 0;
  int hangs = 0;
  Rate rate;
  std::string summary;  // "3 of 20 runs (15%; 95% CI 5.2%–36%)"
  std::vector<CellSignature> signatures;
  double wall_seconds = 0;
  std::optional<std::string> repro;
  std::optional<std::string> hung_stacks;
  std::optional<BuildError> build_error;
  bool operator==(const Cell&) const = default;
};

struct Frame {
  std::string function;
  std::string file;
  int line = 0;
  std::string module;
  bool operator==(const Frame&) const = default;
};

struct Signature {
  std::string hash;  // 12 hex digits
  std::string text;  // "asan heap-use-after-free: gate_worker > gate_call > main"
  std::string tool;
  std::string kind;
  std::string location;
  std::string summary;
  std::optional<std::string> top_frame;  // absent in files from before the field
  std::vector<Frame> frames;             // innermost first
  std::string excerpt;
  std::vector<std::string> cells;  // hashes of the cells that showed it
  int runs = 0;
  std::optional<std::string> attribution;
  std::optional<std::string> family;
  std::optional<std::string> baseline;  // "new" or "still present" (report --baseline)
  bool operator==(const Signature&) const = default;
};

struct Family {
  std::string hash;
  std::string text;
  std::vector<std::string> signatures;  // leading one first
  std::string top_frame;
  std::vector<std::string> cells;
  int runs = 0;
  std::string summary;
  std::optional<std::string> attribution;
  bool operator==(const Family&) const = default;
};

struct Build {
  std::string id;
  std::size_t index = 0;
  std::string state;  // ok, failed, dependency-failed
  bool cached = false;
  double seconds = 0;
  std::string dir;
  std::string log;
  std::string command;
  std::optional<std::string> error;
  bool operator==(const Build&) const = default;
};

struct Totals {
  int cells = 0, pass = 0, crash = 0, hang = 0, build_error = 0, skipped = 0;
  int runs = 0, crashing_runs = 0, signatures = 0, families = 0;
  int builds_run = 0, builds_cached = 0, builds_failed = 0;
  bool operator==(const Totals&) const = default;
};

// Only in the output of `faultline merge`.
struct Merged {
  std::vector<std::string> shards;  // "1/3", …
  std::uint32_t of = 0;
  std::vector<std::uint32_t> missing;
  bool partial = false;
  bool operator==(const Merged&) const = default;
};

// Where `faultline run` recorded its runs (docs/store.md).
struct StoreRef {
  std::string db;
  std::int64_t session = 0;
  bool operator==(const StoreRef&) const = default;
};

struct FixedSignature {
  std::string hash, text, tool, kind;
  int runs = 0;
  bool operator==(const FixedSignature&) const = default;
};

// Only from `faultline report --baseline REF`.
struct Baseline {
  std::string source;
  std::vector<std::string> new_signatures;  // key "new"
  std::vector<std::string> still_present;
  std::vector<FixedSignature> fixed;
  bool operator==(const Baseline&) const = default;
};

// What counted as a bisect's target (bisect::FamilyTarget).
struct BisectFamily {
  std::vector<std::string> signatures;
  std::string top_frame;
  bool frameless = false;
  bool exact = false;
  bool widened = false;
  bool operator==(const BisectFamily&) const = default;
};

struct BisectRate {
  double estimate = 0, low = 0, high = 0;
  int target_runs = 0;
  int runs = 0;
  std::optional<std::string> words;  // as people read it: "7 of 7 runs; ≥ 65% at 95%"
  bool operator==(const BisectRate&) const = default;
};

// One look at a cell: runs, target crashes, other crashes, its verdict.
struct BisectCheck {
  int runs = 0, crashes = 0, other = 0;
  std::string verdict;
  bool operator==(const BisectCheck&) const = default;
};

struct BisectVerification {
  BisectCheck culprit, predecessor, successor;
  bool operator==(const BisectVerification&) const = default;
};

struct ManifestationChange {
  BisectRate without_target, with_target;
  bool operator==(const ManifestationChange&) const = default;
};

struct BisectStep {
  Values values;
  std::optional<std::string> phase;  // 1-D: prior, bad-end, search, verify
  int runs = 0, crashes = 0, other = 0;
  std::string verdict;
  std::optional<std::string> leading;  // 1-D
  std::optional<double> leading_posterior;
  // Present when > 0: runs that crashed with their stack lost (runner::stack_lost_reason),
  // counted neither as the target nor as another crash.
  std::optional<int> unknown;
  bool operator==(const BisectStep&) const = default;
};

// The commit behind a bisect's answer when the searched versions are git
// commits (runner/git_info.h): the first changed one.
struct BisectCommit {
  std::string hash;     // all 40 hex digits
  std::string subject;  // the first line of its message
  std::string author;   // "Name <email>"
  std::string date;     // the author date, strict ISO 8601: "2026-01-09T10:00:00+00:00"
  bool operator==(const BisectCommit&) const = default;
};

// `interval.spread[]`: a probe that looked for a crashing version.
struct SpreadProbe {
  std::string version;
  int runs = 0, crashes = 0;
  bool unbuildable = false;
  bool operator==(const SpreadProbe&) const = default;
};

// A 1-D interval search (docs/bisect.md "Intervals"): the crashing interval's
// ends, open or found, as versions of the searched axis, and, when the versions
// are git commits, the commit at each found end with its compare link (the start:
// last good → first crashing; the end: last crashing → first fixed).
struct BisectInterval {
  bool start_open = false, end_open = false;
  std::optional<std::string> first_crashing, last_good, last_crashing, first_fixed;
  std::optional<std::string> start_outcome, end_outcome;  // culprit, range, noise, …
  std::vector<SpreadProbe> spread;
  std::string summary;
  std::optional<BisectCommit> first_crashing_commit, first_fixed_commit;
  std::optional<std::string> start_compare_url, end_compare_url;
  nlohmann::json extra = nlohmann::json::object();  // keys not known here
  bool operator==(const BisectInterval&) const = default;

  // One end of the interval as the reports show it: the start (first crashing, last
  // good) or the end (first fixed, last crashing), whether it is open, how its
  // search ended, and its commit. Views into this interval: keep it alive.
  struct End {
    const char* first_words;  // "first crashing" or "first fixed"
    const char* last_words;   // "last good" or "last crashing"
    const std::optional<std::string>& first;
    const std::optional<std::string>& last;
    bool open;
    const char* open_words;  // "from its oldest" or "to its newest"
    const std::optional<std::string>& outcome;
    const std::optional<BisectCommit>& commit;
    const std::optional<std::string>& compare_url;
  };
  End start() const {
    return {"first crashing",  "last good",   first_crashing,        last_good,        start_open,
            "from its oldest", start_outcome, first_crashing_commit, start_compare_url};
  }
  End end() const {
    return {"first fixed",   "last crashing", first_fixed,        last_crashing,  end_open,
            "to its newest", end_outcome,     first_fixed_commit, end_compare_url};
  }
};

// What one `faultline bisect` spent probing, as measured: the builds it ran (not
// found in the build cache; builds made ahead count, used or not) and the runs it
// made, each with its total seconds.
struct BisectCosts {
  int builds = 0;
  double build_seconds = 0;  // the builds' own clocks, summed
  int runs = 0;
  double run_seconds = 0;  // the runs' wall time, summed
  bool operator==(const BisectCosts&) const = default;
};

struct Contradiction {
  Values crashing, passing;
  bool operator==(const Contradiction&) const = default;
};

// One answer of `faultline bisect`. Entries come in two shapes (1-D, 2-D) and
// from several versions, so every field is optional: what was read is written.
struct BisectAnswer {
  std::optional<std::string> signature, signature_text;
  std::optional<BisectFamily> family;
  std::optional<std::vector<std::string>> axes;
  std::optional<std::string> base, direction, status, summary;
  std::optional<Values> first_crashing, last_passing, first_fixed, last_crashing;
  std::optional<double> confidence, confidence_goal;
  std::optional<BisectRate> crash_rate;
  std::optional<int> runs, other_crashes;
  std::optional<BisectVerification> verification;
  std::optional<std::vector<std::string>> unbuildable, contradicting;
  std::optional<std::vector<BisectStep>> steps;
  std::optional<ManifestationChange> manifestation_changed;
  // 1-D over git commits: the first changed commit, and the GitHub compare link
  // from the last unchanged one to it ("https://github.com/OWNER/REPO/compare/A...B")
  std::optional<BisectCommit> first_commit;
  std::optional<std::string> compare_url;
  // 1-D interval search (docs/bisect.md "Intervals"): both ends, and each end's commit
  std::optional<BisectInterval> interval;
  std::optional<BisectCosts> costs;
  // 2-D only
  std::optional<std::vector<Values>> minimal_pairs;
  std::optional<std::map<std::string, std::optional<std::string>>> first_crashing_by_row;
  std::optional<std::vector<Contradiction>> contradictions;
  std::optional<int> probes, grid_cells, runs_per_pair;
  std::optional<nlohmann::json> region;             // 2-D bounded from evidence (status "region")
  nlohmann::json extra = nlohmann::json::object();  // keys not known here
  bool operator==(const BisectAnswer&) const = default;
};

// `attribution` of early `faultline bisect` versions: which axis explains a
// signature, as a table (rendered as "Which axis"); signatures[].attribution
// and families[].attribution replaced it.
struct AxisEffect {
  std::string name;
  std::string effect;  // decisive, necessary, none
  std::string detail;
  bool operator==(const AxisEffect&) const = default;
};

struct AxisAttribution {
  std::optional<std::string> signature, axis, summary;
  std::optional<std::vector<AxisEffect>> axes;
  bool operator==(const AxisAttribution&) const = default;
};

// The whole document.
struct Results {
  std::string schema = k_schema;
  std::string name;
  std::string matrix_file;
  std::optional<std::string> matrix_fingerprint;
  std::string started_at;  // ISO 8601, UTC
  std::string finished_at;
  bool interrupted = false;
  Options options;
  std::vector<Axis> axes;
  std::vector<Cell> cells;
  std::vector<Signature> signatures;
  std::vector<Family> families;
  std::vector<Build> builds;
  Totals totals;
  std::optional<Merged> merged;
  std::optional<StoreRef> store;
  std::optional<std::vector<BisectAnswer>> bisect;  // an old single object reads as one entry
  std::optional<Baseline> baseline;
  std::optional<AxisAttribution> attribution;
  nlohmann::json extra = nlohmann::json::object();  // keys not known here
  bool operator==(const Results&) const = default;
};

// Every key always written; a missing key reads as the default.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Axis, name, kind, values)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Rate, estimate, low, high)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CellSignature, hash, runs)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BuildError, error, command, log_tail)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Frame, function, file, line, module)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Totals, cells, pass, crash, hang, build_error,
                                                skipped, runs, crashing_runs, signatures, families,
                                                builds_run, builds_cached, builds_failed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Merged, shards, of, missing, partial)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StoreRef, db, session)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FixedSignature, hash, text, tool, kind, runs)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BisectFamily, signatures, top_frame, frameless,
                                                exact, widened)
void to_json(nlohmann::json& j, const BisectRate& x);  // model.cc: `words` only when set
void from_json(const nlohmann::json& j, BisectRate& x);
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BisectCheck, runs, crashes, other, verdict)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BisectVerification, culprit, predecessor, successor)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BisectCommit, hash, subject, author, date)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ManifestationChange, without_target, with_target)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SpreadProbe, version, runs, crashes, unbuildable)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BisectCosts, builds, build_seconds, runs,
                                                run_seconds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Contradiction, crashing, passing)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AxisEffect, name, effect, detail)

// Hand-written (model.cc): optional keys, a renamed key, unknown keys kept.
void to_json(nlohmann::json& j, const Options& x);
void from_json(const nlohmann::json& j, Options& x);
void to_json(nlohmann::json& j, const Cell& x);
void from_json(const nlohmann::json& j, Cell& x);
void to_json(nlohmann::json& j, const Signature& x);
void from_json(const nlohmann::json& j, Signature& x);
void to_json(nlohmann::json& j, const Family& x);
void from_json(const nlohmann::json& j, Family& x);
void to_json(nlohmann::json& j, const Build& x);
void from_json(const nlohmann::json& j, Build& x);
void to_json(nlohmann::json& j, const Baseline& x);
void from_json(const nlohmann::json& j, Baseline& x);
void to_json(nlohmann::json& j, const BisectStep& x);
void from_json(const nlohmann::json& j, BisectStep& x);
void to_json(nlohmann::json& j, const BisectInterval& x);
void from_json(const nlohmann::json& j, BisectInterval& x);
void to_json(nlohmann::json& j, const BisectAnswer& x);
void from_json(const nlohmann::json& j, BisectAnswer& x);
void to_json(nlohmann::json& j, const AxisAttribution& x);
void from_json(const nlohmann::json& j, AxisAttribution& x);
void to_json(nlohmann::json& j, const Results& x);
void from_json(const nlohmann::json& j, Results& x);

}  // namespace faultline::results
