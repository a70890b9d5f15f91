// `faultline triage [FILE|-]`: recognise the crashes in any captured output (a
// CI log, a pasted terminal session, a sanitizer log_path file) and print them,
// one block each or as JSON. Exit 1 when it found a crash, 0 when not, 2 when
// the input cannot be read.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/exit_status.h"
#include "base/text.h"
#include "cli/command.h"
#include "reporters/text.h"
#include "runner/capture.h"
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

// The input's bytes: a regular file is mapped (a 1 GiB log costs no copy);
// stdin, pipes and devices are read as a stream into a Capture that keeps the
// first 16 MiB, the last 1 MiB and every crash report in between (up to 64 MiB
// of them, more for new signatures), so an endless stream costs bounded memory.
class Input {
 public:
  Input() = default;
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;
  ~Input() {
    if (m_map) munmap(m_map, m_size);
  }

  Status open(const std::string& file) {
    if (file == "-") return read_all(STDIN_FILENO, "-");
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return cannot_read(file, errno);
    struct stat st {};
    Status result = Ok{};
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      m_size = static_cast<std::size_t>(st.st_size);
      m_map = mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (m_map == MAP_FAILED) {
        m_map = nullptr;
        result = read_all(fd, file);
      }
    } else {
      result = read_all(fd, file);
    }
    ::close(fd);
    return result;
  }

  std::string_view text() {
    if (m_map) return std::string_view(static_cast<const char*>(m_map), m_size);
    if (m_text.empty()) m_text = m_stream.text();
    return m_text;
  }

 private:
  static Unexpected cannot_read(const std::string& file, int error) {
    return fail(bad_input("faultline triage: cannot read '" + file + "': " + std::strerror(error)));
  }

  Status read_all(int fd, const std::string& file) {
    std::vector<char> chunk(1 << 18);
    for (;;) {
      ssize_t n = ::read(fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return cannot_read(file, errno);
      if (n == 0) return Ok{};
      m_stream.append(std::string_view(chunk.data(), static_cast<std::size_t>(n)));
    }
  }

  void* m_map = nullptr;
  std::size_t m_size = 0;
  runner::Capture m_stream{{std::size_t{16} << 20, std::size_t{1} << 20, std::size_t{64} << 20}};
  std::string m_text;
};

// Text from the log as a terminal may show it: control characters and invalid
// bytes as \xHH (reporters/text.h), so the log cannot drive the terminal.
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

nlohmann::json frame_json(const sanitizers::Frame& f) {
  return {{"function", f.function}, {"file", f.file},     {"line", f.line},
          {"module", f.module},     {"offset", f.offset}, {"raw", f.raw}};
}

nlohmann::json crash_json(const sanitizers::Crash& c) {
  nlohmann::json frames = nlohmann::json::array();
  for (const auto& f : c.frames) frames.push_back(frame_json(f));
  nlohmann::json j = {{"tool", c.tool},
                      {"kind", c.kind},
                      {"frames", frames},
                      {"location", c.location},
                      {"summary", c.summary},
                      {"detail", c.detail},
                      {"signature", {{"hash", c.signature.hash}, {"text", c.signature.text}}},
                      {"truncated", c.truncated},
                      {"excerpt", c.excerpt}};
  if (c.access) {
    j["access"] = {{"kind", c.access->kind == sanitizers::AccessKind::write ? "WRITE" : "READ"},
                   {"size", c.access->size}};
  }
  return j;
}

int run_triage(const TriageOptions& options) {
  Input input;
  if (auto opened = input.open(options.file); !opened) {
    std::cerr << opened.error().message << "\n";
    return exit_status_for(opened.error());
  }
  sanitizers::ParseOptions parse;
  parse.signature.ignore_frames = options.ignore_frames;
  parse.use_exit_status = false;
  auto crashes = sanitizers::parse_output(input.text(), {}, parse);
  if (options.json) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& c : crashes) all.push_back(crash_json(c));
    std::cout << nlohmann::json{{"crashes", all}}.dump(2, ' ', false,
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
