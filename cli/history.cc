// `faultline history` and `faultline sessions`: what the results store
// remembers — each crash signature's first and last sighting and the cells it
// appeared in, and the sessions (runs and bisects) with their ids, which
// `report --baseline` accepts. Reading only: the store is store/store.h.
#include "pipeline/history.h"

#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "base/exit_status.h"
#include "base/redact.h"
#include "base/text.h"
#include "cli/command.h"
#include "pipeline/matrix_input.h"
#include "reporters/text.h"
#include "store/store.h"

namespace faultline::cli {

namespace {

struct HistoryFlags {
  std::string file = pipeline::k_default_matrix_file;
  std::string db;
  std::string signature;
};

// "2026-11-22T00:12:19.123Z" → "2026-11-22 00:12:19".
std::string when(const std::string& stamp) {
  std::string t = stamp.substr(0, 19);
  if (t.size() > 10) t[10] = ' ';
  return t;
}

std::string cells_text(const std::vector<std::string>& cells, std::size_t shown = 3) {
  std::vector<std::string> first(
      cells.begin(), cells.begin() + static_cast<std::ptrdiff_t>(std::min(shown, cells.size())));
  std::string text = join(first, "; ");
  if (cells.size() > shown) text += "; +" + std::to_string(cells.size() - shown) + " more";
  return text;
}

// Crash text from the store as a terminal may show it: secret-looking variables' values masked,
// control characters visible (reporters/text.h).
std::string shown(std::string_view text) {
  static const Redactor redactor = Redactor::from_environment();
  return reporters::terminal_text(redactor.apply(text));
}

int report_error(const char* command, const Error& e) {
  std::cerr << "faultline " << command << ": " << e.message << "\n";
  return exit_status_for(e);
}

int list_signatures(store::Store& db) {
  auto all = db.signatures();
  if (!all) return report_error("history", all.error());
  if (all->empty()) {
    std::cout << "no crash signature recorded in " << db.path() << "\n";
    return k_exit_ok;
  }
  std::cout << all->size() << (all->size() == 1 ? " crash signature" : " crash signatures")
            << " in " << db.path() << ", most recently seen first\n\n";
  std::cout << std::left << std::setw(14) << "signature" << std::setw(28) << "crash" << std::right
            << std::setw(6) << "runs"
            << "  " << std::left << std::setw(31) << "first seen" << std::setw(31) << "last seen"
            << "cells\n";
  for (const auto& s : *all) {
    std::cout << std::left << std::setw(14) << s.hash << std::setw(28)
              << shown((s.tool + " " + s.kind).substr(0, 27)) << std::right << std::setw(6)
              << s.count << "  " << std::left << std::setw(31)
              << when(s.first_seen) + " #" + std::to_string(s.first_session) << std::setw(31)
              << when(s.last_seen) + " #" + std::to_string(s.last_session) << cells_text(s.cells)
              << "\n";
  }
  std::cout << "\n#N is a session (`faultline sessions`); `faultline history --signature HASH` "
               "lists every sighting\n";
  return k_exit_ok;
}

int show_signature(store::Store& db, const std::string& prefix) {
  auto found = pipeline::find_signature(db, prefix);
  if (!found) return report_error("history", found.error());
  auto seen = db.sightings(found->hash);
  if (!seen) return report_error("history", seen.error());
  std::cout << "signature " << found->hash << ": " << shown(found->tool) << " "
            << shown(found->kind) << "\n";
  if (!found->text.empty()) std::cout << "  " << shown(found->text) << "\n";
  std::cout << "first seen " << when(found->first_seen) << " (session " << found->first_session
            << "), last seen " << when(found->last_seen) << " (session " << found->last_session
            << "); " << found->count << (found->count == 1 ? " run" : " runs") << " in "
            << found->cells.size() << (found->cells.size() == 1 ? " cell" : " cells") << "\n\n";
  std::cout << std::left << std::setw(9) << "session" << std::setw(8) << "kind" << std::right
            << std::setw(5) << "runs"
            << "  " << std::left << std::setw(21) << "first" << std::setw(21) << "last"
            << "cell\n";
  for (const auto& s : *seen)
    std::cout << std::left << std::setw(9) << s.session << std::setw(8) << s.session_kind
              << std::right << std::setw(5) << s.runs << "  " << std::left << std::setw(21)
              << when(s.first_seen) << std::setw(21) << when(s.last_seen) << s.cell_id << "\n";
  return k_exit_ok;
}

int run_history(const HistoryFlags& flags) {
  auto db = store::Store::open(pipeline::store_path(flags.file, flags.db),
                               store::Database::Mode::existing);
  if (!db) return report_error("history", db.error());
  return flags.signature.empty() ? list_signatures(**db) : show_signature(**db, flags.signature);
}

int run_sessions(const HistoryFlags& flags) {
  auto db = store::Store::open(pipeline::store_path(flags.file, flags.db),
                               store::Database::Mode::existing);
  if (!db) return report_error("sessions", db.error());
  auto all = (*db)->sessions();
  if (!all) return report_error("sessions", all.error());
  if (all->empty()) {
    std::cout << "no session recorded in " << (*db)->path() << "\n";
    return k_exit_ok;
  }
  std::cout << std::left << std::setw(9) << "session" << std::setw(8) << "kind" << std::setw(21)
            << "started" << std::setw(21) << "finished" << std::right << std::setw(7) << "runs"
            << std::setw(10) << "crashing"
            << "  " << std::left << "matrix\n";
  for (const auto& s : *all) {
    std::string finished = s.finished_at.empty() ? "(killed or running)" : when(s.finished_at);
    if (s.interrupted) finished = "(interrupted)";
    std::string matrix =
        s.matrix_name.empty() ? s.matrix_file : s.matrix_name + " (" + s.matrix_file + ")";
    if (!s.shard.empty()) matrix += " shard " + s.shard;
    if (s.resumed) matrix += ", resumed " + std::to_string(s.resumed) + "×";
    std::cout << std::left << std::setw(9) << s.id << std::setw(8) << s.kind << std::setw(21)
              << when(s.started_at) << std::setw(21) << finished << std::right << std::setw(7)
              << s.runs << std::setw(10) << s.crashing_runs << "  " << matrix << "\n";
  }
  return k_exit_ok;
}

void add_store_flags(CLI::App* cmd, HistoryFlags& flags) {
  cmd->add_option("file", flags.file,
                  "the matrix file whose store to read (STATE/faultline.db beside it)")
      ->capture_default_str();
  cmd->add_option("--db", flags.db,
                  "the results store to read (default: .faultline/faultline.db beside FILE)");
}

}  // namespace

void add_history_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<HistoryFlags>();
  CLI::App* cmd = app.add_subcommand(
      "history", "When each crash signature was first and last seen, and in which cells");
  cmd->footer(
      "Reads the results store that `faultline run` writes (STATE/faultline.db). Without "
      "--signature:\n"
      "one line per signature, most recently seen first, with its first and last sighting (time "
      "and\n"
      "session), the runs that showed it and the cells. --signature HASH (a prefix will do) lists "
      "every\n"
      "sighting: each session and cell, with its runs and times.\n"
      "Exit status: 0 shown; 2 no store, or no (or several) signatures match; 3 the store is "
      "unreadable.\n\n"
      "Examples:\n"
      "  faultline history examples/ffi-race/faultline.yaml\n"
      "  faultline history --signature 3f2a9c");
  add_store_flags(cmd, *flags);
  cmd->add_option("--signature", flags->signature,
                  "one signature (its hash or a prefix): every sighting");
  cmd->callback([flags, &action] { action = [flags] { return run_history(*flags); }; });
}

void add_sessions_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<HistoryFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sessions", "The runs and bisects recorded in the results store, newest first");
  cmd->footer(
      "Each `faultline run` (and each bisect) is a session; its id names it for\n"
      "`faultline report --baseline ID`. A session resumed with --resume keeps its id.\n"
      "Exit status: 0 shown; 2 no store; 3 the store is unreadable.");
  add_store_flags(cmd, *flags);
  cmd->callback([flags, &action] { action = [flags] { return run_sessions(*flags); }; });
}

}  // namespace faultline::cli
