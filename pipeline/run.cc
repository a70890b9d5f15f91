#include "pipeline/run.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "base/exit_status.h"
#include "base/files.h"
#include "base/redact.h"
#include "base/text.h"
#include "base/time.h"
#include "pipeline/progress.h"
#include "pipeline/render.h"
#include "pipeline/session.h"
#include "reporters/markdown.h"
#include "reporters/results.h"
#include "runner/builds.h"
#include "runner/process.h"
#include "runner/stress.h"
#include "store/store.h"
#include "store/writer.h"

namespace faultline::pipeline {

namespace fs = std::filesystem;

Expected<Budget> parse_budget(const std::string& text) {
  if (text.empty()) return Budget{};
  const bool count = text.find_first_not_of("0123456789") == std::string::npos;
  if (count && text.size() <= 9 && std::stoi(text) > 0) return Budget{std::stoi(text), 0};
  if (const std::optional<double> ms = parse_duration_ms(text, BareNumber::refused))
    return Budget{0, *ms / 1000};
  return fail(bad_input("--budget '" + text +
                        "' is neither a number of runs (500) nor a time (90s, 10m, 1h)"));
}

matrix::StopPolicy stop_policy(const std::string& flag, matrix::StopPolicy configured) {
  if (flag == "first-crash") return matrix::StopPolicy::first_crash;
  if (flag == "all") return matrix::StopPolicy::all;
  if (flag == "confidence") return matrix::StopPolicy::confidence;
  return configured;
}

const char* stop_name(matrix::StopPolicy stop) {
  return stop == matrix::StopPolicy::all          ? "all"
         : stop == matrix::StopPolicy::confidence ? "confidence"
                                                  : "first-crash";
}

Expected<std::vector<std::size_t>> select_cells(const matrix::Expansion& expansion,
                                                const std::vector<std::string>& only,
                                                const std::string& shard_text) {
  const auto& t = expansion.cells;
  FAULTLINE_TRY(const OnlyFilter wanted, parse_only(only, t));
  std::vector<std::uint32_t> shard_of;
  std::optional<std::pair<std::uint32_t, std::uint32_t>> shard;
  if (!shard_text.empty()) {
    shard = parse_shard(shard_text);
    if (!shard)
      return fail(bad_input("--shard '" + shard_text + "' is not K/N with 1 <= K <= N (e.g. 2/4)"));
    shard_of = matrix::assign_shards(expansion, shard->second);
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
    return fail(bad_input("no cell matches --only " + join(only, " --only ") +
                          (shard ? " in shard " + shard_text : "")));
  return selected;
}

namespace {

// What the steps of one session share.
struct Session {
  Session(const RunRequest& run_request, const MatrixInput& matrix, const RunHooks& run_hooks)
      : request(run_request), input(matrix), hooks(run_hooks) {}

  const RunRequest& request;
  const MatrixInput& input;
  const RunHooks& hooks;
  std::vector<std::size_t> selected;
  Places places;
  std::string out_path;
  std::unique_ptr<store::Store> db;
  std::int64_t id = 0;
  std::vector<runner::RunRecord> previous;  // --resume: the runs already recorded
  int jobs = 0;
  int runs = 0;
  Budget budget;
  matrix::StopPolicy stop = matrix::StopPolicy::first_crash;
  Redactor redactor;
  std::vector<runner::BuildOutcome> builds;
  std::map<std::size_t, std::string> repro;  // per crashing cell, the command that repeats it
  bool store_failed = false;

  const matrix::Config& config() const { return input.config; }
  const matrix::Expansion& expansion() const { return input.expansion; }
  void warn(const std::string& sentence) const {
    if (hooks.warn) hooks.warn(sentence);
  }
};

// A hash of the matrix file's text: --resume refuses a session of another file.
std::string matrix_fingerprint(const std::string& file) {
  Expected<std::string> text = read_file(file);
  return hex16(fnv1a64(text ? *text : std::string()));
}

// The command that runs the cell once more, in the foreground (`faultline repro`).
// The matrix file is named by its absolute path, which reports make relative.
std::string repro_command(const Session& s, std::size_t cell) {
  const std::string matrix_file = fs::absolute(s.request.file).lexically_normal().string();
  std::string out =
      "faultline repro " + s.expansion().cells.hash(cell) + " " + shell_quote(matrix_file);
  if (!s.request.state_dir.empty())
    out += " --state-dir " + shell_quote(fs::absolute(s.request.state_dir).string());
  return out;
}

// Every folder the session writes in besides the state folder and the store's
// (places_for), checked before any work: results.json's (--out) and, when
// report files are asked for, report.dir.
Status check_destinations(const Session& s) {
  FAULTLINE_STORE_CHECK(replaceable_output("--out", s.out_path));
  const fs::path out_dir = fs::absolute(s.out_path).parent_path();
  FAULTLINE_STORE_CHECK(writable_folder("--out " + s.out_path, out_dir.string()));
  const auto& formats = s.request.reports ? *s.request.reports : s.config().report.formats;
  if (std::any_of(formats.begin(), formats.end(), [](auto& f) { return f != "terminal"; }))
    FAULTLINE_STORE_CHECK(writable_folder(
        s.request.file + ": report.dir '" + s.config().report.dir + "'",
        (fs::path(s.places.matrix_dir) / s.config().report.dir).lexically_normal().string()));
  return Ok{};
}

// The state folder, results.json and the store; --out must be replaceable.
Status resolve_paths(Session& s) {
  FAULTLINE_TRY(s.places, places_for(s.request.file, s.request.state_dir, s.request.db));
  const std::string& state_dir = s.places.state_dir;
  s.out_path = s.request.out.empty() ? state_dir + "/results.json" : s.request.out;
  FAULTLINE_STORE_CHECK(check_destinations(s));
  if (s.request.wait && !s.request.resume)
    return fail(
        bad_input("--wait waits for another faultline running the session to resume; "
                  "give --resume too"));
  return Ok{};
}

// Claims session `id` for this process; with `wait`, until its holder ends.
// Held by a live process without `wait`: bad input naming it.
Status claim_for_resume(const Session& s, std::int64_t id) {
  bool told = false;
  while (true) {
    FAULTLINE_TRY(const auto holder, s.db->claim_session(id, this_process(), claimant_alive));
    if (!holder) return Ok{};
    const std::string who = "session " + std::to_string(id) + " in " + s.db->path() +
                            " is being run by " + describe(*holder);
    if (!s.request.wait)
      return fail(bad_input("--resume: " + who + "; wait for it to end, or pass --wait"));
    if (!told) s.warn("--resume --wait: " + who + "; waiting for it to end");
    told = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// --resume: the latest run session of the same matrix file, claimed; its runs
// go to s.previous.
Expected<std::int64_t> resume_session(Session& s, const std::string& fingerprint) {
  store::Store& db = *s.db;
  FAULTLINE_TRY(const auto latest, db.latest_session("run"));
  if (latest) FAULTLINE_STORE_CHECK(claim_for_resume(s, latest->id));
  if (!latest)
    return fail(bad_input("--resume: there is no interrupted run to resume (" + db.path() +
                          " holds no run)"));
  if (latest->fingerprint != fingerprint)
    return fail(bad_input("--resume: the matrix file changed since the run recorded in " +
                          db.path() + " (session " + std::to_string(latest->id) +
                          "); run again without --resume to start afresh"));
  const matrix::CellTable& cells = s.expansion().cells;
  std::map<std::string, std::size_t> by_hash;
  for (std::size_t c = 0; c < cells.size(); ++c) by_hash.emplace(cells.hash(c), c);
  FAULTLINE_TRY(s.previous, db.runs_of(latest->id, by_hash));
  FAULTLINE_STORE_CHECK(db.mark_resumed(latest->id));
  return latest->id;
}

// Opens the store and the session this run records into: a new one, or with
// --resume the latest run session.
Status open_session(Session& s) {
  FAULTLINE_TRY(s.db, store::Store::open(s.places.db_path));
  const std::string fingerprint = matrix_fingerprint(s.request.file);
  const matrix::CellTable& cells = s.expansion().cells;
  std::vector<std::pair<std::string, std::string>> hash_and_id;
  for (std::size_t c : s.selected) hash_and_id.emplace_back(cells.hash(c), cells.id(c));
  FAULTLINE_STORE_CHECK(s.db->record_cells(hash_and_id));
  if (s.request.resume) {
    FAULTLINE_TRY(s.id, resume_session(s, fingerprint));
    return Ok{};
  }
  FAULTLINE_TRY(s.id, s.db->begin_session({"run", s.config().name, s.request.file, fingerprint,
                                           store::utc_timestamp(), s.request.shard},
                                          this_process()));
  return Ok{};
}

// Jobs, runs per cell, the budget and the stop policy: flags over the matrix's `stress:`.
Status settle_stress(Session& s) {
  const matrix::Config& config = s.config();
  s.jobs = s.request.jobs > 0
               ? s.request.jobs
               : (config.stress.parallel > 0 ? config.stress.parallel : default_jobs());
  FAULTLINE_TRY(s.budget, parse_budget(s.request.budget));
  s.runs = s.budget.runs > 0    ? s.budget.runs
           : s.request.runs > 0 ? s.request.runs
                                : config.stress.runs;
  s.stop = stop_policy(s.request.stop, config.stress.stop);
  return Ok{};
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

// Every build the selected cells need, through the cache; recorded in the store.
void build_cells(Session& s, Progress& progress) {
  const matrix::Expansion& e = s.expansion();
  std::set<std::size_t> needed_set;
  for (std::size_t c : s.selected)
    for (auto b : e.cell_builds[c]) needed_set.insert(b);
  const std::vector<std::size_t> needed(needed_set.begin(), needed_set.end());
  progress.start_builds(needed.size());
  runner::BuildOptions options;
  options.state_dir = s.places.state_dir;
  options.matrix_dir = s.places.matrix_dir;
  options.jobs = s.jobs;
  options.matrix_file = s.request.file;
  options.rebuild = s.request.rebuild;
  options.cancel = &interrupted();
  options.redactor = s.redactor;
  options.on_done = [&](std::size_t b, const runner::BuildOutcome& o) {
    progress.build_done(e.builds[b].id, o);
  };
  s.builds = runner::run_builds(s.config(), e, needed, options);
  progress.end_builds();
  if (auto recorded = s.db->record_builds(s.id, stored_builds(e, s.builds)); !recorded)
    s.warn(recorded.error().message);
}

runner::StressOptions stress_options(const Session& s) {
  runner::StressOptions options;
  options.jobs = s.jobs;
  options.runs = s.runs;
  options.budget_seconds = s.budget.seconds;
  options.stop = s.stop;
  options.matrix_dir = s.places.matrix_dir;
  options.state_dir = s.places.state_dir;
  options.cancel = &interrupted();
  options.keep_cores = s.request.keep_cores || s.config().stress.keep_cores;
  return options;
}

// Each selected cell with its builds' prefixes; a cell whose build failed (or
// never ran) is a build error, not run. Then the runs a resumed session kept.
void add_cells(const Session& s, runner::StressLoop& loop) {
  const matrix::Expansion& e = s.expansion();
  for (std::size_t c : s.selected) {
    std::vector<std::string> prefixes(s.config().components.size());
    const runner::BuildOutcome* broken = nullptr;
    for (auto b : e.cell_builds[c]) {
      prefixes[e.builds[b].component] = s.builds[b].prefix;
      if (s.builds[b].state != runner::BuildState::ok && !broken) broken = &s.builds[b];
    }
    loop.add_cell(c, prefixes);
    if (!broken) continue;
    const std::string why = broken->state == runner::BuildState::not_needed
                                ? "interrupted before its build"
                                : broken->error;
    loop.mark_build_error(c, why, broken->command, broken->log_tail);
  }
  for (const auto& r : s.previous) loop.add_previous(r);
}

// The stress loop, each run recorded by one writer thread that commits in
// batches (store/writer.h); the first store failure is a warning.
void stress_cells(Session& s, runner::StressLoop& loop, Progress& progress) {
  const matrix::Expansion& e = s.expansion();
  progress.start_runs(loop.planned_runs(), s.previous.size(), s.selected.size());
  store::RunWriter writer(*s.db, s.id, {256, std::chrono::milliseconds(50), s.redactor});
  auto note_failure = [&](const Error& error) {
    if (s.store_failed) return;
    s.store_failed = true;
    s.warn(error.message);
  };
  if (!interrupted()) {
    loop.run([&](const runner::RunRecord& r) {
      writer.add(e.cells.hash(r.cell), r);
      if (auto error = writer.error()) note_failure(*error);
      if (r.outcome != "pass" && !s.repro.count(r.cell)) s.repro[r.cell] = repro_command(s, r.cell);
      progress.run_done(e.cells.id(r.cell), r, loop.results().at(r.cell));
    });
  }
  progress.end_runs();
  if (auto closed = writer.close(); !closed) note_failure(closed.error());
}

// Ends the session in the store and releases it (a claim left behind is taken
// over once this process is gone).
void end_session(Session& s, bool was_interrupted) {
  if (auto ended = s.db->finish_session(s.id, store::utc_timestamp(), was_interrupted); !ended) {
    s.store_failed = true;
    s.warn(ended.error().message);
  }
  (void)s.db->release_session(s.id, this_process());
}

reporters::RunInfo run_info(const Session& s, const std::string& started_at) {
  return reporters::RunInfo{s.request.file,    started_at,     "", false, s.runs, s.jobs,
                            stop_name(s.stop), s.request.shard};
}

RunOutcome outcome_of(Session& s, const runner::StressLoop& loop, reporters::RunInfo info) {
  RunOutcome out;
  out.results =
      reporters::results_json(s.config(), s.expansion(), s.selected, loop, s.builds, s.repro, info);
  out.results["matrix_fingerprint"] =
      matrix_fingerprint(s.request.file);  // `faultline merge` checks shards share it
  out.results["store"] = {{"db", s.places.db_path}, {"session", s.id}};
  reporters::mask_secrets(out.results, s.redactor);
  // Reports for people name paths relative to the repository; results.json keeps them absolute.
  out.repo_root = default_repo_root();
  out.shown = out.results;
  reporters::make_paths_relative(out.shown, out.repo_root);
  out.out_path = s.out_path;
  out.db_path = s.places.db_path;
  out.session = s.id;
  out.cells = s.selected.size();
  out.interrupted = info.interrupted;
  out.store_failed = s.store_failed;
  out.report_dir = (fs::path(s.places.matrix_dir) / s.config().report.dir).string();
  out.secrets = s.redactor.values();
  return out;
}

// Selection, paths, the stored session and the stress settings, before any work.
Status prepare(Session& s) {
  FAULTLINE_TRY(s.selected, select_cells(s.expansion(), s.request.only, s.request.shard));
  FAULTLINE_STORE_CHECK(resolve_paths(s));
  FAULTLINE_STORE_CHECK(settle_stress(s));  // a bad --budget must not leave a session behind
  FAULTLINE_STORE_CHECK(open_session(s));
  catch_interrupts();
  s.redactor = Redactor::from_environment(s.config().secrets);
  return Ok{};
}

}  // namespace

Expected<RunOutcome> run_session(const RunRequest& request, const MatrixInput& input,
                                 const RunHooks& hooks) {
  Session s(request, input, hooks);
  FAULTLINE_STORE_CHECK(prepare(s));
  reporters::RunInfo info = run_info(s, utc_timestamp());
  Progress progress(request.progress_tty);
  if (hooks.started) hooks.started(s.selected.size());
  build_cells(s, progress);
  runner::StressLoop loop(s.config(), s.expansion(), stress_options(s));
  add_cells(s, loop);
  stress_cells(s, loop, progress);
  info.finished_at = utc_timestamp();
  info.interrupted = interrupted().load();
  end_session(s, info.interrupted);
  return outcome_of(s, loop, info);
}

Status write_results(const std::string& path, const nlohmann::json& results) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  return write_file_atomically(
      path, results.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

Expected<std::string> write_report_file(const RunOutcome& outcome, const std::string& format) {
  std::error_code dir_ec;
  fs::create_directories(outcome.report_dir, dir_ec);
  const fs::path path = fs::path(outcome.report_dir) / report_file_name(format);
  std::ofstream file(path, std::ios::binary);
  file << render_report(outcome.results, {format, outcome.repo_root, outcome.out_path, false});
  if (!file) return fail(infrastructure("cannot write " + path.string()));
  return path.string();
}

bool append_step_summary(const RunOutcome& outcome) {
  const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
  if (!summary || !*summary) return false;
  reporters::MarkdownOptions md;
  md.full_report = outcome.out_path;
  std::ofstream(summary, std::ios::app) << reporters::render_markdown(outcome.shown, md) << "\n";
  return true;
}

int run_exit_status(const RunOutcome& outcome) {
  if (outcome.interrupted) return k_exit_interrupted;
  if (outcome.store_failed) return k_exit_infrastructure;
  const auto& totals = outcome.results["totals"];
  if (totals.value("crash", 0) + totals.value("hang", 0) > 0) return k_exit_crashes;
  // A cell that did not run (its build failed) leaves the matrix incomplete.
  return totals.value("build_error", 0) + totals.value("skipped", 0) > 0 ? k_exit_infrastructure
                                                                         : k_exit_ok;
}

int finish_run(const RunOutcome& outcome) {
  runner::reap_stray_children();
  return run_exit_status(outcome);
}

}  // namespace faultline::pipeline
