#include "base/files.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace faultline {

namespace {

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

Expected<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(bad_input(std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The temporary file is unique (mkstemp), so two processes writing one path
// never share it: the last rename wins whole.
Status write_file_atomically(const std::string& path, std::string_view text) {
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0)
    return fail(infrastructure(
        path + ": cannot create a temporary file beside it: " + std::strerror(errno)));
  const bool written = write_all(fd, text) && fsync(fd) == 0;
  const int saved = errno;
  close(fd);
  if (!written) {
    unlink(tmp.c_str());
    return fail(infrastructure(path + ": cannot write " + tmp + ": " + std::strerror(saved)));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (!ec) return Ok{};
  unlink(tmp.c_str());
  return fail(infrastructure(path + ": cannot write: " + ec.message()));
}

}  // namespace faultline
