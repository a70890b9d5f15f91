// `faultline plan`: list the cells of a matrix, or split them into shards for
// GitHub Actions jobs.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/exit_status.h"
#include "cli/command.h"
#include "pipeline/matrix_input.h"

namespace faultline::cli {

namespace {

// GitHub Actions: "A matrix will generate a maximum of 256 jobs per workflow run."
constexpr std::uint32_t k_github_max_jobs = 256;

struct PlanFlags {
  std::string file = pipeline::k_default_matrix_file;
  std::string format = "table";
  std::uint32_t shards = 0;
  std::string shard;
  std::size_t max_cells = 100'000;
};

nlohmann::json cell_json(const pipeline::MatrixInput& in, std::size_t c) {
  const auto& t = in.expansion.cells;
  nlohmann::json values = nlohmann::json::object();
  for (std::size_t a = 0; a < t.stride(); ++a)
    if (const std::string* v = t.value(c, a)) values[t.axes[a].name] = *v;
  nlohmann::json builds = nlohmann::json::array();
  for (auto b : in.expansion.cell_builds[c]) builds.push_back(in.expansion.builds[b].id);
  return {{"id", t.id(c)}, {"hash", t.hash(c)}, {"values", values}, {"builds", builds}};
}

int print_shards(const PlanFlags& flags, const pipeline::MatrixInput& in) {
  auto assignment = matrix::assign_shards(in.expansion, flags.shards);
  std::vector<std::size_t> counts(flags.shards, 0);
  std::vector<std::set<std::uint32_t>> builds(flags.shards);
  for (std::size_t c = 0; c < assignment.size(); ++c) {
    ++counts[assignment[c]];
    for (auto b : in.expansion.cell_builds[c]) builds[assignment[c]].insert(b);
  }
  nlohmann::json include = nlohmann::json::array();
  for (std::uint32_t s = 0; s < flags.shards; ++s)
    include.push_back({{"shard", std::to_string(s + 1) + "/" + std::to_string(flags.shards)},
                       {"cells", counts[s]},
                       {"builds", builds[s].size()}});
  std::cout << nlohmann::json{{"include", include}}.dump() << "\n";
  return k_exit_ok;
}

int print_cells(const PlanFlags& flags, const pipeline::MatrixInput& in) {
  std::optional<std::pair<std::uint32_t, std::uint32_t>> shard;
  std::vector<std::uint32_t> assignment;
  if (!flags.shard.empty()) {
    shard = pipeline::parse_shard(flags.shard);
    assignment = matrix::assign_shards(in.expansion, shard->second);
  }
  const auto& t = in.expansion.cells;
  nlohmann::json cells = nlohmann::json::array();
  std::size_t shown = 0;
  for (std::size_t c = 0; c < t.size(); ++c) {
    if (shard && assignment[c] != shard->first - 1) continue;
    ++shown;
    if (flags.format == "json")
      cells.push_back(cell_json(in, c));
    else
      std::cout << std::setw(6) << shown << "  " << t.hash(c) << "  " << t.id(c) << "\n";
  }
  if (flags.format == "json") {
    std::cout << nlohmann::json{{"name", in.config.name}, {"cells", cells}}.dump(2) << "\n";
  } else {
    std::cout << shown << " cells" << (shard ? " in shard " + flags.shard : std::string()) << ", "
              << in.expansion.builds.size() << " builds\n";
  }
  return k_exit_ok;
}

int run_plan(const PlanFlags& flags) {
  if (flags.shards > k_github_max_jobs) {
    std::cerr << "faultline plan: --shards " << flags.shards
              << " is more than GitHub Actions allows: a matrix "
              << "generates at most " << k_github_max_jobs
              << " jobs per workflow run; use --shards " << k_github_max_jobs << " or fewer\n";
    return k_exit_bad_input;
  }
  if (!flags.shard.empty() && !pipeline::parse_shard(flags.shard)) {
    std::cerr << "faultline plan: --shard '" << flags.shard
              << "' is not K/N with 1 <= K <= N (e.g. 2/4)\n";
    return k_exit_bad_input;
  }
  auto in = pipeline::read_matrix(flags.file, flags.max_cells);
  if (!in) return k_exit_bad_input;
  if (flags.shards > in->expansion.cells.size()) {
    std::cerr << "faultline plan: --shards " << flags.shards << " is more than the "
              << in->expansion.cells.size() << " cells of " << flags.file
              << "; every shard needs at least one cell\n";
    return k_exit_bad_input;
  }
  return flags.shards > 0 ? print_shards(flags, *in) : print_cells(flags, *in);
}

}  // namespace

void add_plan_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<PlanFlags>();
  CLI::App* cmd = app.add_subcommand(
      "plan", "List the cells of a matrix, or split them into shards for CI jobs");
  cmd->footer(
      "Each cell is one value on every axis, shown with a stable 8-digit hash.\n"
      "--shards N prints a JSON object for a GitHub Actions strategy.matrix: each job then runs\n"
      "`faultline run --shard K/N`; cells sharing builds stay on one shard where balance "
      "allows.\n\n"
      "Examples:\n"
      "  faultline plan examples/ffi-race/faultline.yaml\n"
      "  faultline plan --format json --shard 2/4 examples/ffi-race/faultline.yaml\n"
      "  # in a workflow:  matrix: ${{ fromJSON(needs.plan.outputs.shards) }}\n"
      "  faultline plan --shards 4 examples/ffi-race/faultline.yaml");
  cmd->add_option("file", flags->file, "the matrix file")->capture_default_str();
  cmd->add_option("--format", flags->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->add_option("--shards", flags->shards,
                  "split into N shards; prints a GitHub Actions matrix (JSON)")
      ->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--shard", flags->shard,
                  "list only shard K of N (K/N), as `run --shard` would run");
  cmd->add_option("--max-cells", flags->max_cells, "refuse a matrix of more cells than this")
      ->capture_default_str();
  cmd->callback([flags, &action] { action = [flags] { return run_plan(*flags); }; });
}

}  // namespace faultline::cli
