#include "runner/probe.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/text.h"
#include "runner/builds.h"
#include "runner/process.h"

namespace faultline::runner {

namespace fs = std::filesystem;

std::string package_hint(std::string_view sanitizer, sanitizers::Compiler compiler) {
  if (compiler == sanitizers::Compiler::clang) return "clang-14 libclang-rt-14-dev";
  std::string packages = "gcc";
  if (sanitizer.find("asan") != std::string_view::npos) packages += " libasan8";
  if (sanitizer.find("ubsan") != std::string_view::npos) packages += " libubsan1";
  if (sanitizer.find("tsan") != std::string_view::npos) packages += " libtsan2";
  if (sanitizer.find("lsan") != std::string_view::npos) packages += " liblsan0";
  return packages;
}

namespace {

std::string first_line(const std::string& text) {
  std::string_view t = trim(text);
  return std::string(t.substr(0, t.find('\n')));
}

ProbeResult run_probe(const sanitizers::Profile& profile, const sanitizers::Toolchain& tc,
                      const fs::path& dir) {
  const std::string hint =
      "; install it with: apt-get install " + package_hint(profile.name, tc.compiler);
  std::ofstream(dir / "probe.c") << "int main(void) { return 0; }\n";
  std::vector<std::string> argv = {tc.cc};
  argv.insert(argv.end(), profile.cflags.begin(), profile.cflags.end());
  argv.insert(argv.end(), {(dir / "probe.c").string(), "-o", (dir / "probe").string()});
  argv.insert(argv.end(), profile.ldflags.begin(), profile.ldflags.end());
  auto compiled = run_command(argv, dir.string(), std::chrono::seconds(60));
  if (!compiled)
    return {false, false,
            "the compiler '" + tc.cc + "' cannot be run (" + compiled.error().message + ")" + hint};
  if (!compiled->succeeded()) {
    const std::string out = compiled->interleaved.text();
    const bool missing = out.find("cannot find") != std::string::npos ||
                         out.find("No such file") != std::string::npos;
    return {false, false,
            "'" + tc.cc + " " + join(profile.cflags, " ") + "' cannot build a program: " +
                first_line(out) + (missing ? hint : "; check the profile's flags")};
  }
  std::map<std::string, std::optional<std::string>> env;
  for (const auto& [k, v] : profile.env) env[k] = v;
  ProcessOptions p;
  p.argv = {(dir / "probe").string()};
  p.environment = environment_with(env);
  p.timeout = std::chrono::seconds(30);
  auto ran = run_process(p);
  if (!ran || !ran->succeeded())
    return {false, false,
            "a program built with " + profile.name + " does not run here: " +
                (ran ? ran->describe() + ": " + first_line(ran->interleaved.text())
                     : ran.error().message) +
                hint};
  return {true, false, ""};
}

// The cache is only a shortcut: when its folder cannot be read or written (another
// user's /tmp/faultline-probes, a HOME this user cannot enter), probe in a private
// temporary folder, removed afterwards.
ProbeResult probe_uncached(const sanitizers::Profile& profile, const sanitizers::Toolchain& tc) {
  std::error_code ec;
  std::string pattern = (fs::temp_directory_path(ec) / "faultline-probe-XXXXXX").string();
  if (ec || !mkdtemp(pattern.data()))
    return {false, false, "cannot create a folder to build the probe in: " + pattern};
  ProbeResult r = run_probe(profile, tc, pattern);
  fs::remove_all(pattern, ec);
  return r;
}

}  // namespace

ProbeResult probe_sanitizer(const sanitizers::Profile& profile, sanitizers::Compiler compiler,
                            const std::string& cache_dir) {
  const auto tc = sanitizers::default_toolchain(compiler);
  std::string key_text =
      tc.cc + "\n" + join(profile.cflags, " ") + "\n" + join(profile.ldflags, " ");
  for (const auto& [k, v] : profile.env) key_text += "\n" + k + "=" + v;
  const fs::path dir = fs::path(cache_dir) / hex16(fnv1a64(key_text));
  std::error_code ec;
  if (fs::exists(dir / "ok", ec)) return {true, true, ""};
  fs::create_directories(dir, ec);
  if (ec || access(dir.c_str(), W_OK) != 0) return probe_uncached(profile, tc);
  ProbeResult r = run_probe(profile, tc, dir);
  if (r.ok) std::ofstream(dir / "ok") << key_text << "\n";
  return r;
}

}  // namespace faultline::runner
