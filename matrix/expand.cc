#include "matrix/expand.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

#include "base/text.h"
#include "matrix/template.h"

namespace faultline::matrix {

using Rule = std::vector<std::pair<std::size_t, std::int32_t>>;

// ---- CellTable -------------------------------------------------------------

const std::string* CellTable::value(std::size_t cell, std::size_t axis) const {
  std::int32_t v = at(cell, axis);
  return v < 0 ? nullptr : &axes[axis].values[static_cast<std::size_t>(v)];
}

const std::string* CellTable::value(std::size_t cell, std::string_view axis_name) const {
  auto axis = axis_index(axis_name);
  return axis ? value(cell, *axis) : nullptr;
}

std::optional<std::size_t> CellTable::axis_index(std::string_view name) const {
  for (std::size_t i = 0; i < axes.size(); ++i)
    if (axes[i].name == name) return i;
  return std::nullopt;
}

std::string CellTable::id(std::size_t cell) const {
  std::string out;
  for (std::size_t a = 0; a < product_axes; ++a) {
    const std::string* v = value(cell, a);
    if (!v) continue;
    if (!out.empty()) out += ' ';
    out += axes[a].name;
    out += '=';
    out += *v;
  }
  return out;
}

std::string CellTable::hash(std::size_t cell) const {
  return hex16(fnv1a64(id(cell))).substr(0, 8);
}

void CellTable::set_axes(std::vector<Axis> new_axes, std::size_t product) {
  axes = std::move(new_axes);
  product_axes = product;
  m_stride = axes.size();
  m_values.clear();
}

void CellTable::add_extra_axis(Axis axis) {
  const std::size_t old_stride = m_stride;
  axes.push_back(std::move(axis));
  m_stride = axes.size();
  if (m_values.empty()) return;
  std::vector<std::int32_t> relaid;
  relaid.reserve(m_values.size() / old_stride * m_stride);
  for (std::size_t c = 0; c < m_values.size() / old_stride; ++c) {
    relaid.insert(relaid.end(), m_values.begin() + c * old_stride,
                  m_values.begin() + (c + 1) * old_stride);
    relaid.push_back(-1);
  }
  m_values = std::move(relaid);
}

std::int32_t CellTable::intern(std::size_t axis, const std::string& value) {
  auto& values = axes[axis].values;
  auto it = std::find(values.begin(), values.end(), value);
  if (it != values.end()) return static_cast<std::int32_t>(it - values.begin());
  values.push_back(value);
  return static_cast<std::int32_t>(values.size() - 1);
}

// Odometer over `choices` (one list of value indices per axis, {-1} for none),
// last axis fastest, as GitHub orders a matrix's jobs.
void CellTable::add_product(const std::vector<std::vector<std::int32_t>>& choices) {
  if (choices.size() != m_stride) return;
  for (const auto& c : choices)
    if (c.empty()) return;
  std::vector<std::size_t> digit(m_stride, 0);
  std::vector<std::int32_t> row(m_stride);
  for (std::size_t a = 0; a < m_stride; ++a) row[a] = choices[a][0];
  while (true) {
    m_values.insert(m_values.end(), row.begin(), row.end());
    std::size_t a = m_stride;
    while (a > 0) {
      --a;
      if (++digit[a] < choices[a].size()) {
        row[a] = choices[a][digit[a]];
        break;
      }
      digit[a] = 0;
      row[a] = choices[a][0];
      if (a == 0) return;
    }
    if (m_stride == 0) return;
  }
}

std::size_t CellTable::apply_exclude(const std::vector<Rule>& rules) {
  if (rules.empty()) return 0;
  const std::size_t n = size();
  std::size_t kept = 0;
  for (std::size_t c = 0; c < n; ++c) {
    const std::int32_t* row = &m_values[c * m_stride];
    bool excluded = std::any_of(rules.begin(), rules.end(), [&](const Rule& rule) {
      return std::all_of(rule.begin(), rule.end(),
                         [&](const auto& p) { return row[p.first] == p.second; });
    });
    if (excluded) continue;
    if (kept != c) std::copy(row, row + m_stride, &m_values[kept * m_stride]);
    ++kept;
  }
  m_values.resize(kept * m_stride);
  return n - kept;
}

namespace {

// Entry `entry` writes a value over the (cell, axis) slot whose last writer was `*slot`.
void note_write(std::vector<IncludeEffect>& effects, std::int32_t* slot, std::size_t entry) {
  if (*slot >= 0) {
    IncludeEffect& previous = effects[static_cast<std::size_t>(*slot)];
    --previous.kept;
    if (std::find(previous.overwritten_by.begin(), previous.overwritten_by.end(), entry) ==
        previous.overwritten_by.end())
      previous.overwritten_by.push_back(entry);
  }
  *slot = static_cast<std::int32_t>(entry);
  ++effects[entry].added;
  ++effects[entry].kept;
}

}  // namespace

// GitHub: "For each object in the include list, the key:value pairs in the
// object will be added to each of the matrix combinations if none of the
// key:value pairs overwrite any of the original matrix values. If the object
// cannot be added to any of the matrix combinations, a new matrix combination
// will be created instead. Note that the original matrix values will not be
// overwritten, but added matrix values can be overwritten." Only the original
// combinations (after exclude) are candidates; combinations that include
// created are not extended by later entries.
std::size_t CellTable::apply_include(const std::vector<Rule>& rules,
                                     std::vector<IncludeEffect>* effects) {
  const std::size_t original = size();
  const std::vector<std::int32_t> before(m_values.begin(), m_values.end());
  std::vector<std::int32_t> writer;  // per original (cell, axis): the entry whose value it holds
  if (effects) {
    effects->assign(rules.size(), {});
    writer.assign(before.size(), -1);
  }
  auto is_original = [&](std::size_t cell, std::size_t axis) {
    return axis < product_axes && before[cell * m_stride + axis] >= 0;
  };
  std::size_t added = 0;
  for (std::size_t r = 0; r < rules.size(); ++r) {
    bool matched = false;
    for (std::size_t c = 0; c < original; ++c) {
      std::int32_t* row = &m_values[c * m_stride];
      bool compatible = std::all_of(rules[r].begin(), rules[r].end(), [&](const auto& p) {
        return !is_original(c, p.first) || row[p.first] == p.second;
      });
      if (!compatible) continue;
      matched = true;
      for (const auto& [axis, v] : rules[r]) {
        if (effects && !is_original(c, axis)) note_write(*effects, &writer[c * m_stride + axis], r);
        row[axis] = v;
      }
      if (effects) ++(*effects)[r].extended;
    }
    if (matched) continue;
    std::vector<std::int32_t> row(m_stride, -1);
    for (const auto& [axis, v] : rules[r]) row[axis] = v;
    m_values.insert(m_values.end(), row.begin(), row.end());
    if (effects) (*effects)[r].created = size() - 1;
    ++added;
  }
  return added;
}

// ---- Expansion of a Config ---------------------------------------------------

namespace {

std::vector<Axis> product_axes_of(const Config& config) {
  std::vector<Axis> axes;
  for (const auto& c : config.components) axes.push_back({c.name, AxisKind::component, c.versions});
  Axis san{"sanitizer", AxisKind::sanitizer, {}};
  for (const auto& s : config.sanitizers) san.values.push_back(s.name);
  axes.push_back(std::move(san));
  Axis work{"workload", AxisKind::workload, {}};
  for (const auto& w : config.workloads) work.values.push_back(w.name);
  axes.push_back(std::move(work));
  for (const auto& w : config.workloads)
    for (const auto& p : w.params) {
      auto it =
          std::find_if(axes.begin(), axes.end(), [&](const Axis& a) { return a.name == p.name; });
      if (it == axes.end()) axes.push_back({p.name, AxisKind::param, {}});
      it = std::find_if(axes.begin(), axes.end(), [&](const Axis& a) { return a.name == p.name; });
      for (const auto& v : p.values)
        if (std::find(it->values.begin(), it->values.end(), v) == it->values.end())
          it->values.push_back(v);
    }
  return axes;
}

std::int32_t index_of(const Axis& axis, const std::string& value) {
  auto it = std::find(axis.values.begin(), axis.values.end(), value);
  return it == axis.values.end() ? -1 : static_cast<std::int32_t>(it - axis.values.begin());
}

std::size_t product_size(const Config& config) {
  std::size_t base = 1;
  for (const auto& c : config.components) base *= std::max<std::size_t>(c.versions.size(), 1);
  base *= std::max<std::size_t>(config.sanitizers.size(), 1);
  std::size_t total = 0;
  for (const auto& w : config.workloads) {
    std::size_t n = base;
    for (const auto& p : w.params) n *= std::max<std::size_t>(p.values.size(), 1);
    total += n;
  }
  return total;
}

void add_workload_products(const Config& config, CellTable& table) {
  const std::size_t components = config.components.size();
  for (std::size_t wi = 0; wi < config.workloads.size(); ++wi) {
    const Workload& w = config.workloads[wi];
    std::vector<std::vector<std::int32_t>> choices(table.stride(), std::vector<std::int32_t>{-1});
    for (std::size_t a = 0; a < table.product_axes; ++a) {
      const Axis& axis = table.axes[a];
      if (a < components || axis.kind == AxisKind::sanitizer) {
        choices[a].resize(axis.values.size());
        std::iota(choices[a].begin(), choices[a].end(), 0);
      } else if (axis.kind == AxisKind::workload) {
        choices[a] = {static_cast<std::int32_t>(wi)};
      } else if (axis.kind == AxisKind::param) {
        for (const auto& p : w.params)
          if (p.name == axis.name) {
            choices[a].clear();
            for (const auto& v : p.values) choices[a].push_back(index_of(axis, v));
          }
      }
    }
    table.add_product(choices);
  }
}

std::vector<Rule> compile_rules(const std::vector<RuleEntry>& entries, CellTable& table,
                                bool may_add) {
  std::vector<Rule> rules;
  for (const auto& entry : entries) {
    Rule rule;
    bool possible = true;
    for (const auto& [key, value] : entry.values) {
      auto axis = table.axis_index(key);
      if (!axis) {
        if (!may_add) {
          possible = false;
          continue;
        }
        table.add_extra_axis({key, AxisKind::extra, {}});
        axis = table.axes.size() - 1;
      }
      std::int32_t v = may_add ? table.intern(*axis, value) : index_of(table.axes[*axis], value);
      if (v < 0) possible = false;
      rule.emplace_back(*axis, v);
    }
    if (possible) rules.push_back(std::move(rule));
  }
  return rules;
}

std::string entry_name(std::size_t entry) {
  return "matrix.include[" + std::to_string(entry) + "]";
}

std::string at_text(const Mark& mark) {
  return mark.line > 0 ? " (" + std::to_string(mark.line) + ":" + std::to_string(mark.column) + ")"
                       : "";
}

// A cell that include created must name a value for every component, the
// sanitizer, the workload and each of that workload's parameters.
void check_new_cells(const Config& config, const CellTable& t,
                     const std::vector<IncludeEffect>& effects, Diagnostics& diagnostics) {
  for (std::size_t r = 0; r < effects.size() && r < config.include.size(); ++r) {
    if (!effects[r].created) continue;
    const std::size_t c = *effects[r].created;
    std::vector<std::string> missing;
    const std::string* workload = t.value(c, "workload");
    for (std::size_t a = 0; a < t.product_axes; ++a) {
      const Axis& axis = t.axes[a];
      bool needed = axis.kind != AxisKind::param;
      if (axis.kind == AxisKind::param && workload)
        if (const Workload* w = config.workload(*workload))
          needed = std::any_of(w->params.begin(), w->params.end(),
                               [&](const Param& p) { return p.name == axis.name; });
      if (needed && t.at(c, a) < 0) missing.push_back(axis.name);
    }
    if (missing.empty()) continue;
    diagnostics.error(config.include[r].mark,
                      "this matrix.include entry matches no cell, so it adds a new one, which "
                      "lacks " +
                          join(missing, ", ") +
                          ": give a value for every component, the sanitizer, "
                          "the workload and its parameters");
  }
}

// Per cell: the include entry that made it, or -1 for a cell of the product.
std::vector<std::int64_t> cell_sources(std::size_t cells,
                                       const std::vector<IncludeEffect>& effects) {
  std::vector<std::int64_t> source(cells, -1);
  for (std::size_t r = 0; r < effects.size(); ++r)
    if (effects[r].created && *effects[r].created < cells)
      source[*effects[r].created] = static_cast<std::int64_t>(r);
  return source;
}

// Where the file declares an axis: its component, workload parameter, or the workload.
std::pair<std::string, Mark> axis_source(const Config& config, const Axis& axis) {
  if (const Component* c = config.component(axis.name)) return {"components." + axis.name, c->mark};
  for (const auto& w : config.workloads)
    for (const auto& p : w.params)
      if (p.name == axis.name) return {"workloads." + w.name + ".params." + p.name, p.mark};
  return {axis.name, Mark{}};
}

// Two cells of the product with one id: values holding " NAME=" read as
// another axis in the id. Named at the axes whose values differ.
void report_ambiguous_id(const Config& config, const CellTable& t, std::size_t a, std::size_t b,
                         Diagnostics& diagnostics) {
  std::vector<std::string> sources, first, second;
  Mark mark;
  for (std::size_t x = 0; x < t.product_axes; ++x) {
    if (t.at(a, x) == t.at(b, x)) continue;
    auto [name, at] = axis_source(config, t.axes[x]);
    if (mark.line == 0) mark = at;
    sources.push_back(name + at_text(at));
    const std::string* va = t.value(a, x);
    const std::string* vb = t.value(b, x);
    first.push_back(t.axes[x].name + "='" + (va ? *va : "") + "'");
    second.push_back(t.axes[x].name + "='" + (vb ? *vb : "") + "'");
  }
  diagnostics.error(mark, join(sources, " and ") + " give two cells the one id '" + t.id(a) +
                              "' (" + join(first, ", ") + "; " + join(second, ", ") +
                              "): a value holding ' NAME=' reads as another axis in a cell id, "
                              "so change one of these values");
}

// Two cells with one id cannot be told apart in results, ids or --only. Each
// cause is named at its place: two include entries that make the same new
// cell, or values of the product whose ids run together.
void check_unique(const Config& config, const CellTable& t,
                  const std::vector<IncludeEffect>& effects, Diagnostics& diagnostics) {
  const std::vector<std::int64_t> source = cell_sources(t.size(), effects);
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t c = 0; c < t.size(); ++c) {
    auto [it, inserted] = seen.emplace(t.id(c), c);
    if (inserted) continue;
    const std::int64_t first = source[it->second], second = source[c];
    if (second < 0 || static_cast<std::size_t>(second) >= config.include.size()) {
      report_ambiguous_id(config, t, it->second, c, diagnostics);
      continue;
    }
    const std::string origin =
        first >= 0 ? entry_name(static_cast<std::size_t>(first)) +
                         at_text(config.include[static_cast<std::size_t>(first)].mark)
                   : std::string("the product of the axes");
    diagnostics.error(config.include[static_cast<std::size_t>(second)].mark,
                      entry_name(static_cast<std::size_t>(second)) + " makes the new cell '" +
                          it->first + "', which " + origin +
                          " already makes; a cell is known by its axis values alone (keys that "
                          "are no axis do not tell cells apart): merge the two entries, or give "
                          "them different axis values");
  }
}

std::string cells_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " cell" : " cells"); }

bool used_by_a_run(const Config& config, const std::string& name) {
  for (const auto& w : config.workloads)
    for (const auto& use : w.run_placeholders)
      if (use.value == name) return true;
  return false;
}

// An include key that is no axis, is close to one and that no run command uses
// is most likely a misspelt axis: as a variable it changes nothing a run does.
void warn_misspelt_keys(const Config& config, const CellTable& t, Diagnostics& diagnostics) {
  std::vector<std::string> axes;
  for (std::size_t a = 0; a < t.product_axes; ++a) axes.push_back(t.axes[a].name);
  for (std::size_t r = 0; r < config.include.size(); ++r)
    for (std::size_t i = 0; i < config.include[r].values.size(); ++i) {
      const std::string& key = config.include[r].values[i].first;
      const auto close = did_you_mean(key, axes);
      if (std::find(axes.begin(), axes.end(), key) != axes.end() || !close ||
          used_by_a_run(config, key))
        continue;
      diagnostics.warning(config.include[r].key_marks[i],
                          entry_name(r) + " key '" + key +
                              "' is no axis, so it only adds the variable {{ " + key + " }} ($" +
                              environment_name(key) +
                              ") to the cells it applies to, and no run command uses it; did "
                              "you mean the axis '" +
                              *close + "'?");
    }
}

// faultline compares values as exact text; GitHub's runner ignores letter case.
void warn_case_only_values(const Config& config, Diagnostics& diagnostics) {
  for (std::size_t r = 0; r < config.include.size(); ++r)
    for (std::size_t i = 0; i < config.include[r].values.size(); ++i) {
      const auto& [key, value] = config.include[r].values[i];
      for (const auto& w : config.workloads)
        for (const auto& p : w.params) {
          if (p.name != key || std::find(p.values.begin(), p.values.end(), value) != p.values.end())
            continue;
          for (const auto& v : p.values)
            if (equal_ignoring_case(v, value))
              diagnostics.warning(
                  config.include[r].key_marks[i],
                  entry_name(r) + ": '" + value + "' is not a value of parameter '" + key +
                      "' of workload '" + w.name + "', whose value is '" + v +
                      "': values are compared as exact text, letter case included (GitHub's "
                      "runner takes them as equal), so this entry adds a value instead of "
                      "selecting '" +
                      v + "'");
        }
    }
}

std::string replaced_by_text(const Config& config, const IncludeEffect& effect) {
  std::vector<std::string> names;
  for (std::size_t later : effect.overwritten_by)
    names.push_back(entry_name(later) + at_text(config.include[later].mark));
  return join(names, ", ");
}

// The hint for an entry of keys that are no axis: it applies to every cell.
std::string only_extras_hint(const RuleEntry& entry, const CellTable& t) {
  for (const auto& [key, value] : entry.values)
    if (auto a = t.axis_index(key); a && *a < t.product_axes) return "";
  return "; an entry whose keys are no axes applies to every cell (GitHub makes a job of each "
         "include entry only in a matrix without axes, and a faultline matrix always has the "
         "sanitizer and workload axes): to get a cell per value, make '" +
         entry.values.front().first + "' a parameter of the workload";
}

// An entry that adds nothing, or whose every added value a later entry
// replaces, does nothing: GitHub accepts it, so it is a warning, not an error.
void warn_without_effect(const Config& config, const CellTable& t,
                         const std::vector<IncludeEffect>& effects, Diagnostics& diagnostics) {
  for (std::size_t r = 0; r < effects.size() && r < config.include.size(); ++r) {
    const IncludeEffect& e = effects[r];
    const RuleEntry& entry = config.include[r];
    if (e.created) continue;
    if (e.added == 0)
      diagnostics.warning(entry.mark, entry_name(r) + " has no effect: the " +
                                          cells_text(e.extended) + " it matches already " +
                                          (e.extended == 1 ? "has" : "have") +
                                          " every value it gives; add "
                                          "a key that is no axis to give them a variable, or "
                                          "remove the entry");
    else if (e.kept == 0)
      diagnostics.warning(entry.mark, entry_name(r) + " has no effect: in " +
                                          (e.extended == 1 ? "the " : "each of the ") +
                                          cells_text(e.extended) +
                                          " it applies to, every value it adds is replaced by " +
                                          replaced_by_text(config, e) + only_extras_hint(entry, t));
  }
}

// The builds every cell needs: one per component with a build command, keyed on
// the versions of the component and of everything it depends on.
void collect_builds(const Config& config, Expansion& e) {
  const CellTable& t = e.cells;
  std::unordered_map<std::string, std::uint32_t> index;
  e.cell_builds.assign(t.size(), {});
  for (std::size_t c = 0; c < t.size(); ++c) {
    const std::string* sanitizer = t.value(c, "sanitizer");
    for (std::size_t ci = 0; ci < config.components.size(); ++ci) {
      const Component& comp = config.components[ci];
      const std::string* version = t.value(c, ci);
      if (!version || !sanitizer) continue;
      BuildRef ref{ci, *version, *sanitizer, {}, {}};
      // Transitive dependencies, by a simple worklist.
      std::set<std::size_t> deps;
      std::vector<const Component*> work = {&comp};
      while (!work.empty()) {
        const Component* cur = work.back();
        work.pop_back();
        for (const auto& d : cur->depends)
          for (std::size_t di = 0; di < config.components.size(); ++di)
            if (config.components[di].name == d.value && deps.insert(di).second)
              work.push_back(&config.components[di]);
      }
      std::vector<std::pair<std::string, std::string>> parts = {{comp.name, *version}};
      for (std::size_t di : deps)
        if (const std::string* dv = t.value(c, di)) {
          ref.deps.emplace_back(di, *dv);
          parts.emplace_back(config.components[di].name, *dv);
        }
      for (const auto& [n, v] : parts) ref.id += n + "=" + v + " ";
      ref.id += "sanitizer=" + *sanitizer;
      auto [it, inserted] = index.emplace(ref.id, static_cast<std::uint32_t>(e.builds.size()));
      if (inserted) e.builds.push_back(std::move(ref));
      e.cell_builds[c].push_back(it->second);
    }
  }
}

std::string missing_cells_text(const CellTable& t, const std::vector<std::size_t>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size() && i < 3; ++i)
    out += (i ? ", '" : "'") + t.id(cells[i]) + "'";
  if (cells.size() > 3) out += " and " + std::to_string(cells.size() - 3) + " more";
  return out;
}

std::string why_missing(const Config& config, const Axis& axis) {
  if (axis.kind == AxisKind::extra)
    return "'" + axis.name + "' is an include key that only some cells get";
  for (const auto& w : config.workloads)
    for (const auto& p : w.params)
      if (p.name == axis.name)
        return "'" + axis.name + "' is a parameter of workload '" + w.name + "'";
  return "'" + axis.name + "' has no value there";
}

// A run command that uses a variable some of its cells lack would run as
// something else (or nothing) there, and pass: refused, naming those cells.
void check_run_variables(const Config& config, const CellTable& t, Diagnostics& diagnostics) {
  const auto workload_axis = t.axis_index("workload");
  for (std::size_t wi = 0; wi < config.workloads.size() && workload_axis; ++wi) {
    const Workload& w = config.workloads[wi];
    std::set<std::string> reported;
    for (const auto& use : w.run_placeholders) {
      const auto axis = t.axis_index(use.value);
      if (!axis || !reported.insert(use.value).second) continue;
      std::vector<std::size_t> lacking;
      for (std::size_t c = 0; c < t.size(); ++c)
        if (t.value(c, *workload_axis) && *t.value(c, *workload_axis) == w.name &&
            t.at(c, *axis) < 0)
          lacking.push_back(c);
      if (lacking.empty()) continue;
      diagnostics.error(
          use.mark, "workloads." + w.name + ".run uses {{ " + use.value + " }}, which " +
                        std::to_string(lacking.size()) +
                        (lacking.size() == 1 ? " cell" : " cells") + " of workload '" + w.name +
                        (lacking.size() == 1 ? "' lacks: " : "' lack: ") +
                        missing_cells_text(t, lacking) + " (" + why_missing(config, t.axes[*axis]) +
                        "); give every cell of '" + w.name +
                        "' a value for it, or use it in another workload");
    }
  }
}

}  // namespace

Expansion expand(const Config& config, Diagnostics& diagnostics, const ExpandOptions& options) {
  Expansion e;
  e.product = product_size(config);
  const std::size_t hard_limit =
      options.max_cells > SIZE_MAX / 10 ? SIZE_MAX : options.max_cells * 10;
  if (e.product > hard_limit) {
    diagnostics.error(
        {}, "the matrix has " + std::to_string(e.product) +
                " combinations before exclude, more than "
                "the limit of " +
                std::to_string(options.max_cells) +
                " cells; narrow it with matrix.exclude or fewer versions, or raise --max-cells");
    return e;
  }
  std::vector<Axis> axes = product_axes_of(config);
  const std::size_t product_count = axes.size();
  e.cells.set_axes(std::move(axes), product_count);
  auto excludes = compile_rules(config.exclude, e.cells, false);
  auto includes = compile_rules(config.include, e.cells, true);
  e.cells.reserve(e.product);
  add_workload_products(config, e.cells);
  e.excluded = e.cells.apply_exclude(excludes);
  std::vector<IncludeEffect> effects;
  e.included = e.cells.apply_include(includes, &effects);
  check_new_cells(config, e.cells, effects, diagnostics);
  check_unique(config, e.cells, effects, diagnostics);
  check_run_variables(config, e.cells, diagnostics);
  warn_misspelt_keys(config, e.cells, diagnostics);
  warn_case_only_values(config, diagnostics);
  warn_without_effect(config, e.cells, effects, diagnostics);
  if (e.cells.size() > options.max_cells) {
    diagnostics.error({}, "the matrix expands to " + std::to_string(e.cells.size()) +
                              " cells, more than the limit of " +
                              std::to_string(options.max_cells) +
                              "; narrow it with matrix.exclude, or raise --max-cells");
  }
  if (e.cells.size() == 0 && diagnostics.empty())
    diagnostics.error({}, "the matrix has no cells: matrix.exclude removes every combination");
  if (options.with_builds && diagnostics.empty()) collect_builds(config, e);
  return e;
}

std::vector<std::uint32_t> assign_shards(const Expansion& e, std::uint32_t shards) {
  const std::size_t n = e.cells.size();
  std::vector<std::uint32_t> out(n, 0);
  if (shards <= 1 || n == 0) return out;
  // Group cells by the set of builds they need.
  std::map<std::vector<std::uint32_t>, std::vector<std::size_t>> groups;
  for (std::size_t c = 0; c < n; ++c)
    groups[c < e.cell_builds.size() ? e.cell_builds[c] : std::vector<std::uint32_t>{}].push_back(c);
  std::vector<std::vector<std::size_t>> ordered;
  for (auto& [key, cells] : groups) ordered.push_back(std::move(cells));
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
  const std::size_t target = (n + shards - 1) / shards;
  std::vector<std::size_t> load(shards, 0);
  auto lightest = [&] {
    return static_cast<std::uint32_t>(std::min_element(load.begin(), load.end()) - load.begin());
  };
  for (const auto& group : ordered) {
    std::size_t i = 0;
    while (i < group.size()) {
      std::uint32_t s = lightest();
      // Keep the rest of the group together while it fits; else fill this shard up to the target.
      std::size_t room = load[s] < target ? target - load[s] : 1;
      std::size_t take = std::min(group.size() - i, room);
      for (std::size_t k = 0; k < take; ++k) out[group[i + k]] = s;
      load[s] += take;
      i += take;
    }
  }
  return out;
}

std::vector<Combination> github_matrix(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& axes,
    const std::vector<Combination>& exclude, const std::vector<Combination>& include) {
  CellTable t;
  std::vector<Axis> table_axes;
  for (const auto& [name, values] : axes) table_axes.push_back({name, AxisKind::param, values});
  t.set_axes(std::move(table_axes), axes.size());
  auto to_entries = [](const std::vector<Combination>& combos) {
    std::vector<RuleEntry> entries;
    for (const auto& c : combos) entries.push_back({c, std::vector<Mark>(c.size()), {}});
    return entries;
  };
  auto ex = compile_rules(to_entries(exclude), t, false);
  auto in = compile_rules(to_entries(include), t, true);
  if (!axes.empty()) {
    std::vector<std::vector<std::int32_t>> choices;
    for (std::size_t a = 0; a < t.stride(); ++a) {
      std::vector<std::int32_t> c;
      if (a < axes.size())
        for (std::size_t v = 0; v < axes[a].second.size(); ++v)
          c.push_back(static_cast<std::int32_t>(v));
      else
        c.push_back(-1);
      choices.push_back(c);
    }
    t.add_product(choices);
  }
  t.apply_exclude(ex);
  t.apply_include(in);
  std::vector<Combination> out;
  for (std::size_t c = 0; c < t.size(); ++c) {
    Combination combo;
    for (std::size_t a = 0; a < t.stride(); ++a)
      if (const std::string* v = t.value(c, a)) combo.emplace_back(t.axes[a].name, *v);
    out.push_back(std::move(combo));
  }
  return out;
}

}  // namespace faultline::matrix
