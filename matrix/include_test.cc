// matrix.include and matrix.exclude held against GitHub's strategy.matrix
// rules (docs.github.com "Running variations of jobs in a workflow": "Expanding
// or adding matrix configurations", "Excluding matrix configurations"), table by
// table: the cells a faultline.yaml expands to, with their include extras, and
// every warning and error `faultline validate` prints for it.
#include <gtest/gtest.h>

#include "matrix/expand.h"
#include "matrix/load.h"

namespace faultline::matrix {
namespace {

// Each cell as its id, then " + key=value" for every include extra it has.
std::vector<std::string> cell_lines(const CellTable& t) {
  std::vector<std::string> out;
  for (std::size_t c = 0; c < t.size(); ++c) {
    std::string line = t.id(c);
    for (std::size_t a = t.product_axes; a < t.stride(); ++a)
      if (const std::string* v = t.value(c, a)) line += " + " + t.axes[a].name + "=" + *v;
    out.push_back(line);
  }
  return out;
}

struct Outcome {
  std::string diagnostics;  // as validate prints them (errors and warnings)
  std::vector<std::string> cells;
};

Outcome expand_yaml(const std::string& yaml, const LoadOptions& options = {}) {
  LoadResult r = load_text(yaml, "m.yaml", options);
  if (!r.diagnostics.empty()) return {r.diagnostics.render("m.yaml"), {}};
  Diagnostics d;
  Expansion e = expand(r.config, d);
  return {d.render("m.yaml"), d.empty() ? cell_lines(e.cells) : std::vector<std::string>{}};
}

struct Case {
  const char* name;
  const char* yaml;
  std::vector<std::string> cells;  // empty when the file is refused
  const char* diagnostics;         // "" when there is nothing to say
};

class IncludeSemantics : public ::testing::TestWithParam<Case> {};

TEST_P(IncludeSemantics, ExpandsToTheseCellsWithTheseDiagnostics) {
  const Case& c = GetParam();
  Outcome o = expand_yaml(c.yaml);
  EXPECT_EQ(o.diagnostics, c.diagnostics) << c.yaml;
  EXPECT_EQ(o.cells, c.cells) << c.yaml;
}

// The issue's example: an include entry's key that is no axis is an extra,
// however close its name is to an axis (cxx beside cc).
const Case k_extra_beside_a_close_axis = {
    "ExtraBesideACloseAxisIsAnExtra",
    R"(version: 1
components: { lib: { versions: ["1.0"] } }
workloads:
  w: { run: "make CC={{ cc }} CXX={{ cxx }}", params: { cc: [gcc, clang] } }
matrix:
  include:
    - { cc: gcc, cxx: g++ }
    - { cc: clang, cxx: clang++ }
)",
    {"lib=1.0 sanitizer=none workload=w cc=gcc + cxx=g++",
     "lib=1.0 sanitizer=none workload=w cc=clang + cxx=clang++"},
    ""};

// `thread` beside the axis `threads`, used by the run command: a valid extra.
const Case k_thread_beside_threads = {
    "ThreadBesideThreadsIsAnExtraWhenARunUsesIt",
    R"(version: 1
components: { lib: { versions: ["1.0"] } }
workloads:
  w: { run: "stress -t {{ threads }} --pin {{ thread }}", params: { threads: ["2", "16"] } }
matrix:
  include:
    - { threads: "2", thread: shared }
    - { threads: "16", thread: pinned }
)",
    {"lib=1.0 sanitizer=none workload=w threads=2 + thread=shared",
     "lib=1.0 sanitizer=none workload=w threads=16 + thread=pinned"},
    ""};

// The same name that no command uses: GitHub adds it as a variable to every
// cell the entry applies to; faultline does the same and says it is likely a
// misspelt axis (a new cell under threads=64 was probably meant).
const Case k_misspelt_axis_unused = {
    "AMisspeltAxisNoCommandUsesIsAWarning",
    R"(version: 1
components: { lib: { versions: ["1.0"] } }
sanitizers: [none, asan]
workloads:
  w: { run: "stress -t {{ threads }}", params: { threads: ["2"] } }
matrix:
  include:
    - { sanitizer: asan, thread: "64" }
)",
    {"lib=1.0 sanitizer=none workload=w threads=2",
     "lib=1.0 sanitizer=asan workload=w threads=2 + thread=64"},
    "m.yaml:8:26: warning: matrix.include[0] key 'thread' is no axis, so it only adds the "
    "variable {{ thread }} ($FAULTLINE_THREAD) to the cells it applies to, and no run command "
    "uses it; did you mean the axis 'threads'?\n"};

// An include-only list: GitHub makes a job of each entry only when the matrix
// has no axes. A faultline matrix always has axes, so each entry applies to
// every cell and the later one replaces the earlier: one cell, and a warning.
const Case k_include_only_list = {
    "IncludeOnlyListCollapsesWithAWarningNamingTheLaterEntry",
    R"(version: 1
components: { lib: { versions: ["1.0"] } }
workloads:
  deploy: { run: "deploy {{ site }} {{ datacenter }}" }
matrix:
  include:
    - site: production
      datacenter: site-a
    - site: staging
      datacenter: site-b
)",
    {"lib=1.0 sanitizer=none workload=deploy + site=staging + datacenter=site-b"},
    "m.yaml:7:7: warning: matrix.include[0] has no effect: in the 1 cell it applies to, "
    "every value it adds is replaced by matrix.include[1] (9:7); an entry whose keys are no axes "
    "applies to every cell (GitHub makes a job of each include entry only in a matrix without "
    "axes, and a faultline matrix always has the sanitizer and workload axes): to get a cell per "
    "value, make 'site' a parameter of the workload\n"};

// GitHub's own example: {color: green} then {color: pink, animal: cat}: the
// second replaces only some of the first's values, as documented; no warning.
const Case k_partial_overwrite = {"APartlyReplacedEntryIsNoWarning",
                                  R"(version: 1
components: { fruit: { versions: [apple, pear] }, animal: { versions: [cat, dog] } }
workloads: { w: { run: "paint {{ color }}" } }
matrix:
  include:
    - { color: green }
    - { color: pink, animal: cat }
)",
                                  {"fruit=apple animal=cat sanitizer=none workload=w + color=pink",
                                   "fruit=apple animal=dog sanitizer=none workload=w + color=green",
                                   "fruit=pear animal=cat sanitizer=none workload=w + color=pink",
                                   "fruit=pear animal=dog sanitizer=none workload=w + color=green"},
                                  ""};

// An entry of axis keys only, matching existing cells, adds nothing.
const Case k_no_effect = {
    "AnEntryThatAddsNothingIsAWarning",
    R"(version: 1
components: { lib: { versions: ["1.0", "1.1"] } }
sanitizers: [none, asan]
workloads: { w: { run: "stress" } }
matrix:
  include:
    - { lib: "1.1", sanitizer: asan }
)",
    {"lib=1.0 sanitizer=none workload=w", "lib=1.0 sanitizer=asan workload=w",
     "lib=1.1 sanitizer=none workload=w", "lib=1.1 sanitizer=asan workload=w"},
    "m.yaml:7:7: warning: matrix.include[0] has no effect: the 1 cell it matches already has "
    "every value it gives; add a key that is no axis to give them a variable, or remove the "
    "entry\n"};

// Include extends only the original combinations that match; a complete entry
// that matches none adds a cell, and its new parameter value joins the axis.
const Case k_extend_and_add = {
    "IncludeExtendsMatchingCellsAndAddsACompleteNewOne",
    R"(version: 1
components: { lib: { versions: ["1.0", "1.1"] } }
sanitizers: [none, asan]
workloads: { w: { run: "stress -t {{ threads }}", params: { threads: ["2"] } } }
matrix:
  include:
    - { lib: "1.1", note: newest }
    - { lib: "1.0", sanitizer: asan, workload: w, threads: "64" }
)",
    {"lib=1.0 sanitizer=none workload=w threads=2", "lib=1.0 sanitizer=asan workload=w threads=2",
     "lib=1.1 sanitizer=none workload=w threads=2 + note=newest",
     "lib=1.1 sanitizer=asan workload=w threads=2 + note=newest",
     "lib=1.0 sanitizer=asan workload=w threads=64"},
    ""};

// Exclude with a partial key removes every cell that has it, before include;
// include can then bring one back as a new cell, which later entries do not extend.
const Case k_exclude_partial_then_include = {
    "ExcludePartialKeysThenIncludeBringsOneBack",
    R"(version: 1
components: { lib: { versions: ["1.0", "1.1"] } }
sanitizers: [none, tsan]
workloads: { w: { run: "stress" } }
matrix:
  exclude:
    - { sanitizer: tsan }
  include:
    - { lib: "1.1", sanitizer: tsan, workload: w }
    - { lib: "1.1", slow: "yes" }
)",
    {"lib=1.0 sanitizer=none workload=w", "lib=1.1 sanitizer=none workload=w + slow=yes",
     "lib=1.1 sanitizer=tsan workload=w"},
    ""};

// Two entries that make the same new cell: named both, each at its line (a
// cell is known by its axis values; the extras do not tell them apart).
const Case k_duplicate_new_cell = {
    "TwoEntriesMakingOneCellAreNamedAtTheirLines",
    R"(version: 1
components: { lib: { versions: ["1.0"] } }
sanitizers: [none, asan]
workloads: { w: { run: "stress {{ threads }}", params: { threads: ["2"] } } }
matrix:
  exclude: [ { sanitizer: asan } ]
  include:
    - { lib: "1.0", sanitizer: none, note: a }
    - { lib: "1.0", sanitizer: asan, workload: w, threads: "2", note: first }
    - { lib: "1.0", sanitizer: asan, workload: w, threads: "2", note: second }
)",
    {},
    "m.yaml:10:7: error: matrix.include[2] makes the new cell 'lib=1.0 sanitizer=asan workload=w "
    "threads=2', which matrix.include[1] (9:7) already makes; a cell is known by its axis values "
    "alone (keys that are no axis do not tell cells apart): merge the two entries, or give them "
    "different axis values\n"};

// Values are compared as exact text; GitHub's runner ignores letter case.
const Case k_case_in_exclude = {
    "ExcludeValueDifferingInCaseIsAnErrorThatSaysSo",
    R"(version: 1
components: { lib: { versions: ["1.0"] } }
sanitizers: [none, asan]
workloads: { w: { run: "stress" } }
matrix:
  exclude: [ { sanitizer: ASAN } ]
)",
    {},
    "m.yaml:6:16: error: matrix.exclude: 'ASAN' is not a value of axis 'sanitizer' (values are "
    "compared as exact text, letter case included: did you mean 'asan'?) (values: none, asan)\n"};

const Case k_case_in_include = {
    "IncludeParameterValueDifferingInCaseIsAWarning",
    R"(version: 1
components: { lib: { versions: ["1.0"] } }
workloads: { w: { run: "stress {{ mode }}", params: { mode: [fast, slow] } } }
matrix:
  include:
    - { lib: "1.0", sanitizer: none, workload: w, mode: Fast }
)",
    {"lib=1.0 sanitizer=none workload=w mode=fast", "lib=1.0 sanitizer=none workload=w mode=slow",
     "lib=1.0 sanitizer=none workload=w mode=Fast"},
    "m.yaml:6:51: warning: matrix.include[0]: 'Fast' is not a value of parameter 'mode' of "
    "workload 'w', whose value is 'fast': values are compared as exact text, letter case "
    "included (GitHub's runner takes them as equal), so this entry adds a value instead of "
    "selecting 'fast'\n"};

// Component versions in include must be listed versions (a cell's builds need
// them); GitHub would accept any value.
const Case k_unlisted_version = {
    "IncludeVersionMustBeListed",
    R"(version: 1
components: { lib: { versions: ["1.0"] } }
workloads: { w: { run: "stress" } }
matrix:
  include: [ { lib: "2.0", sanitizer: none, workload: w } ]
)",
    {},
    "m.yaml:5:16: error: matrix.include: '2.0' is not a value of axis 'lib' (did you mean "
    "'1.0'?) (values: 1.0)\n"};

// Values that are objects or lists (GitHub allows them) are refused at their place.
const Case k_object_value = {
    "IncludeValuesMustBeScalars",
    R"(version: 1
components: { lib: { versions: ["1.0"] } }
workloads: { w: { run: "stress" } }
matrix:
  include: [ { lib: "1.0", os: { name: linux } } ]
)",
    {},
    "m.yaml:5:32: error: matrix.include[0].os must be a single value, not a mapping (GitHub "
    "allows objects and lists here; in faultline each value is one environment variable and part "
    "of a cell id)\n"};

// GitHub's runner matches keys ignoring case, so `CC` would select the axis
// `cc` there; in faultline it would be a second variable FAULTLINE_CC: refused.
const Case k_key_differing_in_case = {
    "IncludeKeyDifferingFromAnAxisInCaseIsRefused",
    R"(version: 1
components: { lib: { versions: ["1.0"] } }
workloads: { w: { run: "make CC={{ cc }}", params: { cc: [gcc, clang] } } }
matrix:
  include: [ { CC: gcc, cxx: g++ } ]
)",
    {},
    "m.yaml:5:16: error: include key 'CC' exports FAULTLINE_CC, as parameter 'cc' of workload 'w' "
    "does; give it a name that differs in more than letter case and punctuation\n"};

INSTANTIATE_TEST_SUITE_P(Github, IncludeSemantics,
                         ::testing::Values(k_extra_beside_a_close_axis, k_thread_beside_threads,
                                           k_misspelt_axis_unused, k_include_only_list,
                                           k_partial_overwrite, k_no_effect, k_extend_and_add,
                                           k_exclude_partial_then_include, k_duplicate_new_cell,
                                           k_case_in_exclude, k_case_in_include, k_unlisted_version,
                                           k_object_value, k_key_differing_in_case),
                         [](const auto& info) { return std::string(info.param.name); });

// Values whose ids run together ("x b=y" then "z", "x" then "y b=z") make two
// cells of one id with no include in the file: named at the two components.
TEST(IncludeSemantics, AmbiguousIdsFromValuesAreNamedAtTheirAxes) {
  Outcome o = expand_yaml(R"(version: 1
components:
  a: { versions: ["x b=y", "x"] }
  b: { versions: ["z", "y b=z"] }
workloads: { w: { run: "true" } }
)");
  EXPECT_EQ(o.diagnostics,
            "m.yaml:3:3: error: components.a (3:3) and components.b (4:3) give two cells the one "
            "id 'a=x b=y b=z sanitizer=none workload=w' (a='x b=y', b='z'; a='x', b='y b=z'): a "
            "value holding ' NAME=' reads as another axis in a cell id, so change one of these "
            "values\n");
}

// GitHub's semantics alone (github_matrix), over the documented worked examples
// and the cases around them: each row's cells in GitHub's order.
struct GithubCase {
  const char* name;
  std::vector<std::pair<std::string, std::vector<std::string>>> axes;
  std::vector<Combination> exclude, include;
  std::vector<std::string> expected;
};

std::string combination_text(const Combination& c) {
  std::string out;
  for (const auto& [k, v] : c) out += (out.empty() ? "" : " ") + k + "=" + v;
  return out;
}

class GithubTable : public ::testing::TestWithParam<GithubCase> {};

TEST_P(GithubTable, GivesTheDocumentedCombinations) {
  const GithubCase& c = GetParam();
  std::vector<std::string> got;
  for (const auto& combo : github_matrix(c.axes, c.exclude, c.include))
    got.push_back(combination_text(combo));
  EXPECT_EQ(got, c.expected);
}

const std::vector<std::pair<std::string, std::vector<std::string>>> k_os_node = {
    {"os", {"linux", "windows"}}, {"node", {"14", "16"}}};

INSTANTIATE_TEST_SUITE_P(
    Documented, GithubTable,
    ::testing::Values(
        GithubCase{"ExcludeWithAPartialKeyRemovesEveryMatch",
                   k_os_node,
                   {{{"os", "windows"}}},
                   {},
                   {"os=linux node=14", "os=linux node=16"}},
        GithubCase{
            "ExcludeWithAValueNoCombinationHasRemovesNothing",
            k_os_node,
            {{{"os", "mac"}}},
            {},
            {"os=linux node=14", "os=linux node=16", "os=windows node=14", "os=windows node=16"}},
        GithubCase{"IncludeExtendsOnlyTheMatchingOriginals",
                   k_os_node,
                   {},
                   {{{"node", "16"}, {"npm", "8"}}},
                   {"os=linux node=14", "os=linux node=16 npm=8", "os=windows node=14",
                    "os=windows node=16 npm=8"}},
        GithubCase{"IncludeThatOverwritesAnOriginalValueAddsANewCombination",
                   k_os_node,
                   {},
                   {{{"os", "mac"}, {"node", "16"}}},
                   {"os=linux node=14", "os=linux node=16", "os=windows node=14",
                    "os=windows node=16", "os=mac node=16"}},
        GithubCase{"IncludeOfOnlyNewKeysExtendsEveryCombination",
                   k_os_node,
                   {},
                   {{{"site", "a"}}, {{"site", "b"}}},
                   {"os=linux node=14 site=b", "os=linux node=16 site=b",
                    "os=windows node=14 site=b", "os=windows node=16 site=b"}},
        GithubCase{"IncludeNeverOverwritesOriginalsButOverwritesAddedValues",
                   k_os_node,
                   {},
                   {{{"os", "linux"}, {"cc", "gcc"}}, {{"cc", "clang"}, {"node", "16"}}},
                   {"os=linux node=14 cc=gcc", "os=linux node=16 cc=clang", "os=windows node=14",
                    "os=windows node=16 cc=clang"}},
        GithubCase{"ANewCombinationIsNotExtendedByLaterEntries",
                   k_os_node,
                   {},
                   {{{"os", "bsd"}}, {{"os", "bsd"}, {"cc", "clang"}}},
                   {"os=linux node=14", "os=linux node=16", "os=windows node=14",
                    "os=windows node=16", "os=bsd", "os=bsd cc=clang"}},
        GithubCase{"IncludeCanBringBackAnExcludedCombinationAsANewOne",
                   k_os_node,
                   {{{"os", "windows"}, {"node", "14"}}},
                   {{{"os", "windows"}, {"node", "14"}, {"note", "back"}}},
                   {"os=linux node=14", "os=linux node=16", "os=windows node=16",
                    "os=windows node=14 note=back"}},
        GithubCase{
            "AnExtraAddedEarlierDoesNotSelectCombinations",
            k_os_node,
            {},
            {{{"os", "linux"}, {"color", "green"}}, {{"color", "green"}, {"shape", "x"}}},
            {"os=linux node=14 color=green shape=x", "os=linux node=16 color=green shape=x",
             "os=windows node=14 color=green shape=x", "os=windows node=16 color=green shape=x"}},
        GithubCase{"IncludeOnlyMatrixMakesOneCombinationPerEntry",
                   {},
                   {},
                   {{{"site", "production"}, {"datacenter", "site-a"}},
                    {{"site", "staging"}, {"datacenter", "site-b"}}},
                   {"site=production datacenter=site-a", "site=staging datacenter=site-b"}}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace faultline::matrix
