// runner/core_stack.h: core_pattern, ELF core notes, gdb's backtrace of a core.
#include "runner/core_stack.h"

#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <regex>
#include <sstream>

#include "base/text.h"
#include "runner/fd.h"
#include "runner/process.h"
#include "sanitizers/frame.h"

namespace faultline::runner {
namespace {

constexpr std::size_t k_max_note_bytes = std::size_t{16} << 20;  // NT_FILE of a huge process
constexpr std::uint32_t k_nt_file = 0x46494c45;                  // "FILE" (linux/elf.h)
constexpr std::string_view k_bt_begin = "faultline-bt-begin";
constexpr std::string_view k_bt_end = "faultline-bt-end";

// Serialises claiming a core: two runs sharing a working directory (core_pattern
// "core") both see the file; only the one whose process group wrote it takes it.
std::mutex g_claim_lock;

std::optional<std::string> read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

bool read_exact(int fd, void* buffer, std::size_t size, std::uint64_t offset) {
  auto* out = static_cast<char*>(buffer);
  while (size > 0) {
    ssize_t n = pread(fd, out, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

// The notes faultline reads, gathered from every PT_NOTE segment.
struct RawNotes {
  std::optional<prstatus_t> status;  // the first NT_PRSTATUS: the thread that dumped
  std::optional<prpsinfo_t> info;
  std::string auxv;
  std::string files;
};

template <typename T>
std::optional<T> note_struct(std::string_view desc) {
  T value{};
  std::memcpy(&value, desc.data(), std::min(sizeof value, desc.size()));
  return value;
}

void take_note(std::uint32_t type, std::string_view name, std::string_view desc, RawNotes& notes) {
  if (name != std::string_view("CORE", 5) && name != "CORE") return;
  if (type == NT_PRSTATUS && !notes.status) notes.status = note_struct<prstatus_t>(desc);
  if (type == NT_PRPSINFO) notes.info = note_struct<prpsinfo_t>(desc);
  if (type == NT_AUXV) notes.auxv = std::string(desc);
  if (type == k_nt_file) notes.files = std::string(desc);
}

// Walks one PT_NOTE segment: Elf64_Nhdr, name and desc each padded to 4 bytes.
void walk_notes(std::string_view segment, RawNotes& notes) {
  std::size_t pos = 0;
  auto padded = [](std::size_t n) { return (n + 3) & ~std::size_t{3}; };
  while (pos + sizeof(Elf64_Nhdr) <= segment.size()) {
    Elf64_Nhdr header;
    std::memcpy(&header, segment.data() + pos, sizeof header);
    pos += sizeof header;
    if (header.n_namesz > segment.size() - pos) return;
    std::string_view name = segment.substr(pos, header.n_namesz);
    pos += padded(header.n_namesz);
    if (pos > segment.size() || header.n_descsz > segment.size() - pos) return;
    take_note(header.n_type, name, segment.substr(pos, header.n_descsz), notes);
    pos += padded(header.n_descsz);
  }
}

Expected<RawNotes> read_raw_notes(int fd, const std::string& path) {
  Elf64_Ehdr ehdr;
  auto not_core = [&](const std::string& why) {
    return fail(bad_input(path + ": not a core file (" + why + ")"));
  };
  if (!read_exact(fd, &ehdr, sizeof ehdr, 0) || std::memcmp(ehdr.e_ident, ELFMAG, SELFMAG) != 0)
    return not_core("no ELF header");
  if (ehdr.e_ident[EI_CLASS] != ELFCLASS64) return not_core("not 64-bit ELF");
  if (ehdr.e_type != ET_CORE)
    return not_core("ELF type " + std::to_string(ehdr.e_type) + ", not ET_CORE");
  if (ehdr.e_phentsize != sizeof(Elf64_Phdr)) return not_core("unexpected program header size");
  RawNotes notes;
  for (std::uint16_t i = 0; i < ehdr.e_phnum; ++i) {
    Elf64_Phdr phdr;
    if (!read_exact(fd, &phdr, sizeof phdr, ehdr.e_phoff + std::uint64_t{i} * sizeof phdr))
      return not_core("truncated program headers");
    if (phdr.p_type != PT_NOTE || phdr.p_filesz > k_max_note_bytes) continue;
    std::string segment(phdr.p_filesz, '\0');
    if (!read_exact(fd, segment.data(), segment.size(), phdr.p_offset))
      return not_core("truncated notes");
    walk_notes(segment, notes);
  }
  if (!notes.status && !notes.info) return not_core("no NT_PRSTATUS or NT_PRPSINFO note");
  return notes;
}

std::optional<std::uint64_t> auxv_value(std::string_view auxv, std::uint64_t type) {
  for (std::size_t pos = 0; pos + 16 <= auxv.size(); pos += 16) {
    std::uint64_t entry[2];
    std::memcpy(entry, auxv.data() + pos, sizeof entry);
    if (entry[0] == type) return entry[1];
  }
  return std::nullopt;
}

// NT_FILE: count, page size, count × (start, end, page offset), then count names.
std::string file_mapped_at(std::string_view files, std::uint64_t address) {
  if (files.size() < 16) return "";
  std::uint64_t head[2];
  std::memcpy(head, files.data(), sizeof head);
  const std::uint64_t count = head[0];
  if (count > (files.size() - 16) / 24) return "";
  std::size_t name_pos = 16 + count * 24;
  for (std::uint64_t i = 0; i < count && name_pos < files.size(); ++i) {
    std::uint64_t range[3];
    std::memcpy(range, files.data() + 16 + i * 24, sizeof range);
    std::size_t end = files.find('\0', name_pos);
    if (end == std::string_view::npos) end = files.size();
    if (address >= range[0] && address < range[1])
      return std::string(files.substr(name_pos, end - name_pos));
    name_pos = end + 1;
  }
  return "";
}

Expected<CoreNotes> notes_of(int fd, const std::string& path) {
  FAULTLINE_TRY(RawNotes raw, read_raw_notes(fd, path));
  CoreNotes notes;
  if (raw.status) {
    notes.pid = raw.status->pr_pid;
    notes.process_group = raw.status->pr_pgrp;
    notes.session = raw.status->pr_sid;
    notes.signal = raw.status->pr_cursig;
  }
  if (raw.info) {  // NT_PRSTATUS names the thread; NT_PRPSINFO the process
    notes.pid = raw.info->pr_pid;
    notes.process_group = raw.info->pr_pgrp;
    notes.session = raw.info->pr_sid;
    const char* args = raw.info->pr_psargs;
    notes.command = std::string(args, strnlen(args, sizeof raw.info->pr_psargs));
    while (!notes.command.empty() && notes.command.back() == ' ') notes.command.pop_back();
  }
  if (auto entry = auxv_value(raw.auxv, AT_ENTRY))
    notes.executable = file_mapped_at(raw.files, *entry);
  return notes;
}

// fnmatch(3) special characters of a literal part of the pattern, escaped.
void append_literal(std::string& glob, char c) {
  if (c == '*' || c == '?' || c == '[' || c == '\\') glob += '\\';
  glob += c;
}

std::string glob_of(std::string_view name, bool append_pid) {
  std::string glob;
  bool has_pid = false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '%' || i + 1 == name.size()) {
      append_literal(glob, name[i]);
      continue;
    }
    char spec = name[++i];
    if (spec == '%')
      append_literal(glob, '%');
    else if (glob.empty() || glob.back() != '*')
      glob += '*';
    has_pid = has_pid || spec == 'p';
  }
  if (append_pid && !has_pid) glob += ".*";
  return glob;
}

struct Candidate {
  std::string path;
  timespec written{};
};

// Regular files in `where` whose names match its glob, written at or after `started`, newest first.
std::vector<Candidate> candidates(const CoreFiles& where, double started) {
  std::vector<Candidate> out;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(where.directory.c_str()), closedir);
  if (!dir) return out;
  while (dirent* entry = readdir(dir.get())) {
    if (fnmatch(where.glob.c_str(), entry->d_name, FNM_PERIOD) != 0) continue;
    std::string path = where.directory + "/" + entry->d_name;
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    double written = static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
    if (written + 1.0 < started) continue;  // older than the run (1 s for coarse clocks)
    out.push_back({path, st.st_mtim});
  }
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.written.tv_sec, a.written.tv_nsec) >
           std::tie(b.written.tv_sec, b.written.tv_nsec);
  });
  return out;
}

bool same_file(const std::string& path, int fd) {
  struct stat by_name {
  }, by_fd{};
  return lstat(path.c_str(), &by_name) == 0 && fstat(fd, &by_fd) == 0 &&
         by_name.st_ino == by_fd.st_ino && by_name.st_dev == by_fd.st_dev;
}

struct Claimed {
  UniqueFd fd;
  CoreNotes notes;
  std::string kept;  // path when kept
};

// Under g_claim_lock: the newest core of `process_group` is opened and, unless
// kept, unlinked (gdb reads it through the open descriptor); older ones of the
// same run are deleted (or kept where they are).
std::optional<Claimed> claim(const CoreFiles& where, pid_t process_group, double started,
                             const CoreStackOptions& options) {
  std::lock_guard lock(g_claim_lock);
  std::optional<Claimed> chosen;
  for (const Candidate& c : candidates(where, started)) {
    UniqueFd fd(open(c.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) continue;
    auto notes = notes_of(fd.get(), c.path);
    if (!notes || (notes->process_group != process_group && notes->session != process_group))
      continue;
    if (!same_file(c.path, fd.get())) continue;  // replaced since it was listed
    std::string kept;
    if (options.keep) {
      kept = c.path;
      if (!chosen && !options.keep_as.empty() &&
          rename(c.path.c_str(), options.keep_as.c_str()) == 0)
        kept = options.keep_as;
    } else {
      (void)unlink(c.path.c_str());  // ENOENT: gone already; anything else leaves it behind
    }
    if (!chosen) chosen = Claimed{std::move(fd), std::move(*notes), kept};
  }
  return chosen;
}

std::vector<std::string> gdb_argv(const CoreStackOptions& options, const std::string& executable,
                                  const std::string& core) {
  std::vector<std::string> argv = {options.gdb,
                                   "-batch",
                                   "-nx",
                                   "-iex",
                                   "set debuginfod enabled off",
                                   "-ex",
                                   "set pagination off",
                                   "-ex",
                                   "echo " + std::string(k_bt_begin) + "\\n",
                                   "-ex",
                                   "bt 200",
                                   "-ex",
                                   "echo " + std::string(k_bt_end) + "\\n",
                                   "-ex",
                                   "thread apply all bt 50"};
  if (!executable.empty() && access(executable.c_str(), R_OK) == 0) argv.push_back(executable);
  argv.push_back("--core=" + core);
  return argv;
}

// The stack as shown, without what ASLR changes from run to run (frame and
// argument addresses, thread ids), so one bug's excerpt reads the same in every run.
std::string without_addresses(const std::string& text) {
  static const std::regex frame_address(R"((#[0-9]+ +)0x[0-9a-f]+ in )");
  static const std::regex argument_address(R"(=0x[0-9a-f]+)");
  static const std::regex thread_id(R"( \(Thread 0x[0-9a-f]+ \(LWP [0-9]+\)\))");
  std::string out = std::regex_replace(text, frame_address, "$1");
  out = std::regex_replace(out, argument_address, "=…");
  return std::regex_replace(out, thread_id, "");
}

// gdb's output without its marker lines and load-time chatter before the stack.
std::string shown_backtrace(std::string_view output) {
  std::size_t begin = output.find(k_bt_begin);
  if (begin == std::string_view::npos) return std::string(output);
  std::string out(output.substr(begin + k_bt_begin.size() + 1));
  std::size_t end = out.find(std::string(k_bt_end) + "\n");
  if (end != std::string::npos) out.erase(end, k_bt_end.size() + 1);
  return without_addresses(out);
}

void read_stack(CoreStack& stack, const std::string& core, const CoreStackOptions& options) {
  ProcessOptions gdb;
  gdb.argv = gdb_argv(options, stack.notes.executable, core);
  gdb.timeout = options.gdb_timeout;
  gdb.kill_grace = std::chrono::milliseconds(1000);
  auto result = run_process(gdb);
  if (!result) {
    stack.problem = "gdb could not run: " + result.error().message;
    return;
  }
  const std::string output = result->stdout_capture.text();
  stack.frames = parse_gdb_backtrace(output);
  stack.backtrace = shown_backtrace(output);
  if (result->timed_out)
    stack.problem = "gdb " + result->describe();
  else if (stack.frames.empty())
    stack.problem = "gdb printed no frames (" + result->describe() + ")";
}

}  // namespace

Expected<CorePattern> read_core_pattern(const std::string& proc_dir) {
  auto pattern = read_first_line(proc_dir + "/core_pattern");
  if (!pattern)
    return fail(
        infrastructure("cannot read " + proc_dir + "/core_pattern: " + std::strerror(errno)));
  CorePattern out;
  out.pattern = std::string(trim(*pattern));
  auto uses_pid = read_first_line(proc_dir + "/core_uses_pid");
  out.uses_pid = uses_pid && trim(*uses_pid) != "0";
  return out;
}

std::optional<CoreFiles> core_files(const CorePattern& pattern,
                                    const std::string& working_directory) {
  if (pattern.pattern.empty() || pattern.piped()) return std::nullopt;
  std::string_view text = pattern.pattern;
  std::size_t slash = text.rfind('/');
  CoreFiles out;
  if (slash == std::string_view::npos) {
    out.directory = working_directory.empty() ? "." : working_directory;
  } else {
    out.directory = std::string(text.substr(0, slash));
    if (out.directory.find('%') != std::string::npos) return std::nullopt;
    if (out.directory.empty())
      out.directory = "/";
    else if (out.directory[0] != '/')
      out.directory = (working_directory.empty() ? "." : working_directory) + "/" + out.directory;
    text.remove_prefix(slash + 1);
  }
  out.glob = glob_of(text, pattern.uses_pid);
  if (out.glob.empty()) return std::nullopt;
  return out;
}

Expected<CoreNotes> read_core_notes(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail(bad_input("cannot open " + path + ": " + std::strerror(errno)));
  return notes_of(fd.get(), path);
}

std::vector<sanitizers::Frame> parse_gdb_backtrace(std::string_view gdb_output) {
  std::vector<sanitizers::Frame> frames;
  std::size_t begin = gdb_output.find(k_bt_begin);
  if (begin == std::string_view::npos) return frames;
  std::string_view rest = gdb_output.substr(begin + k_bt_begin.size());
  rest = rest.substr(0, rest.find(k_bt_end));
  std::istringstream lines{std::string(rest)};
  for (std::string line; std::getline(lines, line);) {
    std::string_view trimmed = trim(line);
    if (trimmed.empty() || trimmed[0] != '#') continue;
    if (auto frame = sanitizers::parse_hash_frame(trimmed)) frames.push_back(std::move(*frame));
  }
  return frames;
}

std::optional<CoreStack> take_core_stack(const CoreFiles& where, pid_t process_group,
                                         double started, const CoreStackOptions& options) {
  auto claimed = claim(where, process_group, started, options);
  if (!claimed) return std::nullopt;
  CoreStack stack;
  stack.notes = std::move(claimed->notes);
  stack.kept_core = claimed->kept;
  // A deleted core stays readable through faultline's descriptor until it is closed.
  const std::string core = !claimed->kept.empty() ? claimed->kept
                                                  : "/proc/" + std::to_string(getpid()) + "/fd/" +
                                                        std::to_string(claimed->fd.get());
  if (options.read_stack) read_stack(stack, core, options);
  return stack;
}

std::string core_stack_note(const CorePattern& pattern, bool have_gdb) {
  const std::string shown = "core_pattern '" + pattern.pattern + "'";
  if (pattern.piped())
    return "warning: " + shown +
           " pipes core files to a handler; crashes that print no stack keep the signal alone";
  if (!core_files(pattern, "."))
    return "warning: faultline cannot find core files by " + shown +
           "; crashes that print no stack keep the signal alone";
  if (!have_gdb) return "warning: gdb not found; crashes that print no stack keep the signal alone";
  return "crashes that print no stack get their core's stack (" + shown + ", gdb)";
}

bool shares_core_file(const CorePattern& pattern, int jobs) {
  if (jobs < 2 || pattern.uses_pid || !core_files(pattern, ".")) return false;
  return pattern.pattern.find("%p") == std::string::npos &&
         pattern.pattern.find("%P") == std::string::npos;
}

std::string_view stack_lost_reason(const CoreOutcome& core) {
  const bool lost = core.shared_file && core.signal && core.core_dumped && !core.claimed;
  return lost ? k_core_shared : std::string_view{};
}

std::optional<std::string> parallel_core_warning(const CorePattern& pattern, int jobs,
                                                 const std::string& jobs_from) {
  if (!shares_core_file(pattern, jobs)) return std::nullopt;
  return "warning: core_pattern '" + pattern.pattern +
         "' gives every process the same core file (no %p or %P, core_uses_pid 0) and " +
         std::to_string(jobs) + " runs go at once (" + jobs_from +
         "): two runs crashing together in the matrix folder overwrite each other's core, so a "
         "crash may get another run's stack or none; add %p to core_pattern (sysctl "
         "kernel.core_pattern=core.%p), set kernel.core_uses_pid=1, or run with -j 1";
}

}  // namespace faultline::runner
