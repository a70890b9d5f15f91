#include "runner/builds.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "base/text.h"
#include "matrix/template.h"
#include "matrix/variables.h"
#include "runner/content_key.h"
#include "runner/process.h"
#include "runner/process_runner.h"

namespace faultline::runner {

namespace fs = std::filesystem;

namespace {

// ": " and the last line the build printed (its log after the "$ COMMAND" line),
// the usual reason (`sh: 1: clang: not found`), cut to about 200 bytes at a
// UTF-8 boundary; "" when it printed nothing or the line only repeats `error`.
std::string why_in_log(std::string_view log, const std::string& error) {
  const std::size_t first = log.find('\n');
  std::string_view text = trim(first == std::string_view::npos ? "" : log.substr(first + 1));
  const std::size_t newline = text.rfind('\n');
  text = trim(newline == std::string_view::npos ? text : text.substr(newline + 1));
  if (text.empty() || text.find(error) != std::string_view::npos) return "";
  std::size_t end = std::min<std::size_t>(text.size(), 200);
  while (end < text.size() && end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return ": " + std::string(text.substr(0, end));
}

std::string safe_name(std::string_view text) {
  std::string out;
  for (char c : text)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
  return out.substr(0, 40);
}

// What a build reads besides its command: per component, computed once per
// run_builds, before any build command runs (a build that writes into the
// matrix folder cannot change another's key halfway).
struct BuildInputs {
  std::map<std::size_t, Expected<std::string>> local;  // component → inputs_digest
  std::map<std::string, std::string>
      compiler_version;  // compiler command → its --version's first line
};

// Everything that reaches a build, as length-prefixed fields of one SHA-256:
// its name, version and sanitizer; the compiler and its version; the build
// command (as written); the profile's flags and environment; the component's
// environment; the source (git commit) or the local input files' digest; the
// dependencies' keys. The first 16 hex digits name its directory.
std::string content_key(const matrix::Config& config, const matrix::BuildRef& build,
                        const sanitizers::Profile& profile, const std::string& compiler_version,
                        const std::string& source, const std::vector<std::string>& dep_keys) {
  const matrix::Component& comp = config.components[build.component];
  ContentKey key;
  key.add("faultline-build-v2").add(comp.name).add(build.version).add(build.sanitizer);
  key.add(sanitizers::compiler_name(config.compiler)).add(compiler_version).add(comp.build.value);
  for (const auto* list : {&profile.cflags, &profile.cxxflags, &profile.ldflags, &profile.goflags,
                           &profile.rustflags}) {
    key.add(std::to_string(list->size()));
    for (const auto& flag : *list) key.add(flag);
  }
  key.add(std::to_string(profile.env.size()));
  for (const auto& [k, v] : profile.env) key.add(k).add(v);
  key.add(std::to_string(comp.env.size()));
  for (const auto& [k, v] : comp.env) key.add(k).add(v.value);
  key.add(source).add(std::to_string(dep_keys.size()));
  for (const auto& k : dep_keys) key.add(k);
  return key.hex().substr(0, 16);
}

// Depth in the depends graph: builds of depth 0 first.
std::size_t depth_of(const matrix::Config& config, std::size_t component) {
  std::size_t depth = 0;
  for (const auto& d : config.components[component].depends)
    for (std::size_t i = 0; i < config.components.size(); ++i)
      if (config.components[i].name == d.value) depth = std::max(depth, 1 + depth_of(config, i));
  return depth;
}

class Builder {
 public:
  Builder(const matrix::Config& config, const matrix::Expansion& e, const BuildOptions& options)
      : m_config(config), m_e(e), m_options(options), m_out(e.builds.size()) {}

  std::vector<BuildOutcome> run(const std::vector<std::size_t>& needed);

 private:
  ProcessRunner& processes() const { return processes_or_real(m_options.processes); }
  std::size_t dep_build(const matrix::BuildRef& b, std::size_t dep) const;
  void read_inputs(const std::set<std::size_t>& builds);
  std::string compiler_command(const matrix::Component& comp) const;
  std::string source_of(const matrix::BuildRef& b, std::string& error);
  struct Dependencies {
    std::vector<std::string> keys, prefixes;  // of each dependency's build, in b.deps order
    std::string failed;                       // id of a dependency that failed; "" when none
  };
  Dependencies dependencies_of(const matrix::BuildRef& b) const;
  void place(std::size_t index, const sanitizers::Profile* profile,
             const std::vector<std::string>& dep_keys, const std::string& source);
  void render_command(std::size_t index, const sanitizers::Profile& profile,
                      const std::vector<std::string>& dep_prefixes);
  void prepare(std::size_t index);
  bool reuse_or_clear(BuildOutcome& out, const std::filesystem::path& ok_marker) const;
  std::string run_command(std::size_t index, const std::string& cwd);
  void record(std::size_t index, std::string log, std::chrono::steady_clock::time_point start);
  void build_one(std::size_t index);
  Status materialise_source(const matrix::Component& comp, const std::string& version,
                            const std::string& dir);

  const matrix::Config& m_config;
  const matrix::Expansion& m_e;
  const BuildOptions& m_options;
  std::vector<BuildOutcome> m_out;
  std::map<std::size_t, std::vector<std::pair<std::string, std::string>>> m_bindings;  // build env
  BuildInputs m_inputs;
  std::mutex m_mutex;
};

// The build of dependency `dep` (index into b.deps) with the versions b needs.
std::size_t Builder::dep_build(const matrix::BuildRef& b, std::size_t dep) const {
  const auto& [component, version] = b.deps[dep];
  for (const auto& d : m_e.builds) {
    if (d.component != component || d.version != version || d.sanitizer != b.sanitizer) continue;
    // Its own dependencies must agree with b's.
    bool agree = std::all_of(d.deps.begin(), d.deps.end(), [&](const auto& dd) {
      return std::find(b.deps.begin(), b.deps.end(), dd) != b.deps.end();
    });
    if (agree) return static_cast<std::size_t>(&d - m_e.builds.data());
  }
  return SIZE_MAX;
}

std::vector<BuildOutcome> Builder::run(const std::vector<std::size_t>& needed) {
  // Close `needed` under dependencies, and group by depth.
  std::set<std::size_t> all(needed.begin(), needed.end());
  std::vector<std::size_t> work(needed.begin(), needed.end());
  while (!work.empty()) {
    std::size_t b = work.back();
    work.pop_back();
    for (std::size_t d = 0; d < m_e.builds[b].deps.size(); ++d) {
      std::size_t db = dep_build(m_e.builds[b], d);
      if (db != SIZE_MAX && all.insert(db).second) work.push_back(db);
    }
  }
  read_inputs(all);
  std::map<std::size_t, std::vector<std::size_t>> levels;
  for (std::size_t b : all) levels[depth_of(m_config, m_e.builds[b].component)].push_back(b);
  for (auto& level : levels) {
    const std::vector<std::size_t>& builds =
        level.second;  // (clang 14: no structured bindings in lambdas)
    for (std::size_t b : builds) prepare(b);
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      for (std::size_t i = next++; i < builds.size(); i = next++) {
        if (m_options.cancel && m_options.cancel->load()) return;
        build_one(builds[i]);
      }
    };
    std::vector<std::thread> threads;
    const std::size_t n = std::min<std::size_t>(std::max(1, m_options.jobs), builds.size());
    for (std::size_t t = 0; t < n; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
  }
  return std::move(m_out);
}

// The C compiler a component's build uses: its env's CC, else the toolchain's.
std::string Builder::compiler_command(const matrix::Component& comp) const {
  for (const auto& [k, v] : comp.env)
    if (k == "CC") return v.value;
  return sanitizers::default_toolchain(m_config.compiler).cc;
}

void Builder::read_inputs(const std::set<std::size_t>& builds) {
  for (std::size_t b : builds) {
    const matrix::Component& comp = m_config.components[m_e.builds[b].component];
    if (comp.build.value.empty()) continue;  // nothing is built, nothing is read
    const std::string cc = compiler_command(comp);
    if (!m_inputs.compiler_version.count(cc)) {
      auto version = command_output(processes(), {cc, "--version"});
      m_inputs.compiler_version[cc] =
          version ? version->substr(0, version->find('\n')) : "unavailable";
    }
    if (comp.source_git || m_inputs.local.count(m_e.builds[b].component)) continue;
    if (comp.inputs_given &&
        comp.inputs.empty()) {  // `inputs: []`: no local file goes into the build
      m_inputs.local.emplace(m_e.builds[b].component, std::string("no local inputs"));
      continue;
    }
    InputFiles files{m_options.matrix_dir, {}, {m_options.state_dir, m_options.matrix_file}};
    for (const auto& glob : comp.inputs) files.globs.push_back(glob.value);
    m_inputs.local.emplace(m_e.builds[b].component, inputs_digest(files));
  }
}

// The build's source as a key field: the git commit its version names, or the
// digest of its local input files; `error` says why there is none.
std::string Builder::source_of(const matrix::BuildRef& b, std::string& error) {
  const matrix::Component& comp = m_config.components[b.component];
  if (comp.source_git) {
    const std::string repo = (fs::path(m_options.matrix_dir) / *comp.source_git).string();
    auto commit = command_output(processes(), {"git", "-C", repo, "rev-parse", "--verify",
                                               "--quiet", b.version + "^{commit}"});
    return "git:" + *comp.source_git + ":" +
           (commit ? std::string(trim(*commit)) : "unresolved " + b.version);
  }
  if (comp.build.value.empty()) return "no build command";
  const auto& local = m_inputs.local.at(b.component);
  if (!local) error = "cannot read its inputs: " + local.error().message;
  return local ? "files:" + *local : "";
}

// The keys and prefixes of b's dependencies' builds (prepared at a lower level).
Builder::Dependencies Builder::dependencies_of(const matrix::BuildRef& b) const {
  Dependencies deps;
  for (std::size_t d = 0; d < b.deps.size(); ++d) {
    std::size_t db = dep_build(b, d);
    if (db == SIZE_MAX) continue;
    deps.keys.push_back(m_out[db].key);
    deps.prefixes.push_back(m_out[db].prefix);
    if (m_out[db].state == BuildState::failed || m_out[db].state == BuildState::dependency_failed)
      deps.failed = m_e.builds[db].id;
  }
  return deps;
}

// The build's content key and where it lives: STATE/builds/<name>-<key>/ with
// prefix/ and build.log.
void Builder::place(std::size_t index, const sanitizers::Profile* profile,
                    const std::vector<std::string>& dep_keys, const std::string& source) {
  const matrix::BuildRef& b = m_e.builds[index];
  BuildOutcome& out = m_out[index];
  const matrix::Component& comp = m_config.components[b.component];
  const auto version = m_inputs.compiler_version.find(compiler_command(comp));
  out.key = content_key(m_config, b, profile ? *profile : sanitizers::Profile{},
                        version == m_inputs.compiler_version.end() ? "" : version->second, source,
                        dep_keys);
  out.dir = (fs::path(m_options.state_dir) / "builds" /
             (safe_name(comp.name) + "-" + safe_name(b.version) + "-" + safe_name(b.sanitizer) +
              "-" + out.key))
                .string();
  out.prefix = out.dir + "/prefix";
  out.log_path = out.dir + "/build.log";
}

// The build command rendered with the build's variables, and its environment; a
// command that cannot be rendered fails the build.
void Builder::render_command(std::size_t index, const sanitizers::Profile& profile,
                             const std::vector<std::string>& dep_prefixes) {
  const matrix::BuildRef& b = m_e.builds[index];
  BuildOutcome& out = m_out[index];
  const matrix::Component& comp = m_config.components[b.component];
  matrix::BuildPaths paths{out.prefix, comp.source_git ? out.dir + "/src" : "", dep_prefixes,
                           m_options.jobs};
  matrix::Binding binding = matrix::build_binding(m_config, b, profile, paths);
  auto parsed = matrix::Template::parse(comp.build.value);
  auto* command = std::get_if<matrix::Template>(&parsed);
  std::string missing;
  auto rendered = command ? command->render(binding.vars, &missing) : std::nullopt;
  if (!rendered) {
    // validate refuses such a matrix; a build that cannot be rendered never runs as "nothing to
    // build".
    out.state = BuildState::failed;
    out.error =
        command ? "the build command could not be rendered: {{ " + missing + " }} has no value here"
                : "the build command is not a valid template";
    return;
  }
  out.command = std::move(*rendered);
  for (auto& kv : command->environment(binding.vars))
    binding.env.push_back(std::move(kv));  // last: these win
  m_bindings[index] = std::move(binding.env);
}

// Key, directory and rendered command: needs the dependencies' keys, so called
// level by level.
void Builder::prepare(std::size_t index) {
  const matrix::BuildRef& b = m_e.builds[index];
  BuildOutcome& out = m_out[index];
  auto profile = matrix::profile_for(m_config, b.sanitizer);
  const Dependencies deps = dependencies_of(b);
  std::string inputs_error;
  const std::string source = source_of(b, inputs_error);
  place(index, profile ? &*profile : nullptr, deps.keys, source);
  if (!deps.failed.empty()) {
    out.state = BuildState::dependency_failed;
    out.error = "its dependency " + deps.failed + " failed to build";
  } else if (!inputs_error.empty()) {
    out.state = BuildState::failed;
    out.error = inputs_error;
  } else if (!profile) {
    out.state = BuildState::failed;
    out.error = "sanitizer '" + b.sanitizer + "' is not available for " +
                std::string(sanitizers::compiler_name(m_config.compiler));
  } else {
    render_command(index, *profile, deps.prefixes);
  }
}

Status Builder::materialise_source(const matrix::Component& comp, const std::string& version,
                                   const std::string& dir) {
  const fs::path repo = fs::path(m_options.matrix_dir) / *comp.source_git;
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return fail(infrastructure("cannot create " + dir + ": " + ec.message()));
  const std::string tar = dir + ".tar";
  // git archive reads the repository only: the user's checkout is never touched.
  auto archived = command_output(
      processes(), {"git", "-C", repo.string(), "archive", "--format=tar", "-o", tar, version});
  if (!archived) return fail(archived.error());
  auto extracted = command_output(processes(), {"tar", "-xf", tar, "-C", dir});
  fs::remove(tar, ec);
  if (!extracted) return fail(extracted.error());
  return Ok{};
}

// True when the build's `ok` marker says it is cached (and --rebuild is not given);
// else clears what an earlier build left and makes an empty prefix/ (false, with
// out.error set, when it cannot).
bool Builder::reuse_or_clear(BuildOutcome& out, const fs::path& ok_marker) const {
  if (!m_options.rebuild && fs::exists(ok_marker)) {
    out.state = BuildState::ok;
    out.cached = true;
    return true;
  }
  std::error_code ec;
  fs::remove(ok_marker, ec);
  fs::remove_all(out.prefix, ec);
  fs::create_directories(out.prefix, ec);
  out.state = BuildState::failed;
  if (ec) out.error = "cannot create " + out.prefix + ": " + ec.message();
  return false;
}

// Runs the build command in `cwd` with the build's environment; returns the log
// ("$ COMMAND" then its interleaved output) and sets out.error when it failed.
std::string Builder::run_command(std::size_t index, const std::string& cwd) {
  BuildOutcome& out = m_out[index];
  std::string log = "$ " + out.command + "\n";
  if (out.command.empty()) return log;
  std::map<std::string, std::optional<std::string>> changes;
  for (const auto& [k, v] : m_bindings.at(index)) changes[k] = v;
  ProcessOptions p;
  p.argv = {"/bin/sh", "-c", out.command};
  p.environment = environment_with(changes);
  p.working_directory = cwd;
  p.timeout = milliseconds(m_options.timeout_ms);
  p.cancel = m_options.cancel;
  auto result = processes().run(p);
  if (!result) {
    out.error = result.error().message;
    return log + out.error + "\n";
  }
  if (!result->succeeded()) out.error = "the build command " + result->describe();
  return log + result->interleaved.text();
}

// Writes the build's log (secrets masked) and, when it succeeded, its `ok` marker.
void Builder::record(std::size_t index, std::string log,
                     std::chrono::steady_clock::time_point start) {
  BuildOutcome& out = m_out[index];
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log = m_options.redactor.apply(log);
  out.error = m_options.redactor.apply(out.error);
  std::ofstream(out.log_path, std::ios::binary) << log;
  out.log_tail = last_lines(log, 20);
  if (!out.error.empty()) out.error += why_in_log(log, out.error);
  if (out.error.empty()) {
    out.state = BuildState::ok;
    std::ofstream(fs::path(out.dir) / "ok") << m_e.builds[index].id << "\n"
                                            << m_options.redactor.apply(out.command) << "\n";
  }
}

void Builder::build_one(std::size_t index) {
  const matrix::BuildRef& b = m_e.builds[index];
  BuildOutcome& out = m_out[index];
  const matrix::Component& comp = m_config.components[b.component];
  auto report = [&] {
    if (!m_options.on_done) return;
    std::lock_guard<std::mutex> lock(m_mutex);
    m_options.on_done(index, out);
  };
  if (out.state == BuildState::dependency_failed || out.state == BuildState::failed)
    return report();
  if (m_options.find_only) {
    out.cached = !m_options.rebuild && fs::exists(fs::path(out.dir) / "ok");
    out.state = out.cached ? BuildState::ok : BuildState::not_needed;
    return report();
  }
  const auto start = std::chrono::steady_clock::now();
  if (reuse_or_clear(out, fs::path(out.dir) / "ok") || !out.error.empty()) return report();
  std::string cwd = m_options.matrix_dir;
  if (comp.source_git) {
    cwd = out.dir + "/src";
    if (auto s = materialise_source(comp, b.version, cwd); !s) {
      out.error = "cannot check out " + comp.name + " " + b.version + ": " + s.error().message;
      return report();
    }
  }
  record(index, run_command(index, cwd), start);
  report();
}

}  // namespace

std::string last_lines(const std::string& text, std::size_t lines) {
  std::size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  for (std::size_t n = 0; n < lines && pos > 0; ++n) {
    std::size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    pos = nl;
  }
  return pos == 0 ? text : text.substr(pos + 1);
}

std::vector<BuildOutcome> run_builds(const matrix::Config& config,
                                     const matrix::Expansion& expansion,
                                     const std::vector<std::size_t>& needed,
                                     const BuildOptions& options) {
  return Builder(config, expansion, options).run(needed);
}

}  // namespace faultline::runner
