#include "pipeline/triage.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runner/capture.h"

namespace faultline::pipeline {

namespace {

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

}  // namespace

Expected<std::vector<sanitizers::Crash>> triage_log(const std::string& file,
                                                    const sanitizers::ParseOptions& options) {
  Input input;
  if (auto opened = input.open(file); !opened) return fail(opened.error());
  return sanitizers::parse_output(input.text(), {}, options);
}

void mask_crashes(std::vector<sanitizers::Crash>& crashes, const Redactor& redactor) {
  if (redactor.empty()) return;
  auto mask = [&redactor](std::string& text) { text = redactor.apply(text); };
  for (auto& c : crashes) {
    for (auto* frames : {&c.frames, &c.other_frames})
      for (auto& f : *frames)
        for (std::string* text : {&f.function, &f.file, &f.module, &f.raw}) mask(*text);
    for (std::string* text : {&c.location, &c.summary, &c.detail, &c.excerpt, &c.signature.text})
      mask(*text);
  }
}

nlohmann::json crashes_json(const std::vector<sanitizers::Crash>& crashes) {
  nlohmann::json all = nlohmann::json::array();
  for (const auto& c : crashes) all.push_back(crash_json(c));
  return nlohmann::json{{"crashes", all}};
}

}  // namespace faultline::pipeline
