// How a subcommand plugs into `faultline`: each cli/<name>.cc defines one
// add_<name>_command() that declares its flags on a CLI11 subcommand and, when
// that subcommand is chosen, stores the action to run. main() runs it once and
// exits with the status it returns (base/exit_status.h).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace faultline::cli {

using Action = std::function<int()>;

void add_validate_command(CLI::App& app, Action& action);
void add_plan_command(CLI::App& app, Action& action);
void add_triage_command(CLI::App& app, Action& action);
void add_run_command(CLI::App& app, Action& action);
void add_bisect_command(CLI::App& app, Action& action);
void add_report_command(CLI::App& app, Action& action);
void add_history_command(CLI::App& app, Action& action);
void add_sessions_command(CLI::App& app, Action& action);
void add_post_command(CLI::App& app, Action& action);
void add_serve_command(CLI::App& app, Action& action);
void add_merge_command(CLI::App& app, Action& action);
void add_repro_command(CLI::App& app, Action& action);

}  // namespace faultline::cli
