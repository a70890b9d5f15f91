#include "cli/session.h"

#include <signal.h>

#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>

#include "runner/abandoned.h"
#include "runner/process.h"

namespace faultline::cli {

namespace fs = std::filesystem;

namespace {
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) { g_interrupted.store(true); }
}  // namespace

std::atomic<bool>& interrupted() { return g_interrupted; }

void catch_interrupts() {
  (void)runner::become_subreaper();  // without it only process groups are killed: still safe
  if (int killed = runner::kill_abandoned_workloads(); killed > 0)
    std::cerr << "faultline: killed " << killed << (killed == 1 ? " process" : " processes")
              << " left running by a faultline that was killed\n";
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

Places places_for(const std::string& matrix_file, const std::string& state_dir_flag, std::string& error) {
  Places p;
  p.matrix_dir = fs::absolute(fs::path(matrix_file)).parent_path().lexically_normal().string();
  p.state_dir = state_dir_flag.empty() ? p.matrix_dir + "/.faultline" : fs::absolute(state_dir_flag).string();
  std::error_code ec;
  fs::create_directories(p.state_dir, ec);
  if (ec) {
    error = "cannot create " + p.state_dir + ": " + ec.message();
    p.state_dir.clear();
  }
  return p;
}

std::string default_repo_root() {
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  for (fs::path p = cwd; !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / ".git", ec)) return p.string();
    if (p == p.parent_path()) break;
  }
  return cwd.string();
}

int default_jobs() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

}  // namespace faultline::cli
