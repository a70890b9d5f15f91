// The typed results.json model: a full document survives to_json/from_json
// unchanged, unknown keys are kept, and docs/results.md documents exactly the
// fields the model writes.
#include "results/model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "results/testing/full_document.h"

namespace faultline::results {
namespace {

using nlohmann::json;

TEST(ResultsModel, AFullDocumentSurvivesTheRoundTrip) {
  const Results full = testing::full_document();
  const json j = full;
  EXPECT_EQ(j.get<Results>(), full);
  EXPECT_EQ(json(j.get<Results>()), j);
}

TEST(ResultsModel, OptionalFieldsAreAbsentUntilSetAndShardIsNull) {
  const json j = Results{};
  EXPECT_FALSE(j.contains("bisect"));
  EXPECT_FALSE(j.contains("merged"));
  EXPECT_FALSE(j.contains("store"));
  EXPECT_FALSE(j.contains("baseline"));
  EXPECT_FALSE(j.contains("matrix_fingerprint"));
  EXPECT_TRUE(j["options"]["shard"].is_null());
  EXPECT_EQ(j["schema"], "faultline.results/1");
  const json cell = Cell{};
  for (const char* key : {"repro", "hung_stacks", "build_error", "skipped_reason"})
    EXPECT_FALSE(cell.contains(key)) << key;
}

TEST(ResultsModel, KeysItDoesNotKnowAreWrittenBack) {
  json j = testing::full_document();
  j["from_a_newer_faultline"] = {{"x", 1}};
  j["bisect"][0]["new_field"] = "kept";
  const json again = j.get<Results>();
  EXPECT_EQ(again["from_a_newer_faultline"], json({{"x", 1}}));
  EXPECT_EQ(again["bisect"][0]["new_field"], "kept");
  EXPECT_EQ(again, j);
}

TEST(ResultsModel, APartialBisectEntryKeepsOnlyItsKeys) {
  const json entry = {{"signature", "other"}};
  EXPECT_EQ(json(entry.get<BisectAnswer>()), entry);
}

TEST(ResultsModel, AnEarlySingleBisectObjectReadsAsOneEntry) {
  json j = Results{};
  j["bisect"] = {{"status", "found"}, {"axes", {"binding"}}};
  const Results r = j.get<Results>();
  ASSERT_TRUE(r.bisect);
  ASSERT_EQ(r.bisect->size(), 1u);
  EXPECT_EQ((*r.bisect)[0].status, "found");
}

TEST(ResultsModel, AValueOfTheWrongTypeThrows) {
  json j = Results{};
  j["cells"] = {{{"runs", "twenty"}}};
  EXPECT_THROW(j.get<Results>(), json::exception);
}

// ---- docs/results.md against the model -------------------------------------

std::string read_docs() {
  std::ifstream in(std::string(FAULTLINE_SOURCE_DIR) + "/docs/results.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// "shards: [\"1/3\", …], of: N, partial" → {shards, of, partial}: the leading
// name of each top-level comma-separated item of a `{…}` list.
std::set<std::string> brace_names(const std::string& inside) {
  std::set<std::string> names;
  int depth = 0;
  std::string item;
  auto flush = [&] {
    std::smatch m;
    if (std::regex_search(item, m, std::regex(R"(^\s*([a-z_]+))"))) names.insert(m[1]);
    item.clear();
  };
  for (char c : inside) {
    if (c == '[' || c == '{' || c == '(') ++depth;
    if (c == ']' || c == '}' || c == ')') --depth;
    if (c == ',' && depth == 0)
      flush();
    else
      item += c;
  }
  flush();
  return names;
}

// The first `{…}` code span of `text`, as names ("" → none).
std::optional<std::set<std::string>> first_brace_span(const std::string& text) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(R"(`\{([^`]*)\}`)"))) return std::nullopt;
  return brace_names(m[1]);
}

struct Documented {
  std::map<std::string, std::set<std::string>> keys;  // section ("" = top level) → keys
  // (section, field) → the keys its `{…}` names
  std::map<std::pair<std::string, std::string>, std::set<std::string>> nested;
};

std::string section_of(const std::string& heading) {
  std::smatch m;
  if (std::regex_search(heading, m, std::regex(R"(^## `([a-z_]+)(\[\])?`)"))) return m[1];
  return "-";  // a section of prose (merging, the run record): no fields
}

// A table row's first column: each `name` ("options.shard" is "options" here,
// "shard" in options); the first `{…}` of the meaning names a one-field row's keys.
void read_row(const std::string& line, const std::string& section, Documented& d) {
  const std::size_t bar = line.find('|', 1);
  const std::string first = line.substr(1, bar - 1), meaning = line.substr(bar + 1);
  std::vector<std::string> names;
  const std::regex tick(R"(`([a-z_.]+)(\[\])?`)");
  for (std::sregex_iterator it(first.begin(), first.end(), tick), end; it != end; ++it)
    names.push_back((*it)[1]);
  for (const auto& name : names) {
    const std::size_t dot = name.find('.');
    d.keys[section].insert(name.substr(0, dot));
    if (dot != std::string::npos)
      d.nested[{section, name.substr(0, dot)}].insert(name.substr(dot + 1));
  }
  if (names.size() == 1)
    if (auto inner = first_brace_span(meaning)) d.nested[{section, names[0]}] = *inner;
}

// A ```json block: at the top level its two-space-indented keys (and the keys on
// their line, as that field's); in a section, the keys one level inside the
// section's object, and those deeper as the nested keys of the field they are in.
void read_json_block(const std::vector<std::string>& block, const std::string& section,
                     Documented& d) {
  const std::regex key(R"re("([a-z_]+)":)re");
  if (section.empty()) {
    for (const auto& line : block) {
      if (!std::regex_search(line, std::regex(R"re(^  "([a-z_]+)":)re"))) continue;
      std::vector<std::string> keys;
      for (std::sregex_iterator it(line.begin(), line.end(), key), end; it != end; ++it)
        keys.push_back((*it)[1]);
      d.keys[""].insert(keys[0]);
      for (std::size_t i = 1; i < keys.size(); ++i) d.nested[{"", keys[0]}].insert(keys[i]);
    }
    return;
  }
  std::string text;
  for (const auto& line : block) text += line + "\n";
  int depth = 0;
  std::string field;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    std::smatch m;
    const std::string rest = text.substr(i);
    if (c != '"' || !std::regex_search(rest, m, key, std::regex_constants::match_continuous))
      continue;
    if (depth == 1) d.keys[section].insert(field = m[1]);
    if (depth > 1) d.nested[{section, field}].insert(m[1]);
    i += m.length(0) - 1;
  }
}

Documented read_documented(const std::string& text) {
  Documented d;
  std::string section;  // "" = the top level, before the first "## "
  std::istringstream in(text);
  std::string line, braces;
  std::vector<std::string> block;
  bool in_block = false, in_braces = false;
  while (std::getline(in, line)) {
    if (in_block) {
      if (line.rfind("```", 0) == 0) {
        read_json_block(block, section, d);
        in_block = false;
      } else {
        block.push_back(line);
      }
    } else if (line.rfind("```json", 0) == 0) {
      in_block = true;
      block.clear();
    } else if (line.rfind("## ", 0) == 0) {
      section = section_of(line);
      if (section != "-") d.keys[""].insert(section);
    } else if (section == "-") {
      continue;
    } else if (line.rfind("| `", 0) == 0 || line.rfind("| 2-D only", 0) == 0) {
      read_row(line, section, d);
    } else if (line.rfind("`{", 0) == 0 || in_braces) {
      braces += line + " ";
      in_braces = braces.find("}`") == std::string::npos;
      if (!in_braces) {
        const std::size_t open = braces.find('{'), close = braces.find("}`");
        for (const auto& n : brace_names(braces.substr(open + 1, close - open - 1)))
          d.keys[section].insert(n);
        braces.clear();
      }
    }
  }
  return d;
}

std::set<std::string> keys_of(const json& j) {
  std::set<std::string> keys;
  const json& object = j.is_array() && !j.empty() ? j[0] : j;
  if (object.is_object())
    for (const auto& [k, v] : object.items()) keys.insert(k);
  return keys;
}

std::string difference(const std::string& where, const std::set<std::string>& documented,
                       const std::set<std::string>& written) {
  std::string out;
  for (const auto& k : documented)
    if (!written.count(k)) out += where + k + ": documented in docs/results.md, not written\n";
  for (const auto& k : written)
    if (!documented.count(k)) out += where + k + ": written, not documented in docs/results.md\n";
  return out;
}

TEST(ResultsModel, DocsResultsMdDocumentsExactlyTheFieldsWritten) {
  const Documented d = read_documented(read_docs());
  const json full = testing::full_document();
  std::string problems = difference("", d.keys.at(""), keys_of(full));
  for (const auto& [section, keys] : d.keys)
    if (!section.empty()) problems += difference(section + ".", keys, keys_of(full[section]));
  for (const auto& [place, keys] : d.nested) {
    const auto& [section, field] = place;
    const json& holder = section.empty()                  ? full
                         : keys_of(full[section]).empty() ? full
                                                          : full[section];
    const json& object = holder.is_array() ? holder[0] : holder;
    if (!object.contains(field)) continue;  // reported above
    const json& value = object[field];
    if (keys_of(value).empty()) continue;  // a string or list of strings: no keys to check
    problems +=
        difference((section.empty() ? "" : section + ".") + field + ".", keys, keys_of(value));
  }
  EXPECT_EQ(problems, "");
}

TEST(ResultsModel, TheDocsCheckSeesAFieldMissingFromTheDocs) {
  std::string text = read_docs();
  const std::string row = "| `wall_seconds` | total wall time of the cell's runs |\n";
  ASSERT_NE(text.find(row), std::string::npos);
  text.erase(text.find(row), row.size());
  const Documented d = read_documented(text);
  EXPECT_EQ(
      difference("cells.", d.keys.at("cells"), keys_of(json(testing::full_document())["cells"])),
      "cells.wall_seconds: written, not documented in docs/results.md\n");
}

}  // namespace
}  // namespace faultline::results
