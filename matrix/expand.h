// Expansion of a matrix into cells: the product of every axis (components'
// versions, sanitizer, workload, each workload parameter), with matrix.exclude
// and matrix.include applied exactly as GitHub Actions applies them to a
// strategy.matrix; plus the distinct builds the cells need and their split
// into shards.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "matrix/config.h"
#include "matrix/diagnostics.h"

namespace faultline::matrix {

enum class AxisKind { component, sanitizer, workload, param, extra };

struct Axis {
  std::string name;
  AxisKind kind = AxisKind::param;
  std::vector<std::string> values;  // declared order; include may append new ones
};

// What one matrix.include entry did to the cells (CellTable::apply_include), so
// that expand() can say when an entry has no effect or makes a duplicate.
struct IncludeEffect {
  std::size_t extended = 0;                 // original cells it was added to
  std::optional<std::size_t> created;       // the new cell it made instead
  std::size_t added = 0;                    // values it added to those cells (keys they lacked)
  std::size_t kept = 0;                     // of those, the ones no later entry replaced
  std::vector<std::size_t> overwritten_by;  // later entries that replaced one, in entry order
};

// Cells stored flat: one value index per axis, -1 where a cell has no value on
// that axis (a parameter of another workload, an extra key no include gave it).
class CellTable {
 public:
  std::vector<Axis> axes;
  std::size_t product_axes =
      0;  // axes[0, product_axes) are the product's; the rest are include extras

  std::size_t size() const { return stride() == 0 ? 0 : m_values.size() / stride(); }
  std::size_t stride() const { return m_stride; }
  std::int32_t at(std::size_t cell, std::size_t axis) const {
    return m_values[cell * m_stride + axis];
  }
  const std::string* value(std::size_t cell, std::size_t axis) const;
  const std::string* value(std::size_t cell, std::string_view axis_name) const;
  std::optional<std::size_t> axis_index(std::string_view name) const;

  // "library=1.2 binding=0.8 sanitizer=asan workload=gates threads=16": every
  // product axis that has a value, in axis order.
  std::string id(std::size_t cell) const;
  // Eight hex digits of a stable hash of id().
  std::string hash(std::size_t cell) const;

  // Building blocks of the GitHub semantics (public for tests and benchmarks).
  void reserve(std::size_t cells) { m_values.reserve(cells * m_stride); }
  void add_product(const std::vector<std::vector<std::int32_t>>& choices);
  // Removes every cell that matches all pairs of some rule; returns how many.
  std::size_t apply_exclude(
      const std::vector<std::vector<std::pair<std::size_t, std::int32_t>>>& rules);
  // Applies GitHub's include rule; returns how many new cells were appended.
  // With `effects`, fills one IncludeEffect per rule.
  std::size_t apply_include(
      const std::vector<std::vector<std::pair<std::size_t, std::int32_t>>>& rules,
      std::vector<IncludeEffect>* effects = nullptr);
  void set_axes(std::vector<Axis> new_axes, std::size_t product);
  void add_extra_axis(Axis axis);
  std::int32_t intern(std::size_t axis, const std::string& value);

 private:
  std::size_t m_stride = 0;
  std::vector<std::int32_t> m_values;
};

// One build: a component at a version under a sanitizer, with the versions of
// everything it depends on (transitively), since their prefixes reach its build.
struct BuildRef {
  std::size_t component = 0;  // index into Config::components
  std::string version;
  std::string sanitizer;
  std::vector<std::pair<std::size_t, std::string>> deps;  // (component index, version), by index
  std::string id;  // "binding=0.8 library=1.2 sanitizer=asan"
};

struct Expansion {
  CellTable cells;
  std::size_t product = 0;  // cells before exclude
  std::size_t excluded = 0;
  std::size_t included = 0;                             // new cells from include
  std::vector<BuildRef> builds;                         // distinct, in first-use order
  std::vector<std::vector<std::uint32_t>> cell_builds;  // per cell: indices into builds
};

struct ExpandOptions {
  std::size_t max_cells = 100'000;
  bool with_builds = true;
};

// Expands `config` (already loaded without errors). Errors (too many cells, an
// include entry that makes an incomplete cell, two include entries that make the
// same cell) and warnings (an include entry with no effect, or one whose every
// value a later entry replaces; an include key that is no axis, is close to one
// and no command uses; an include value that differs from a parameter's value
// only in letter case) go to `diagnostics`, each at the place in the file that
// caused it.
Expansion expand(const Config& config, Diagnostics& diagnostics, const ExpandOptions& options = {});

// Assigns each cell to one of `shards` shards (0-based), balancing counts and
// keeping cells that share builds together where balance allows. Deterministic.
std::vector<std::uint32_t> assign_shards(const Expansion& expansion, std::uint32_t shards);

// GitHub Actions' strategy.matrix semantics over plain keys and values, for
// checking against GitHub's documented examples.
using Combination = std::vector<std::pair<std::string, std::string>>;
std::vector<Combination> github_matrix(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& axes,
    const std::vector<Combination>& exclude, const std::vector<Combination>& include);

}  // namespace faultline::matrix
