// faultline's entry point: parse the command line, run one subcommand, and turn
// anything thrown below into a message and an exit status. Nothing else lives here.
#include <iostream>

#include "base/exit_status.h"
#include "cli/command.h"

int main(int argc, char** argv) {
  using namespace faultline;
  CLI::App app{
      "faultline finds the fault line between the versions that work and the versions "
      "that crash.\n\nExample:\n  faultline validate examples/ffi-race/faultline.yaml\n"
      "  faultline plan --shards 4 examples/ffi-race/faultline.yaml",
      "faultline"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "faultline 0.1.0");
  cli::Action action;
  cli::add_validate_command(app, action);
  cli::add_plan_command(app, action);
  cli::add_run_command(app, action);
  cli::add_bisect_command(app, action);
  cli::add_repro_command(app, action);
  cli::add_triage_command(app, action);
  cli::add_report_command(app, action);
  cli::add_history_command(app, action);
  cli::add_sessions_command(app, action);
  cli::add_post_command(app, action);
  cli::add_serve_command(app, action);
  cli::add_merge_command(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? k_exit_ok : k_exit_bad_input;
  }
  try {
    return action ? action() : k_exit_bad_input;
  } catch (const std::exception& e) {
    std::cerr << "faultline: internal error: " << e.what() << "\n";
    return k_exit_infrastructure;
  }
}
