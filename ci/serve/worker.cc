#include "ci/serve/worker.h"

#include <filesystem>
#include <fstream>

#include "ci/serve/checkout.h"
#include "reporters/load.h"
#include "reporters/markdown.h"
#include "runner/process.h"

namespace faultline::ci::serve {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds k_idle_poll{1000};
constexpr milliseconds k_announce_retry{5000};

std::string first_line(std::string_view text) {
  auto end = text.find('\n');
  std::string line(text.substr(0, end));
  return line.size() > 200 ? line.substr(0, 200) + "…" : line;
}

std::string job_name(const Job& job) {
  return "job " + std::to_string(job.id) + " (" + job.repo + "#" + std::to_string(job.pr) + " " +
         job.sha.substr(0, 12) + ")";
}

}  // namespace

WorkerOptions worker_options(const BotConfig& config) {
  WorkerOptions o;
  o.workdir = config.workdir;
  o.matrix = config.matrix;
  o.runs = config.runs;
  o.timeout = config.job_timeout;
  o.hidden_env = {config.secret_env, config.token_env};
  o.jobs = config.jobs;
  return o;
}

Workers::Workers(JobQueue& queue, PullRequestPoster& github, WorkerOptions options)
    : m_queue(queue), m_github(github), m_options(std::move(options)) {}

Workers::~Workers() { stop(); }

void Workers::note(const std::string& line) {
  if (!m_options.log) return;
  std::lock_guard lock(m_log_mutex);
  *m_options.log << "faultline serve: "
                 << (m_options.redactor ? m_options.redactor->apply(line) : line) << "\n"
                 << std::flush;
}

void Workers::start() {
  m_threads.emplace_back([this] { announce_loop(); });
  for (int i = 0; i < m_options.jobs; ++i) m_threads.emplace_back([this] { work_loop(); });
}

void Workers::wake() {
  std::lock_guard lock(m_mutex);
  ++m_generation;
  m_wake.notify_all();
}

void Workers::cancel(std::int64_t id) {
  std::lock_guard lock(m_mutex);
  if (auto it = m_running.find(id); it != m_running.end())
    it->second->cancel = true;
  else
    m_cancel_on_start.insert(id);                   // claimed, not yet started (or just ended)
  constexpr std::size_t k_max_early_cancels = 256;  // bounded: stale ids are dropped oldest first
  while (m_cancel_on_start.size() > k_max_early_cancels)
    m_cancel_on_start.erase(m_cancel_on_start.begin());
}

void Workers::stop() {
  {
    std::lock_guard lock(m_mutex);
    if (m_stopping && m_threads.empty()) return;
    m_stopping = true;
    for (auto& [id, running] : m_running) {
      running->requeue = true;
      running->cancel = true;
    }
    m_wake.notify_all();
  }
  for (auto& t : m_threads) t.join();
  m_threads.clear();
}

bool Workers::sleep_unless_stopped(milliseconds how_long) {
  std::unique_lock lock(m_mutex);
  const std::uint64_t seen = m_generation;
  m_wake.wait_for(lock, how_long, [&] { return m_stopping || m_generation != seen; });
  return !m_stopping;
}

void Workers::announce(const Job& queued) {
  std::lock_guard lock(m_announce_mutex);
  auto current = m_queue.job(queued.id);
  if (!current || !*current || (*current)->pending_posted) return;
  if ((*current)->state != "queued" && (*current)->state != "running") return;
  if (auto s = m_github.pending(**current); !s) {
    note("could not post the pending status of " + job_name(queued) + ": " + s.error().message);
    if (queued.state != "running")
      return;  // the announcer retries; a started job goes on without it
  }
  if (auto s = m_queue.mark_announced(queued.id); !s) note(s.error().message);
}

void Workers::announce_loop() {
  for (;;) {
    auto jobs = m_queue.unannounced();
    if (!jobs) note(jobs.error().message);
    bool all = true;
    for (const Job& job : jobs ? *jobs : std::vector<Job>{}) {
      announce(job);
      auto again = m_queue.job(job.id);
      all = all && again && *again && (*again)->pending_posted;
    }
    if (!sleep_unless_stopped(all ? k_idle_poll : k_announce_retry)) return;
  }
}

void Workers::work_loop() {
  for (;;) {
    {
      std::lock_guard lock(m_mutex);
      if (m_stopping) return;
    }
    auto claimed = m_queue.claim();
    if (!claimed) note(claimed.error().message);
    if (claimed && *claimed) {
      run_job(**claimed);
      continue;
    }
    if (!sleep_unless_stopped(k_idle_poll)) return;
  }
}

void Workers::run_job(const Job& job) {
  auto running = std::make_shared<Running>();
  {
    std::lock_guard lock(m_mutex);
    if (m_stopping) {
      (void)m_queue.requeue(job.id);
      return;
    }
    m_running[job.id] = running;
    if (m_cancel_on_start.erase(job.id)) running->cancel = true;
  }
  announce(job);
  note("starting " + job_name(job) + ": " + job.reason);
  std::string detail;
  Outcome outcome = execute(job, *running, detail);
  {
    std::lock_guard lock(m_mutex);
    m_running.erase(job.id);
  }
  if (outcome == Outcome::cancelled && running->requeue) {
    note("requeued " + job_name(job) + " (the bot is stopping)");
    if (auto s = m_queue.requeue(job.id); !s) note(s.error().message);
    return;
  }
  const char* state = outcome == Outcome::done     ? "done"
                      : outcome == Outcome::failed ? "failed"
                                                   : "cancelled";
  note(std::string(state) + " " + job_name(job) + ": " + detail);
  if (auto s = m_queue.finish(job.id, state, detail); !s) note(s.error().message);
}

}  // namespace faultline::ci::serve

namespace faultline::ci::serve {

namespace {

std::vector<std::string> faultline_argv(const WorkerOptions& o, const Job& job,
                                        const std::string& command, const std::string& state_dir) {
  std::vector<std::string> argv = {o.faultline, command, o.matrix, "--state-dir", state_dir};
  if (command == "run") {
    argv.insert(argv.end(), {"--out", state_dir + "/results.json"});
    if (o.runs) argv.insert(argv.end(), {"--runs", std::to_string(*o.runs)});
  }
  return argv;
}

// The job's output goes to DIR/output.log for whoever runs the bot.
void keep_output(const std::string& dir, const runner::ProcessResult& r) {
  std::ofstream out(dir + "/output.log", std::ios::app);
  out << r.interleaved.text();
}

}  // namespace

Workers::Outcome Workers::execute(const Job& job, Running& running, std::string& detail) {
  const fs::path dir =
      fs::absolute(fs::path(m_options.workdir) / ("job-" + std::to_string(job.id)));
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  auto cancelled = [&] {
    detail = "cancelled: a newer job for pull request #" + std::to_string(job.pr) + " was queued";
    return Outcome::cancelled;
  };
  auto error = [&](const std::string& why) {
    detail = why;
    if (auto s = m_github.error(job, why); !s)
      detail += "; and posting the error failed: " + s.error().message;
    return Outcome::failed;
  };
  if (auto s = checkout_head(job, (dir / "src").string(), &running.cancel); !s)
    return running.cancel ? cancelled() : error(s.error().message);
  const std::string state_dir = (dir / "state").string();
  std::vector<std::string> commands = {"run"};
  if (job.command == "bisect") commands.push_back("bisect");
  int exit_code = 0;
  for (const std::string& command : commands) {
    if (command == "bisect" && exit_code == 0) break;  // no crash: nothing to bisect
    runner::ProcessOptions o;
    o.argv = faultline_argv(m_options, job, command, state_dir);
    o.working_directory = (dir / "src").string();
    std::map<std::string, std::optional<std::string>> hidden;
    for (const auto& name : m_options.hidden_env) hidden[name] = std::nullopt;
    o.environment = runner::environment_with(hidden);
    o.timeout = m_options.timeout;
    o.cancel = &running.cancel;
    auto r = runner::run_process(o);
    if (!r) return error("cannot start faultline " + command + ": " + r.error().message);
    keep_output(dir.string(), *r);
    if (r->cancelled) return cancelled();
    const bool failed = r->timed_out || !r->exit_code || *r->exit_code > 1;
    if (failed && command == "bisect") {
      note("faultline bisect for " + job_name(job) + " " + r->describe() +
           "; posting the run's results");
      break;
    }
    if (failed)
      return error("faultline " + command + " " + r->describe() + ": " +
                   first_line(r->stderr_capture.text()));
    exit_code = std::max(exit_code, *r->exit_code);
  }
  auto results = reporters::load_results(state_dir + "/results.json");
  if (!results) return error(results.error().message);
  if (auto s = m_github.results(job, *results, reporters::render_markdown(*results)); !s) {
    detail = "posting the results failed: " + s.error().message;
    return Outcome::failed;
  }
  detail = exit_code == 0 ? "no crash" : "crashes found";
  return Outcome::done;
}

}  // namespace faultline::ci::serve
