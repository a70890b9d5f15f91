// `faultline run`: build every cell's components under its sanitizer, hammer
// each cell with its workload, and say which crash. Wiring only: the work is in
// runner/ (builds, stress loop), store/ (every run recorded in SQLite as it
// ends) and reporters/ (results.json, terminal).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "base/exit_status.h"
#include "base/files.h"
#include "base/text.h"
#include "base/time.h"
#include "cli/command.h"
#include "cli/post.h"
#include "matrix/variables.h"
#include "pipeline/matrix_input.h"
#include "pipeline/progress.h"
#include "pipeline/render.h"
#include "pipeline/session.h"
#include "reporters/github.h"
#include "reporters/markdown.h"
#include "reporters/results.h"
#include "reporters/terminal.h"
#include "runner/builds.h"
#include "runner/process.h"
#include "runner/stress.h"
#include "store/store.h"
#include "store/writer.h"

namespace faultline::cli {

namespace fs = std::filesystem;

namespace {

struct RunFlags {
  std::string file = pipeline::k_default_matrix_file;
  int jobs = 0;
  int runs = 0;
  std::string stop;
  std::string budget;
  std::string shard;
  std::vector<std::string> only;
  std::vector<std::string> reports;
  bool rebuild = false;
  bool resume = false;
  bool keep_cores = false;
  bool wait = false;  // --resume: wait for the process running the session instead of refusing
  bool post = false;  // pending status at the start, comment and final status at the end
  std::string out;
  std::string state_dir;
  std::string db;
  std::size_t max_cells = 100'000;
};

// --only axis=value filters: the same axis given twice means either value.
Expected<std::vector<std::size_t>> select_cells(const RunFlags& flags,
                                                const pipeline::MatrixInput& in) {
  const auto& t = in.expansion.cells;
  FAULTLINE_TRY(const pipeline::OnlyFilter wanted, pipeline::parse_only(flags.only, t));
  std::vector<std::uint32_t> shard_of;
  std::optional<std::pair<std::uint32_t, std::uint32_t>> shard;
  if (!flags.shard.empty()) {
    shard = pipeline::parse_shard(flags.shard);
    if (!shard)
      return fail(
          bad_input("--shard '" + flags.shard + "' is not K/N with 1 <= K <= N (e.g. 2/4)"));
    shard_of = matrix::assign_shards(in.expansion, shard->second);
  }
  std::vector<std::size_t> selected;
  for (std::size_t c = 0; c < t.size(); ++c) {
    if (shard && shard_of[c] != shard->first - 1) continue;
    bool ok = std::all_of(wanted.begin(), wanted.end(), [&](const auto& w) {
      const std::string* v = t.value(c, w.first);
      return v && w.second.count(*v);
    });
    if (ok) selected.push_back(c);
  }
  if (selected.empty())
    return fail(bad_input("no cell matches --only " + join(flags.only, " --only ") +
                          (shard ? " in shard " + flags.shard : "")));
  return selected;
}

// The command that runs the cell once more, in the foreground (cli/repro.cc).
// The matrix file is named by its absolute path, which reports make relative.
std::string repro_command(const matrix::Expansion& e, std::size_t cell,
                          const std::string& matrix_file, const RunFlags& flags) {
  std::string out = "faultline repro " + e.cells.hash(cell) + " " + shell_quote(matrix_file);
  if (!flags.state_dir.empty())
    out += " --state-dir " + shell_quote(fs::absolute(flags.state_dir).string());
  return out;
}

// A hash of the matrix file's text: --resume refuses a session of another file.
std::string matrix_fingerprint(const std::string& file) {
  Expected<std::string> text = read_file(file);
  return hex16(fnv1a64(text ? *text : std::string()));
}

// Claims session `id` for this process; with `wait`, until its holder ends
// (Ctrl-C, not yet caught here, ends the wait). Held by a live process without `wait`: bad input
// naming it.
Status claim_for_resume(store::Store& db, std::int64_t id, bool wait) {
  bool told = false;
  while (true) {
    FAULTLINE_TRY(const auto holder,
                  db.claim_session(id, pipeline::this_process(), pipeline::claimant_alive));
    if (!holder) return Ok{};
    const std::string who = "session " + std::to_string(id) + " in " + db.path() +
                            " is being run by " + pipeline::describe(*holder);
    if (!wait) return fail(bad_input("--resume: " + who + "; wait for it to end, or pass --wait"));
    if (!told)
      std::cerr << "faultline run: --resume --wait: " << who << "; waiting for it to end\n";
    told = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// The session this run records into: a new one, or with --resume the latest
// run session in the store (of the same matrix file), whose runs go to `previous`.
Expected<std::int64_t> open_session(store::Store& db, const RunFlags& flags,
                                    const pipeline::MatrixInput& in,
                                    const std::vector<std::size_t>& selected,
                                    std::vector<runner::RunRecord>& previous) {
  const std::string fingerprint = matrix_fingerprint(flags.file);
  const matrix::CellTable& cells = in.expansion.cells;
  std::vector<std::pair<std::string, std::string>> hash_and_id;
  for (std::size_t c : selected) hash_and_id.emplace_back(cells.hash(c), cells.id(c));
  FAULTLINE_STORE_CHECK(db.record_cells(hash_and_id));
  if (!flags.resume)
    return db.begin_session(
        {"run", in.config.name, flags.file, fingerprint, store::utc_timestamp(), flags.shard},
        pipeline::this_process());
  FAULTLINE_TRY(const auto latest, db.latest_session("run"));
  if (latest) FAULTLINE_STORE_CHECK(claim_for_resume(db, latest->id, flags.wait));
  if (!latest)
    return fail(bad_input("--resume: there is no interrupted run to resume (" + db.path() +
                          " holds no run)"));
  if (latest->fingerprint != fingerprint)
    return fail(bad_input("--resume: the matrix file changed since the run recorded in " +
                          db.path() + " (session " + std::to_string(latest->id) +
                          "); run again without --resume to start afresh"));
  std::map<std::string, std::size_t> by_hash;
  for (std::size_t c = 0; c < cells.size(); ++c) by_hash.emplace(cells.hash(c), c);
  FAULTLINE_TRY(previous, db.runs_of(latest->id, by_hash));
  FAULTLINE_STORE_CHECK(db.mark_resumed(latest->id));
  return latest->id;
}

std::vector<store::StoredBuild> stored_builds(const matrix::Expansion& e,
                                              const std::vector<runner::BuildOutcome>& builds) {
  std::vector<store::StoredBuild> out;
  for (std::size_t b = 0; b < builds.size(); ++b) {
    const auto& o = builds[b];
    if (o.state == runner::BuildState::not_needed) continue;
    const char* state = o.state == runner::BuildState::ok       ? "ok"
                        : o.state == runner::BuildState::failed ? "failed"
                                                                : "dependency-failed";
    out.push_back({e.builds[b].id, state, o.cached, o.seconds, o.dir});
  }
  return out;
}

int write_results(const std::string& path, const nlohmann::json& results) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (Status written = write_file_atomically(
          path, results.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
      !written) {
    std::cerr << "faultline run: " << written.error().message << "\n";
    return k_exit_infrastructure;
  }
  return k_exit_ok;
}

int run(const RunFlags& flags) {
  auto in = pipeline::read_matrix(flags.file, flags.max_cells);
  if (!in) return k_exit_bad_input;
  const matrix::Config& config = in->config;
  const matrix::Expansion& e = in->expansion;
  auto selected = select_cells(flags, *in);
  if (!selected) {
    std::cerr << "faultline run: " << selected.error().message << "\n";
    return k_exit_bad_input;
  }
  std::string place_error;
  const pipeline::Places places = pipeline::places_for(flags.file, flags.state_dir, place_error);
  if (places.state_dir.empty()) {
    std::cerr << "faultline run: " << place_error << "\n";
    return k_exit_infrastructure;
  }
  const std::string& matrix_dir = places.matrix_dir;
  const std::string& state_dir = places.state_dir;
  const std::string out_path = flags.out.empty() ? state_dir + "/results.json" : flags.out;
  const std::string db_path = flags.db.empty() ? state_dir + "/" + store::k_db_file_name : flags.db;
  if (auto replaceable = pipeline::replaceable_output("--out", out_path); !replaceable) {
    std::cerr << "faultline run: " << replaceable.error().message << "\n";
    return k_exit_bad_input;
  }
  if (flags.wait && !flags.resume) {
    std::cerr << "faultline run: --wait waits for another faultline running the session to resume; "
                 "give --resume too\n";
    return k_exit_bad_input;
  }
  auto opened = store::Store::open(db_path);
  if (!opened) {
    std::cerr << "faultline run: " << opened.error().message << "\n";
    return exit_status_for(opened.error());
  }
  store::Store& db = **opened;
  std::vector<runner::RunRecord> previous;
  auto session = open_session(db, flags, *in, *selected, previous);
  if (!session) {
    std::cerr << "faultline run: " << session.error().message << "\n";
    return exit_status_for(session.error());
  }
  const int jobs = flags.jobs > 0 ? flags.jobs
                                  : (config.stress.parallel > 0 ? config.stress.parallel
                                                                : pipeline::default_jobs());
  int runs = flags.runs > 0 ? flags.runs : config.stress.runs;
  int budget_runs = 0;
  double budget_seconds = 0;
  if (!flags.budget.empty()) {
    const bool count = flags.budget.find_first_not_of("0123456789") == std::string::npos;
    const std::optional<double> ms = parse_duration_ms(flags.budget, BareNumber::refused);
    if (count && flags.budget.size() <= 9 && std::stoi(flags.budget) > 0)
      budget_runs = std::stoi(flags.budget);
    else if (ms)
      budget_seconds = *ms / 1000;
    else {
      std::cerr << "faultline run: --budget '" << flags.budget
                << "' is neither a number of runs (500) nor a time (90s, 10m, 1h)\n";
      return k_exit_bad_input;
    }
  }
  if (budget_runs > 0) runs = budget_runs;
  matrix::StopPolicy stop = config.stress.stop;
  if (flags.stop == "first-crash")
    stop = matrix::StopPolicy::first_crash;
  else if (flags.stop == "all")
    stop = matrix::StopPolicy::all;
  else if (flags.stop == "confidence")
    stop = matrix::StopPolicy::confidence;

  pipeline::catch_interrupts();
  std::atomic<bool>& g_interrupted = pipeline::interrupted();
  const Redactor redactor = Redactor::from_environment(config.secrets);

  reporters::RunInfo info{flags.file,
                          utc_timestamp(),
                          "",
                          false,
                          runs,
                          jobs,
                          stop == matrix::StopPolicy::all          ? "all"
                          : stop == matrix::StopPolicy::confidence ? "confidence"
                                                                   : "first-crash",
                          flags.shard};
  pipeline::Progress progress(isatty(STDERR_FILENO) != 0);
  if (flags.post) post_run_started(config.name, selected->size());

  // Builds.
  std::set<std::size_t> needed_set;
  for (std::size_t c : *selected)
    for (auto b : e.cell_builds[c]) needed_set.insert(b);
  std::vector<std::size_t> needed(needed_set.begin(), needed_set.end());
  progress.start_builds(needed.size());
  runner::BuildOptions bopts;
  bopts.state_dir = state_dir;
  bopts.matrix_dir = matrix_dir;
  bopts.jobs = jobs;
  bopts.matrix_file = flags.file;
  bopts.rebuild = flags.rebuild;
  bopts.cancel = &g_interrupted;
  bopts.redactor = redactor;
  bopts.on_done = [&](std::size_t b, const runner::BuildOutcome& o) {
    progress.build_done(e.builds[b].id, o);
  };
  std::vector<runner::BuildOutcome> builds = runner::run_builds(config, e, needed, bopts);
  progress.end_builds();
  if (auto s = db.record_builds(*session, stored_builds(e, builds)); !s)
    std::cerr << "faultline run: " << s.error().message << "\n";

  // Stress.
  runner::StressOptions sopts;
  sopts.jobs = jobs;
  sopts.runs = runs;
  sopts.budget_seconds = budget_seconds;
  sopts.stop = stop;
  sopts.matrix_dir = matrix_dir;
  sopts.state_dir = state_dir;
  sopts.cancel = &g_interrupted;
  sopts.keep_cores = flags.keep_cores || config.stress.keep_cores;
  runner::StressLoop loop(config, e, sopts);
  for (std::size_t c : *selected) {
    std::vector<std::string> prefixes(config.components.size());
    const runner::BuildOutcome* broken = nullptr;
    for (auto b : e.cell_builds[c]) {
      prefixes[e.builds[b].component] = builds[b].prefix;
      if (builds[b].state != runner::BuildState::ok && !broken) broken = &builds[b];
    }
    loop.add_cell(c, prefixes);
    if (broken) {
      const std::string why = broken->state == runner::BuildState::not_needed
                                  ? "interrupted before its build"
                                  : broken->error;
      loop.mark_build_error(c, why, broken->command, broken->log_tail);
    }
  }
  for (const auto& r : previous) loop.add_previous(r);
  std::map<std::size_t, std::string> repro;
  bool store_failed = false;
  progress.start_runs(loop.planned_runs(), previous.size(), selected->size());
  // One writer thread commits the runs in batches (store/writer.h).
  store::RunWriter writer(db, *session, {256, std::chrono::milliseconds(50), redactor});
  if (!g_interrupted) {
    loop.run([&](const runner::RunRecord& r) {
      writer.add(e.cells.hash(r.cell), r);
      if (auto error = writer.error(); error && !store_failed) {
        store_failed = true;
        std::cerr << "faultline run: " << error->message << "\n";
      }
      if (r.outcome != "pass" && !repro.count(r.cell))
        repro[r.cell] =
            repro_command(e, r.cell, fs::absolute(flags.file).lexically_normal().string(), flags);
      progress.run_done(e.cells.id(r.cell), r, loop.results().at(r.cell));
    });
  }
  progress.end_runs();
  if (auto closed = writer.close(); !closed && !store_failed) {
    store_failed = true;
    std::cerr << "faultline run: " << closed.error().message << "\n";
  }

  info.finished_at = utc_timestamp();
  info.interrupted = g_interrupted.load();
  if (auto s = db.finish_session(*session, store::utc_timestamp(), info.interrupted); !s) {
    store_failed = true;
    std::cerr << "faultline run: " << s.error().message << "\n";
  }
  (void)db.release_session(
      *session,
      pipeline::this_process());  // a claim left behind is taken over once we are gone
  nlohmann::json results = reporters::results_json(config, e, *selected, loop, builds, repro, info);
  results["matrix_fingerprint"] =
      matrix_fingerprint(flags.file);  // `faultline merge` checks shards share it
  results["store"] = {{"db", db_path}, {"session", *session}};
  reporters::mask_secrets(results, redactor);
  reporters::TerminalOptions topts;
  topts.color = pipeline::wants_colour(STDOUT_FILENO);
  const char* actions = std::getenv("GITHUB_ACTIONS");
  const bool on_github = actions && std::string(actions) == "true";
  if (on_github)
    for (const auto& secret : redactor.values())
      std::cout << "::add-mask::" << reporters::workflow_data(secret) << "\n";
  // Reports for people name paths relative to the repository; results.json keeps them absolute.
  const std::string repo_root = pipeline::default_repo_root();
  nlohmann::json shown = results;
  reporters::make_paths_relative(shown, repo_root);
  const std::string report = reporters::render_terminal(shown, topts);
  // On GitHub Actions the report (which quotes workload output) is fenced off
  // from workflow commands; the full excerpts are folded in groups; then come
  // faultline's own annotations.
  std::cout << (on_github ? reporters::without_workflow_commands(report) : report);
  if (on_github)
    std::cout << reporters::github_groups(shown)
              << reporters::github_annotations(results, repo_root);
  if (int status = write_results(out_path, results); status != k_exit_ok) return status;
  std::cout << "results: " << out_path << "\n";
  // Report files: the matrix's report.formats, or --report.
  std::vector<std::string> formats = flags.reports.empty() ? config.report.formats : flags.reports;
  const fs::path report_dir = fs::path(matrix_dir) / config.report.dir;
  for (const auto& format : formats) {
    if (format == "terminal") continue;  // printed above
    std::error_code dir_ec;
    fs::create_directories(report_dir, dir_ec);
    const fs::path path = report_dir / pipeline::report_file_name(format);
    std::ofstream file(path, std::ios::binary);
    file << pipeline::render_report(results, {format, repo_root, out_path, false});
    if (!file) {
      std::cerr << "faultline run: cannot write " << path.string() << "\n";
      return k_exit_infrastructure;
    }
    std::cout << "report: " << path.string() << "\n";
  }
  const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
  if (summary && *summary) {
    reporters::MarkdownOptions md;
    md.full_report = out_path;
    std::ofstream(summary, std::ios::app) << reporters::render_markdown(shown, md) << "\n";
  }
  if (flags.post) post_run_finished(results, repo_root, out_path, summary && *summary);
  runner::reap_stray_children();

  if (info.interrupted) {
    std::cerr << "faultline run: interrupted; every finished run is kept in " << db_path
              << " (session " << *session << ") — continue with `faultline run --resume`\n";
    return k_exit_interrupted;
  }
  const auto& totals = results["totals"];
  if (totals.value("build_error", 0) == static_cast<int>(selected->size()))
    return k_exit_infrastructure;
  if (store_failed) return k_exit_infrastructure;
  return totals.value("crash", 0) + totals.value("hang", 0) > 0 ? k_exit_crashes : k_exit_ok;
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "Build every cell and stress it; report which crash");
  cmd->footer(
      "Builds are cached under STATE/builds/ by content (the files `inputs:` names, else the "
      "matrix folder's;\n"
      "compiler, flags, command, dependencies): a second run with unchanged inputs runs no build\n"
      "command. Every run is recorded in the results store (STATE/faultline.db, SQLite) as it "
      "ends; Ctrl-C\n"
      "stops, keeps every finished run and exits 130, and --resume continues (after a kill -9 too: "
      "only\n"
      "the runs in flight and those of the last 50 ms are lost; a session another faultline is "
      "running is refused,\n"
      "exit 2, unless --wait). Exit status: 0 no crash, 1 crashes (or hangs) found,\n"
      "2 bad input, 3 no cell could run (every build failed), 130 interrupted.\n\n"
      "Examples:\n"
      "  faultline run examples/ffi-race/faultline.yaml --runs 5 --only sanitizer=asan\n"
      "  faultline run --shard 2/4 --out results-2.json\n"
      "  faultline run --resume");
  cmd->add_option("file", flags->file, "the matrix file")->capture_default_str();
  cmd->add_option("-j,--jobs", flags->jobs,
                  "runs and builds at once (default: stress.parallel, else the cores)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--runs", flags->runs, "runs per cell (default: stress.runs)")
      ->check(CLI::Range(1, 10'000'000));
  cmd->add_option("--stop", flags->stop, "first-crash, all or confidence (default: stress.stop)")
      ->check(CLI::IsMember({"first-crash", "all", "confidence"}));
  cmd->add_option("--budget", flags->budget,
                  "per cell: at most this many runs (500) or this much run time (90s, 10m); with "
                  "--stop confidence, "
                  "runs continue until the crash-rate interval is narrow or the budget is spent");
  cmd->add_option("--shard", flags->shard,
                  "run only shard K of N (as `plan --shards N` split them)");
  cmd->add_option("--only", flags->only, "run only cells with AXIS=VALUE (repeatable)");
  cmd->add_option(
         "--report", flags->reports,
         "also write this report (md, junit, sarif, html, json) into report.dir; repeatable; "
         "replaces the matrix's report.formats")
      ->check(CLI::IsMember({"md", "junit", "sarif", "html", "json", "terminal"}));
  cmd->add_flag("--rebuild", flags->rebuild, "ignore the build cache");
  cmd->add_flag(
      "--keep-cores", flags->keep_cores,
      "keep the core files of crashes read for their stack (STATE/work/<cell hash>/core.<run>; "
      "default: stress.keep_cores, else deleted)");
  cmd->add_flag("--resume", flags->resume,
                "continue the latest run recorded in the store, repeating no finished run");
  cmd->add_flag("--wait", flags->wait,
                "with --resume: when another faultline is running that session, wait for it to end "
                "instead of "
                "refusing (exit 2)");
  cmd->add_option("--db", flags->db, "the results store (default: STATE/faultline.db)");
  cmd->add_flag(
      "--post", flags->post,
      "on GitHub: status faultline/NAME pending at the start; comment and final status at the end "
      "(as `faultline post`; failures to post are warnings)");
  cmd->add_option("--out", flags->out, "where to write results.json (default: STATE/results.json)");
  cmd->add_option(
      "--state-dir", flags->state_dir,
      "builds, the results store and results.json (default: .faultline beside the matrix file)");
  cmd->add_option("--max-cells", flags->max_cells, "refuse a matrix of more cells than this")
      ->capture_default_str();
  cmd->callback([flags, &action] { action = [flags] { return run(*flags); }; });
}

}  // namespace faultline::cli
