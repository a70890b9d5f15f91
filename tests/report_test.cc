// Report formats: golden tests (tests/reporters/results.json, a real run, in; the
// Markdown, JUnit and SARIF beside it out), hostile crash output that must leave
// every format valid (checked with real parsers: commonmark, xmllint against a
// JUnit schema, ajv against the official SARIF 2.1.0 schema), and `faultline report`.
// FAULTLINE_UPDATE_GOLDEN=1 rewrites the expected files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "base/utf8.h"
#include "reporters/html.h"
#include "reporters/junit.h"
#include "reporters/load.h"
#include "reporters/markdown.h"
#include "reporters/sarif.h"
#include "reporters/terminal.h"
#include "tests/support.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

const fs::path k_fixtures = fs::path(FAULTLINE_SOURCE_DIR) / "tests/reporters";
const fs::path k_npm = fs::path(FAULTLINE_SOURCE_DIR) / "build/npm";
constexpr const char* k_repo_root = "/src/gate-demo";  // where the fixture's run happened

using e2e::Outcome;
using e2e::read_text;
using e2e::run_program;
using testing::ScratchDir;

json fixture() {
  auto r = reporters::load_results((k_fixtures / "results.json").string());
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : json();
}

void expect_golden(const std::string& name, const std::string& actual) {
  const fs::path expected = k_fixtures / name;
  if (std::getenv("FAULTLINE_UPDATE_GOLDEN")) std::ofstream(expected, std::ios::binary) << actual;
  EXPECT_EQ(actual, read_text(expected))
      << "differs from " << expected << " (FAULTLINE_UPDATE_GOLDEN=1 rewrites it)";
}

reporters::SarifOptions sarif_options() {
  reporters::SarifOptions o;
  o.repo_root = k_repo_root;
  return o;
}

// ---- golden ----

TEST(ReportGolden, Markdown) { expect_golden("results.md", reporters::render_markdown(fixture())); }

TEST(ReportGolden, MarkdownWithBisectAndAttribution) {
  json r = fixture();
  r.update(json::parse(read_text(k_fixtures / "bisect.json")));
  expect_golden("results.bisect.md", reporters::render_markdown(r));
}

// The HTML report showed no bisect answer; it shows what the terminal report
// says (interval ends, commits, compare links, costs), escaped.
TEST(ReportHtml, ShowsTheBisectAnswerAsTheTerminalWordsItEscaped) {
  json r = fixture();
  r["bisect"] = json::parse(R"([{
    "signature": "9b6506766412", "axes": ["lib"], "status": "found",
    "summary": "lib 3 <b>introduced</b> it & lib 5 fixed it",
    "interval": {
      "first_crashing": "3", "last_good": "2", "last_crashing": "4", "first_fixed": "5",
      "start_outcome": "culprit", "end_outcome": "culprit", "summary": "crashes in 3 .. 4",
      "first_crashing_commit": {"hash": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "subject": "copy with <memcpy> & free", "author": "Ann <ann@example.org>",
        "date": "2026-01-09T10:00:00+00:00"},
      "start_compare_url": "https://github.com/o/r/compare/2...3"},
    "costs": {"builds": 4, "build_seconds": 12.5, "runs": 80, "run_seconds": 30.25}}])");
  const std::string terminal = reporters::render_bisect(r);
  ASSERT_THAT(terminal, HasSubstr("copy with <memcpy> & free"));
  const std::string html = reporters::render_html(r);
  std::string shown = terminal.substr(terminal.find_first_not_of('\n'));
  for (const auto& [raw, escaped] : std::vector<std::pair<std::string, std::string>>{
           {"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}})
    for (std::size_t at = 0; (at = shown.find(raw, at)) != std::string::npos; at += escaped.size())
      shown.replace(at, raw.size(), escaped);
  EXPECT_THAT(html, HasSubstr("<section class=\"bisect\"><h2>Bisect</h2><pre>" + shown +
                              "</pre></section>\n"));
  EXPECT_THAT(html, HasSubstr("lib 3 &lt;b&gt;introduced&lt;/b&gt; it &amp; lib 5 fixed it"));
  EXPECT_THAT(html, HasSubstr("copy with &lt;memcpy&gt; &amp; free"));
  EXPECT_THAT(html, Not(HasSubstr("<memcpy>")));
}

TEST(ReportGolden, Junit) {
  expect_golden("results.junit.xml", reporters::render_junit(fixture()));
}

TEST(ReportGolden, Sarif) {
  expect_golden("results.sarif.json", reporters::render_sarif(fixture(), sarif_options()));
}

// The typed model (results/model.h) read by reporters::load renders exactly what
// the JSON did before it: results.txt and results.html were written by the
// renderers that read results.json by string keys, and are kept as they were.
TEST(ReportGolden, TerminalFromTheTypedModel) {
  auto r = reporters::load((k_fixtures / "results.json").string());
  ASSERT_TRUE(r) << r.error().message;
  expect_golden("results.txt", reporters::render_terminal(*r));
  EXPECT_EQ(reporters::render_terminal(fixture()), reporters::render_terminal(*r));
}

TEST(ReportGolden, HtmlFromTheTypedModel) {
  auto r = reporters::load((k_fixtures / "results.json").string());
  ASSERT_TRUE(r) << r.error().message;
  expect_golden("results.html", reporters::render_html(*r));
}

TEST(ReportGolden, MarkdownJunitAndSarifFromTheTypedModel) {
  auto r = reporters::load((k_fixtures / "results.json").string());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(reporters::render_markdown(*r), read_text(k_fixtures / "results.md"));
  EXPECT_EQ(reporters::render_junit(*r), read_text(k_fixtures / "results.junit.xml"));
  EXPECT_EQ(reporters::render_sarif(*r, sarif_options()),
            read_text(k_fixtures / "results.sarif.json"));
}

// The fixture (written before cells[].index, builds[].index, top_frame and
// families existed) loads into the model and back without losing or changing a
// field: the only differences are the newer fields, added with their defaults.
TEST(ReportGolden, TheFixtureSurvivesTheTypedModel) {
  const json before = fixture();
  const json after = before.get<results::Results>();
  std::set<std::string> added;
  for (const auto& op : json::diff(before, after)) {
    EXPECT_EQ(op["op"], "add") << op.dump();
    added.insert(std::regex_replace(op["path"].get<std::string>(), std::regex("[0-9]+"), "N"));
  }
  EXPECT_EQ(added, (std::set<std::string>{"/builds/N/index", "/cells/N/index", "/families",
                                          "/totals/families"}));
}

TEST(ReportLoad, AFieldOfTheWrongTypeIsRefusedWithTheFileName) {
  ScratchDir scratch("report");
  json r = fixture();
  r["cells"][0]["rate"] = "high";
  const fs::path file = scratch.write("r.json", r.dump());
  auto loaded = reporters::load(file.string());
  ASSERT_FALSE(loaded);
  EXPECT_THAT(loaded.error().message, HasSubstr(file.string() + ": a field of the wrong type ("));
  EXPECT_TRUE(reporters::load_results(file.string()));  // the shape check alone lets it through
}

// ---- what the golden output must say ----

TEST(ReportMarkdown, HasTheVerdictTheGridAndAFoldedExcerptPerSignature) {
  const std::string md = reporters::render_markdown(fixture());
  EXPECT_THAT(md, HasSubstr("**✗ 4 crash signatures in 4 of 12 cells (48 runs)**"));
  EXPECT_THAT(md, HasSubstr("| **3** | ✓ 8 | ✗ 8/8 |"));
  EXPECT_THAT(md, HasSubstr("<details><summary>Report excerpt</summary>"));
  EXPECT_THAT(md, HasSubstr("```sh\ncd /src/gate-demo && ASAN_OPTIONS="));
}

TEST(ReportSarif, PlacesTheCrashInTheRepositoryAndKeepsTheStack) {
  const json s = reporters::sarif_json(fixture(), sarif_options());
  const json& results = s["runs"][0]["results"];
  ASSERT_EQ(results.size(), 4u);
  const json& uaf = results[3];
  EXPECT_EQ(uaf["ruleId"], "asan/heap-use-after-free");
  EXPECT_EQ(uaf["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "bug.c");
  EXPECT_EQ(uaf["locations"][0]["physicalLocation"]["region"]["startLine"], 8);
  const json& steps = uaf["codeFlows"][0]["threadFlows"][0]["locations"];
  EXPECT_EQ(steps.back()["location"]["message"]["text"], "gate_call (bug.c:8)");
  // A signal without frames is placed on the matrix file.
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "faultline.yaml");
}

// ---- hostile crash output ----

std::string hostile_text() {
  std::string t = "bad utf-8: \xff\xfe \xc3\x28 \xed\xa0\x80 end\n";
  t += std::string("NUL:\0:", 6) + "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x7f\n";
  t += "</details> --> <!-- <script>alert(1)</script> ]]> ``` ~~~ | a | b | & &amp; <b>bold</b>\n";
  t += "::error file=x::injected\n";
  t += std::string(10'000'000, 'A') + "\n";
  t += "SUMMARY: after the long line\n";
  return t;
}

json hostile() {
  json r = fixture();
  const std::string t = hostile_text();
  r["name"] = "x</details>|<script>";
  for (auto& s : r["signatures"]) {
    s["excerpt"] = t;
    s["summary"] = t.substr(0, 200);
    s["text"] = "asan </details> | `x` <script>";
    s["frames"].push_back(
        {{"function", "f</details>\xff"}, {"file", "/src/gate-demo/a b|<c>.c"}, {"line", 3}});
  }
  for (auto& c : r["cells"]) {
    c["repro"] = "echo '" + t.substr(0, 300) + "'";
    c["id"] = c["id"].get<std::string>() + " note=</details>|\x1b[1m";
  }
  return r;
}

void expect_clean(const std::string& text) {
  EXPECT_FALSE(first_invalid_utf8(text))
      << "invalid UTF-8 at byte " << first_invalid_utf8(text).value_or(0);
  EXPECT_EQ(text.find('\0'), std::string::npos) << "a NUL byte";
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << "an ANSI escape";
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(ReportRobust, MarkdownKeepsCrashOutputInsideItsBlocks) {
  const std::string md = reporters::render_markdown(hostile());
  expect_clean(md);
  EXPECT_LE(md.size(), 65'536u);
  const fs::path commonmark = k_npm / "node_modules/.bin/commonmark";
  if (!fs::exists(commonmark)) GTEST_SKIP() << "run scripts/install-test-tools.sh for commonmark";
  ScratchDir scratch("report");
  const Outcome html = run_program({commonmark.string(), scratch.write("r.md", md).string()});
  const std::string output = html.out + html.err;
  ASSERT_EQ(html.status, 0) << output;
  // Every <details> we open is still closed by us; no tag or comment leaks from the output.
  EXPECT_EQ(count(output, "<details>"), count(md, "<details>"));
  EXPECT_EQ(count(output, "</details>"), count(md, "\n</details>\n"));
  EXPECT_THAT(output, Not(HasSubstr("<script")));
  EXPECT_THAT(output, Not(HasSubstr("<!--")));
  EXPECT_THAT(output, Not(HasSubstr("<b>")));
}

TEST(ReportRobust, MarkdownAlwaysFitsAGithubComment) {
  json r = fixture();
  json sig = r["signatures"][3];
  sig["excerpt"] = std::string(3'000, 'x') + "\n" + std::string(5'000, 'y');
  for (int i = 0; i < 300; ++i) r["signatures"].push_back(sig);
  const std::string md = reporters::render_markdown(r);
  EXPECT_LE(md.size(), 65'536u);
  EXPECT_THAT(md, HasSubstr("Trimmed to fit a GitHub comment: left out"));
  EXPECT_THAT(md, HasSubstr("The full report is in `.faultline/results.json`."));
}

TEST(ReportRobust, JunitIsValidXmlAgainstTheSchema) {
  const std::string xml = reporters::render_junit(hostile());
  expect_clean(xml);
  EXPECT_EQ(xml.find("]]>"), std::string::npos);
  if (run_program({"xmllint", "--version"}).status != 0)
    GTEST_SKIP() << "xmllint (libxml2-utils) is not installed";
  ScratchDir scratch("report");
  const fs::path schema = k_fixtures / "junit.xsd";
  for (const auto& [name, text] : {std::pair{"hostile.xml", xml},
                                   {"golden.xml", read_text(k_fixtures / "results.junit.xml")}}) {
    const Outcome t = run_program(
        {"xmllint", "--noout", "--schema", schema.string(), scratch.write(name, text).string()});
    EXPECT_EQ(t.status, 0) << name << ": " << (t.out + t.err);
  }
}

TEST(ReportRobust, SarifIsValidAgainstTheOfficialSchema) {
  const std::string sarif = reporters::render_sarif(hostile(), sarif_options());
  expect_clean(sarif);
  const json s = json::parse(sarif);
  EXPECT_EQ(s["runs"][0]["results"][0]["codeFlows"][0]["threadFlows"][0]["locations"]
                .back()["location"]["physicalLocation"]["artifactLocation"]["uri"],
            "a%20b%7C%3Cc%3E.c");
  const fs::path ajv = k_npm / "node_modules/.bin/ajv", schema = k_npm / "sarif-2.1.0.json";
  if (!fs::exists(ajv) || !fs::exists(schema))
    GTEST_SKIP() << "run scripts/install-test-tools.sh for ajv";
  ScratchDir scratch("report");
  json broken = s;
  broken["runs"][0]["results"][0]["level"] = "fatal";  // proves the validator is awake
  const auto validate = [&](const std::vector<fs::path>& files) {
    std::vector<std::string> argv = {
        ajv.string(),  "validate", "--spec=draft2020", "--strict=false", "-c",
        "ajv-formats", "-s",       schema.string()};
    for (const auto& f : files) argv.insert(argv.end(), {"-d", f.string()});
    return run_program(argv, {k_npm});
  };
  const Outcome good =
      validate({scratch.write("hostile.sarif.json", sarif),
                scratch.write("golden.sarif.json", read_text(k_fixtures / "results.sarif.json"))});
  EXPECT_EQ(good.status, 0) << (good.out + good.err).substr(0, 2'000);
  EXPECT_EQ(validate({scratch.write("broken.sarif.json", broken.dump())}).status, 1);
}

TEST(ReportRobust, SarifStaysWithinGithubsLimits) {
  json r = fixture();
  json sig = r["signatures"][3];
  sig["excerpt"] = "";
  sig["frames"] = json::array();
  r["signatures"] = json::array();
  for (int i = 0; i < 260; ++i) r["signatures"].push_back(sig);
  EXPECT_EQ(reporters::SarifOptions().max_results, 25'000u);  // GitHub's limit per run
  reporters::SarifOptions o = sarif_options();
  o.max_results = 250;
  json s = reporters::sarif_json(r, o);
  EXPECT_EQ(s["runs"][0]["results"].size(), 250u);
  EXPECT_EQ(s["runs"][0]["properties"]["signaturesLeftOut"], 10);
  EXPECT_EQ(s["runs"][0]["tool"]["driver"]["rules"].size(), 1u);
  // And a byte budget, for results with long stacks and excerpts.
  r["signatures"] = json::array();
  const json full = fixture()["signatures"][3];
  for (int i = 0; i < 100; ++i) r["signatures"].push_back(full);
  o.max_bytes = 100'000;
  s = reporters::sarif_json(r, o);
  EXPECT_LT(s.dump().size(), 120'000u);
  EXPECT_GT(s["runs"][0]["properties"]["signaturesLeftOut"].get<int>(), 0);
}

TEST(ReportRobust, HtmlKeepsCrashOutputOutOfTheMarkup) {
  const std::string html = reporters::render_html(hostile());
  expect_clean(html);
  EXPECT_EQ(count(html, "<script"), 2u);
  EXPECT_EQ(count(html, "</script>"), 2u);
  EXPECT_EQ(count(html, "<details"), 0u);
  EXPECT_THAT(html, Not(HasSubstr("<!--")));
  EXPECT_THAT(html, Not(HasSubstr("http://")));  // self-contained: nothing to fetch
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  const auto begin = html.find("id=\"faultline-data\">") + 20, end = html.find("</script>");
  const json data = json::parse(html.substr(begin, end - begin));
  EXPECT_EQ(data["cells"].size(), 12u);
}

// The page in a real browser: it loads, and a cell's link shows its details.
TEST(ReportHtml, ShowsACellsCrashesInChromium) {
  std::string chromium;
  for (const char* name : {"chromium", "chromium-browser"})
    if (run_program({"sh", "-c", std::string("command -v ") + name}).status == 0) chromium = name;
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed";
  ScratchDir scratch("report");
  // The page as rendered, plus a test script at the end that records any error
  // and clicks the sixth cell of the grid like a person would.
  std::string html = reporters::render_html(fixture());
  const std::string probe =
      "<script>window.addEventListener('error', function (e) { document.body.dataset.jsError = "
      "e.message; });"
      "var cell = document.querySelector('td[data-g=\"5\"]'); document.body.dataset.clicked = cell "
      "? 'yes' : 'no';"
      "if (cell) cell.dispatchEvent(new MouseEvent('click', {bubbles: true}));</script>";
  html.insert(html.rfind("</body>"), probe);
  const fs::path page = scratch.write("r.html", html);
  fs::create_directories(scratch.path() / "profile");
  const std::vector<std::string> flags = {
      chromium,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--no-first-run",
      "--user-data-dir=" + (scratch.path() / "profile").string(),
      "--enable-logging=stderr",
      "--v=0"};
  std::vector<std::string> dump = flags;
  dump.insert(dump.end(), {"--dump-dom", "file://" + page.string()});
  const Outcome t = run_program(dump);
  const std::string output = t.out + t.err;
  ASSERT_EQ(t.status, 0) << output.substr(0, 2'000);
  EXPECT_THAT(output, HasSubstr("data-clicked=\"yes\""));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("data-js-error")));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("Uncaught")));
  EXPECT_THAT(output, HasSubstr("class=\"cell-details\""));
  EXPECT_THAT(output, HasSubstr("heap-use-after-free"));
  // And a screenshot of the page.
  std::vector<std::string> shot = flags;
  const fs::path png = scratch.path() / "report.png";
  shot.insert(shot.end(), {"--window-size=1280,900", "--screenshot=" + png.string(),
                           "file://" + page.string()});
  const Outcome s = run_program(shot);
  ASSERT_EQ(s.status, 0) << (s.out + s.err).substr(0, 2'000);
  ASSERT_TRUE(fs::exists(png));
  EXPECT_GT(fs::file_size(png), 1'000u);
  EXPECT_EQ(read_text(png).substr(1, 3), "PNG");
}

// ---- faultline report ----

class ReportCommand : public e2e::ScratchTest {
 protected:
  ReportCommand() : ScratchTest("report") {}
  Outcome report(std::vector<std::string> args) {
    args.insert(args.begin(), "report");
    return faultline(args);
  }
};

TEST_F(ReportCommand, RendersEveryFormatOfASavedRun) {
  const std::string in = (k_fixtures / "results.json").string();
  for (const char* format : {"md", "junit", "sarif", "html", "json", "terminal"}) {
    const Outcome t = report({"--format", format, in, "-o", std::string("out.") + format});
    EXPECT_EQ(t.status, 0) << format << ": " << (t.out + t.err);
  }
  EXPECT_EQ(read_text(m_dir / "out.md"), read_text(k_fixtures / "results.md"));
  EXPECT_EQ(json::parse(read_text(m_dir / "out.json")), fixture());
  EXPECT_THAT(read_text(m_dir / "out.terminal"), HasSubstr("asan heap-use-after-free"));
}

TEST_F(ReportCommand, ReadsTheDefaultResultsFile) {
  fs::create_directories(m_dir / ".faultline");
  write(".faultline/results.json", read_text(k_fixtures / "results.json"));
  const Outcome t = report({"-f", "md"});
  EXPECT_EQ(t.status, 0) << (t.out + t.err);
  EXPECT_THAT(t.out + t.err, HasSubstr("## faultline: gate-demo"));
}

TEST_F(ReportCommand, RefusesWhatIsNotAResultsFile) {
  write("bad.json", "{\"schema\": ");
  write("other.json", "{\"schema\": \"faultline.results/9\"}");
  json r = fixture();
  r["cells"][2].erase("verdict");
  write("shape.json", r.dump());
  // Values no faultline writes: an unknown verdict would render as a pass, a negative count
  // would bend totals, a signature the file does not define would be a crash with no report.
  json v = fixture();
  v["cells"][1]["verdict"] = "exploded";
  write("verdict.json", v.dump());
  json n = fixture();
  n["cells"][0]["runs"] = -3;
  write("runs.json", n.dump());
  json g = fixture();
  g["cells"][0]["signatures"] = json::array({{{"hash", "0123456789ab"}, {"runs", 1}}});
  write("signature.json", g.dump());
  const std::map<std::string, std::string> expected = {
      {"verdict.json",
       "faultline report: verdict.json: cells[1].verdict: 'exploded' is not a verdict (pass, "
       "crash, hang, build-error, skipped)\n"},
      {"runs.json", "faultline report: runs.json: cells[0].runs: expected a count (0 or more)\n"},
      {"signature.json",
       "faultline report: signature.json: cells[0].signatures: 0123456789ab is not among the "
       "file's signatures\n"},
      {"missing.json",
       "faultline report: missing.json: cannot read (run `faultline run` first, or name a "
       "results.json)\n"},
      {"bad.json",
       "faultline report: bad.json: not valid JSON (is it a results.json written by `faultline "
       "run`?)\n"},
      {"other.json",
       "faultline report: other.json: schema 'faultline.results/9' is not one this faultline reads "
       "('faultline.results/1')\n"},
      {"shape.json", "faultline report: shape.json: cells[2].verdict: missing\n"}};
  for (const auto& [file, message] : expected) {
    const Outcome t = report({file});
    EXPECT_EQ(t.status, 2) << file;
    EXPECT_EQ(t.out + t.err, message);
  }
}

TEST_F(ReportCommand, HelpShowsAnExample) {
  const Outcome t = report({"--help"});
  EXPECT_EQ(t.status, 0);
  EXPECT_THAT(t.out + t.err, HasSubstr("faultline report --format md -o comment.md"));
}

}  // namespace
}  // namespace faultline
