#include "base/files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace faultline {

Expected<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(bad_input(std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status write_file_atomically(const std::string& path, std::string_view text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!(out << std::flush)) return fail(infrastructure(path + ": cannot write " + tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail(infrastructure(path + ": cannot write: " + ec.message()));
  return Ok{};
}

}  // namespace faultline
