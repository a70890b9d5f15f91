#include "reporters/load.h"

#include <fstream>
#include <set>
#include <sstream>

#include "base/files.h"
#include "reporters/results.h"

namespace faultline::reporters {

using nlohmann::json;

namespace {

// A field's required JSON type, and the words for it in a message.
enum class Type { string, number, boolean, array, object };

const char* type_name(Type t) {
  switch (t) {
    case Type::string:
      return "a string";
    case Type::number:
      return "a number";
    case Type::boolean:
      return "true or false";
    case Type::array:
      return "an array";
    case Type::object:
      return "an object";
  }
  return "";
}

bool has_type(const json& j, Type t) {
  switch (t) {
    case Type::string:
      return j.is_string();
    case Type::number:
      return j.is_number();
    case Type::boolean:
      return j.is_boolean();
    case Type::array:
      return j.is_array();
    case Type::object:
      return j.is_object();
  }
  return false;
}

struct Field {
  const char* name;
  Type type;
  bool required = true;
};

// The first field of `j` (at `where`) that is missing or of the wrong type.
std::string check_fields(const json& j, const std::string& where,
                         std::initializer_list<Field> fields) {
  if (!j.is_object()) return where + ": expected an object";
  for (const Field& f : fields) {
    auto it = j.find(f.name);
    const std::string place = where.empty() ? f.name : where + "." + f.name;
    if (it == j.end()) {
      if (f.required) return place + ": missing";
    } else if (!has_type(*it, f.type)) {
      return place + ": expected " + type_name(f.type);
    }
  }
  return "";
}

std::string check_list(const json& list, const std::string& name,
                       std::initializer_list<Field> fields) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string e = check_fields(list[i], name + "[" + std::to_string(i) + "]", fields);
    if (!e.empty()) return e;
  }
  return "";
}

std::string check_shape(const json& r) {
  std::string e = check_fields(r, "",
                               {{"name", Type::string},
                                {"axes", Type::array},
                                {"cells", Type::array},
                                {"signatures", Type::array},
                                {"builds", Type::array},
                                {"totals", Type::object},
                                {"interrupted", Type::boolean, false}});
  if (e.empty())
    e = check_list(r["axes"], "axes",
                   {{"name", Type::string}, {"kind", Type::string}, {"values", Type::array}});
  if (e.empty())
    e = check_list(r["cells"], "cells",
                   {{"id", Type::string},
                    {"hash", Type::string},
                    {"values", Type::object},
                    {"verdict", Type::string},
                    {"runs", Type::number},
                    {"crashes", Type::number},
                    {"signatures", Type::array},
                    {"repro", Type::string, false},
                    {"build_error", Type::object, false}});
  if (e.empty())
    e = check_list(r["signatures"], "signatures",
                   {{"hash", Type::string},
                    {"text", Type::string},
                    {"tool", Type::string},
                    {"kind", Type::string},
                    {"frames", Type::array},
                    {"cells", Type::array},
                    {"excerpt", Type::string, false}});
  for (std::size_t i = 0; e.empty() && i < r["signatures"].size(); ++i)
    e = check_list(r["signatures"][i]["frames"], "signatures[" + std::to_string(i) + "].frames",
                   {{"function", Type::string, false},
                    {"file", Type::string, false},
                    {"line", Type::number, false}});
  if (e.empty())
    e = check_list(r["builds"], "builds", {{"id", Type::string}, {"state", Type::string}});
  return e;
}

// The first cell whose values no faultline writes: a verdict outside results::Verdict
// (a report would show an unknown one as a pass), negative or impossible counts, or a
// signature that the file's signatures do not define (a crash with no report).
std::string check_cell_values(const json& r) {
  std::set<std::string> defined;
  for (const auto& s : r["signatures"]) defined.insert(s["hash"].get<std::string>());
  for (std::size_t i = 0; i < r["cells"].size(); ++i) {
    const json& c = r["cells"][i];
    const std::string where = "cells[" + std::to_string(i) + "]";
    const std::string verdict = c["verdict"];
    if (verdict != "pass" && verdict != "crash" && verdict != "hang" && verdict != "build-error" &&
        verdict != "skipped")
      return where + ".verdict: '" + verdict +
             "' is not a verdict (pass, crash, hang, build-error, skipped)";
    if (!c["runs"].is_number_integer() || c["runs"].get<long long>() < 0)
      return where + ".runs: expected a count (0 or more)";
    if (!c["crashes"].is_number_integer() || c["crashes"].get<long long>() < 0 ||
        c["crashes"].get<long long>() > c["runs"].get<long long>())
      return where + ".crashes: expected a count from 0 to its runs";
    for (const auto& cs : c["signatures"])
      if (!cs.is_object() || !cs.contains("hash") || !cs["hash"].is_string() ||
          !defined.count(cs["hash"].get<std::string>()))
        return where +
               ".signatures: " + (cs.is_object() ? cs.value("hash", std::string("?")) : "?") +
               " is not among the file's signatures";
  }
  return "";
}

}  // namespace

Expected<json> parse_results(const std::string& text, const std::string& name) {
  json r = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (r.is_discarded())
    return fail(
        bad_input(name + ": not valid JSON (is it a results.json written by `faultline run`?)"));
  if (!r.is_object() || !r.contains("schema") || !r["schema"].is_string())
    return fail(bad_input(name +
                          ": no \"schema\" string; a results.json starts with \"schema\": \"" +
                          k_results_schema + "\""));
  const std::string schema = r["schema"];
  if (schema != k_results_schema)
    return fail(bad_input(name + ": schema '" + schema + "' is not one this faultline reads ('" +
                          k_results_schema + "')"));
  if (std::string e = check_shape(r); !e.empty()) return fail(bad_input(name + ": " + e));
  if (std::string e = check_cell_values(r); !e.empty()) return fail(bad_input(name + ": " + e));
  return r;
}

Expected<json> load_results(const std::string& path) {
  Expected<std::string> text = read_file(path);
  if (!text)
    return fail(
        bad_input(path + ": cannot read (run `faultline run` first, or name a results.json)"));
  return parse_results(*text, path);
}

Expected<results::Results> to_model(const json& r, const std::string& name) {
  try {
    return r.get<results::Results>();
  } catch (const json::exception& e) {
    return fail(bad_input(name + ": a field of the wrong type (" + e.what() + ")"));
  }
}

Expected<results::Results> parse(const std::string& text, const std::string& name) {
  FAULTLINE_TRY(const json r, parse_results(text, name));
  return to_model(r, name);
}

Expected<results::Results> load(const std::string& path) {
  FAULTLINE_TRY(const json r, load_results(path));
  return to_model(r, path);
}

}  // namespace faultline::reporters
