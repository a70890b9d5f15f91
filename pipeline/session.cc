#include "pipeline/session.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "runner/abandoned.h"
#include "runner/process.h"
#include "store/store.h"

namespace faultline::pipeline {

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

namespace {

// Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot.
std::string process_start(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t paren = text.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) return "";
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i)
    if (i == 22) return field;
  return "";
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

}  // namespace

store::Claimant this_process() {
  const std::int64_t pid = getpid();
  return {pid, process_start(pid), host_name(), ""};
}

bool claimant_alive(const store::Claimant& c) {
  if (c.host != host_name()) return true;  // cannot tell: never take another host's session
  if (c.pid <= 0 || (kill(static_cast<pid_t>(c.pid), 0) != 0 && errno != EPERM)) return false;
  return c.process_start.empty() || process_start(c.pid) == c.process_start;
}

std::string describe(const store::Claimant& c) {
  return "process " + std::to_string(c.pid) + " on " + c.host + " (since " + c.claimed_at + ")";
}

Status replaceable_output(const std::string& flag, const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(path, ec);
  if (ec || st.type() == fs::file_type::not_found || st.type() == fs::file_type::regular)
    return Ok{};
  const char* what = st.type() == fs::file_type::symlink     ? "a symbolic link"
                     : st.type() == fs::file_type::fifo      ? "a FIFO"
                     : st.type() == fs::file_type::directory ? "a folder"
                     : st.type() == fs::file_type::socket    ? "a socket"
                     : st.type() == fs::file_type::character || st.type() == fs::file_type::block
                         ? "a device"
                         : "not a regular file";
  return fail(bad_input(flag + " " + path + " is " + what +
                        "; faultline only replaces regular files (name another path)"));
}

Status writable_folder(const std::string& what, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir, ec))
    return fail(bad_input(what + ": cannot create the folder " + dir + ": " +
                          (ec ? ec.message() : "a file is in the way")));
  std::string probe = (fs::path(dir) / ".faultline-write-check-XXXXXX").string();
  const int fd = mkstemp(probe.data());
  if (fd < 0)
    return fail(bad_input(what + ": cannot write in " + dir + ": " +
                          std::error_code(errno, std::generic_category()).message()));
  close(fd);
  fs::remove(probe, ec);
  return Ok{};
}

namespace {

Status usable_db(const std::string& db_flag) {
  std::error_code ec;
  if (fs::is_directory(db_flag, ec))
    return fail(bad_input("--db " + db_flag + ": is a folder; name a file for the results store"));
  return writable_folder("--db " + db_flag, fs::absolute(db_flag).parent_path().string());
}

}  // namespace

Expected<Places> places_for(const std::string& matrix_file, const std::string& state_dir_flag,
                            const std::string& db_flag) {
  Places p;
  p.matrix_dir = fs::absolute(fs::path(matrix_file)).parent_path().lexically_normal().string();
  p.state_dir =
      state_dir_flag.empty() ? p.matrix_dir + "/.faultline" : fs::absolute(state_dir_flag).string();
  const std::string what = state_dir_flag.empty()
                               ? "the state folder (choose another with --state-dir)"
                               : "--state-dir " + state_dir_flag;
  if (auto written = writable_folder(what, p.state_dir); !written) return fail(written.error());
  p.db_path = db_flag.empty() ? p.state_dir + "/" + std::string(store::k_db_file_name) : db_flag;
  if (db_flag.empty()) return p;
  if (auto db = usable_db(db_flag); !db) return fail(db.error());
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

}  // namespace faultline::pipeline
