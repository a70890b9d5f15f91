// `faultline triage [FILE|-]`: recognise the crashes in any captured output (a
// CI log, a pasted terminal session, a sanitizer log_path file) and print them,
// one block each or as JSON. Exit 1 when it found a crash, 0 when not, 2 when
// the input cannot be read. Reading and recognising are pipeline/triage.h's.

#include "pipeline/triage.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/exit_status.h"
#include "base/redact.h"
#include "base/text.h"
#include "cli/command.h"
#include "reporters/text.h"
#include "sanitizers/frame.h"
#include "sanitizers/parser.h"

namespace faultline::cli {

namespace {

struct TriageOptions {
  std::string file = "-";
  bool json = false;
  std::vector<std::string> ignore_frames;
  std::size_t frames_shown = 5;
};

// Text from the log as a terminal may show it: control characters and invalid bytes as \xHH
// (reporters/text.h), so the log cannot drive the terminal. Secrets are masked before, in the
// crashes both outputs print (pipeline::mask_crashes).
std::string valid_utf8(std::string_view text) { return reporters::terminal_text(text); }

std::string describe_frame(const sanitizers::Frame& f) {
  std::string where;
  if (!f.file.empty())
    where = std::string(sanitizers::basename(f.file)) + ":" + std::to_string(f.line);
  else if (!f.module.empty())
    where =
        "(" + std::string(sanitizers::basename(f.module)) + "+0x" + hex16(f.offset).substr(8) + ")";
  std::string name = f.function.empty() ? "??" : sanitizers::normalise_function(f.function);
  return where.empty() ? name : name + "  " + where;
}

std::string describe_access(const sanitizers::Crash& c) {
  if (!c.access) return "";
  std::string kind = c.access->kind == sanitizers::AccessKind::write ? "WRITE" : "READ";
  return c.access->size ? " (" + kind + " of size " + std::to_string(c.access->size) + ")"
                        : " (" + kind + ")";
}

void print_block(const sanitizers::Crash& c, std::size_t index, const TriageOptions& options,
                 const sanitizers::ParseOptions& parse) {
  std::cout << "crash " << index << ": " << valid_utf8(c.tool) << " " << valid_utf8(c.kind)
            << describe_access(c) << (c.truncated ? " [report truncated]" : "") << "\n";
  if (!c.location.empty()) std::cout << "  at " << valid_utf8(c.location) << "\n";
  std::size_t shown = 0;
  for (std::size_t i = sanitizers::first_meaningful(c.frames, parse.signature);
       i < c.frames.size() && shown < options.frames_shown; ++i) {
    if (sanitizers::is_runtime_frame(c.frames[i])) continue;
    std::cout << "  #" << shown++ << " " << valid_utf8(describe_frame(c.frames[i])) << "\n";
  }
  if (!c.detail.empty()) std::cout << "  detail: " << valid_utf8(c.detail) << "\n";
  if (!c.summary.empty()) std::cout << "  summary: " << valid_utf8(c.summary) << "\n";
  std::cout << "  signature: " << c.signature.hash << "  " << valid_utf8(c.signature.text)
            << "\n\n";
}

int run_triage(const TriageOptions& options) {
  sanitizers::ParseOptions parse;
  parse.signature.ignore_frames = options.ignore_frames;
  parse.use_exit_status = false;
  auto found = pipeline::triage_log(options.file, parse);
  if (!found) {
    std::cerr << found.error().message << "\n";
    return exit_status_for(found.error());
  }
  std::vector<sanitizers::Crash>& crashes = *found;
  pipeline::mask_crashes(crashes, Redactor::from_environment());
  if (options.json) {
    std::cout << pipeline::crashes_json(crashes).dump(2, ' ', false,
                                                      nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    for (std::size_t i = 0; i < crashes.size(); ++i) print_block(crashes[i], i + 1, options, parse);
    std::cout << crashes.size() << (crashes.size() == 1 ? " crash" : " crashes") << " found\n";
  }
  return crashes.empty() ? k_exit_ok : k_exit_crashes;
}

}  // namespace

void add_triage_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<TriageOptions>();
  auto* cmd = app.add_subcommand(
      "triage", "Recognise sanitizer reports, runtime panics and fatal signals in captured output");
  cmd->add_option("FILE", options->file, "log to read; - or nothing reads stdin");
  cmd->add_flag("--json", options->json, "print the crashes as JSON");
  cmd->add_option(
      "--ignore-frame", options->ignore_frames,
      "skip frames matching this glob or substring when forming signatures (repeatable)");
  cmd->add_option("--frames", options->frames_shown, "meaningful frames to show per crash")
      ->capture_default_str();
  cmd->footer(
      "Examples:\n"
      "  faultline triage ci.log\n"
      "  ./stress 2>&1 | faultline triage --json -\n"
      "Exit status: 1 when a crash was found, 0 when none, 2 when the input cannot be read.");
  cmd->callback([&action, options] { action = [options] { return run_triage(*options); }; });
}

}  // namespace faultline::cli
