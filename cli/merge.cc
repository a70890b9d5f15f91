// `faultline merge`: join the results.json files of `faultline run --shard K/N`
// jobs into the one an unsharded run would have written. Wiring only: the
// joining and its checks are in reporters/merge.h.
#include "reporters/merge.h"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "base/exit_status.h"
#include "base/files.h"
#include "cli/command.h"
#include "pipeline/session.h"
#include "reporters/load.h"
#include "reporters/results.h"

namespace faultline::cli {

namespace {

namespace fs = std::filesystem;

struct MergeFlags {
  std::vector<std::string> files;
  std::string out;
  bool allow_partial = false;
};

std::string summary(const nlohmann::json& r) {
  const auto& t = r["totals"];
  const auto& m = r["merged"];
  std::string text =
      std::to_string(m["shards"].size()) + " of " + std::to_string(m["of"].get<int>()) + " shards";
  if (m["partial"].get<bool>())
    text += " (partial: " + std::to_string(m["missing"].size()) + " missing)";
  text += ", " + std::to_string(t["cells"].get<int>()) + " cells: ";
  text += std::to_string(t["crash"].get<int>()) + " crash, " +
          std::to_string(t["hang"].get<int>()) + " hang, " + std::to_string(t["pass"].get<int>()) +
          " pass, " + std::to_string(t["build_error"].get<int>()) + " build-error; " +
          std::to_string(t["signatures"].get<int>()) + " signatures";
  return text;
}

int run_merge(const MergeFlags& flags) {
  if (!flags.out.empty() && flags.out != "-")
    if (auto replaceable = pipeline::replaceable_output("-o", flags.out); !replaceable) {
      std::cerr << "faultline merge: " << replaceable.error().message << "\n";
      return k_exit_bad_input;
    }
  std::vector<reporters::ShardResults> inputs;
  for (const auto& file : flags.files) {
    auto r = reporters::load_results(file);
    if (!r) {
      std::cerr << "faultline merge: " << r.error().message << "\n";
      return k_exit_bad_input;
    }
    inputs.push_back({file, std::move(*r)});
  }
  auto merged = reporters::merge_results(std::move(inputs), {flags.allow_partial});
  if (!merged) {
    std::cerr << "faultline merge: " << merged.error().message << "\n";
    return exit_status_for(merged.error());
  }
  const std::string text =
      merged->dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const bool to_stdout = flags.out.empty() || flags.out == "-";
  if (to_stdout) {
    std::cout << text << std::flush;
    if (!std::cout) return k_exit_infrastructure;
  } else if (Status written = write_file_atomically(flags.out, text); !written) {
    std::cerr << "faultline merge: " << written.error().message << "\n";
    return k_exit_infrastructure;
  }
  std::cerr << "faultline merge: " << summary(*merged) << (to_stdout ? "" : " -> " + flags.out)
            << "\n";
  return k_exit_ok;
}

}  // namespace

void add_merge_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<MergeFlags>();
  CLI::App* cmd = app.add_subcommand("merge", "Join the results.json of sharded runs into one");
  cmd->footer(
      "Each input is the --out of one `faultline run --shard K/N` of the same matrix file. The "
      "merged\n"
      "results equal those of one unsharded run (cells, signatures, attribution, totals), with\n"
      "options.shard null and `merged` listing the shards. Refused (exit 2): files of different\n"
      "matrices or options, the same shard or cell twice, and missing shards unless "
      "--allow-partial.\n"
      "Exit status: 0 merged (whatever the verdicts), 2 bad input, 3 cannot write the output.\n\n"
      "Examples:\n"
      "  faultline merge results-*.json -o results.json\n"
      "  faultline report --format md results.json");
  cmd->add_option("files", flags->files, "the shards' results.json files")->required();
  cmd->add_option("-o,--output", flags->out,
                  "write the merged results.json here (default: stdout)");
  cmd->add_flag("--allow-partial", flags->allow_partial,
                "merge even when some shards are missing; the output says which (merged.missing)");
  cmd->callback([flags, &action] { action = [flags] { return run_merge(*flags); }; });
}

}  // namespace faultline::cli
