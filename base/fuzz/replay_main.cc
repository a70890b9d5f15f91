// Replays fuzz corpora without libFuzzer: feeds every file named on the command
// line (a directory: each regular file in it, in name order) to the fuzz target's
// LLVMFuzzerTestOneInput, once. Linked into each *_fuzz_replay test by
// faultline_fuzzer() (CMakeLists.txt), so every build, under g++ too, checks the
// checked-in corpus. A crash ends the process (the test fails); exit 2 when an
// argument cannot be read or nothing was replayed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

// The files `arg` names: itself, or a directory's regular files sorted by name.
std::vector<fs::path> inputs_of(const fs::path& arg, std::error_code& error) {
  if (!fs::is_directory(arg, error)) return {arg};
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(arg, error))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

bool replay(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    std::error_code error;
    for (const fs::path& file : inputs_of(argv[i], error)) {
      if (error || !replay(file)) {
        std::cerr << file.string() << ": error: cannot read\n";
        return 2;
      }
      ++replayed;
    }
  }
  std::cout << "replayed " << replayed << " input(s)\n";
  return replayed == 0 ? 2 : 0;
}
