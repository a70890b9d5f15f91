#include "matrix/variables.h"

#include "base/text.h"

namespace faultline::matrix {

namespace {

void add(Binding& b, const std::string& var, const std::string& env, const std::string& value) {
  if (!var.empty()) b.vars[var] = {value};
  if (!env.empty()) b.env.emplace_back(env, value);
}

void add_sanitizer(Binding& b, const Config& config, const sanitizers::Profile& profile) {
  const auto toolchain = sanitizers::default_toolchain(config.compiler);
  b.vars["san.name"] = {profile.name};
  b.vars["san.cc"] = {toolchain.cc};
  b.vars["san.cxx"] = {toolchain.cxx};
  b.vars["san.cflags"] = profile.cflags;
  b.vars["san.cxxflags"] = profile.cxxflags;
  b.vars["san.ldflags"] = profile.ldflags;
  b.vars["san.goflags"] = profile.goflags;
  b.vars["san.rustflags"] = profile.rustflags;
  b.vars["compiler"] = {std::string(sanitizers::compiler_name(config.compiler))};
  for (auto& [k, v] : sanitizers::build_environment(profile, toolchain)) b.env.emplace_back(k, v);
}

}  // namespace

std::optional<sanitizers::Profile> profile_for(const Config& config, std::string_view name) {
  const SanitizerSpec* spec = config.sanitizer(name);
  if (!spec) return sanitizers::builtin(name, config.compiler);
  if (spec->builtin) {
    auto base = sanitizers::builtin(spec->name, config.compiler);
    if (!base) return std::nullopt;
    return sanitizers::merge(*base, spec->fields);
  }
  sanitizers::Profile base;
  if (spec->extends) {
    auto b = sanitizers::builtin(*spec->extends, config.compiler);
    if (!b) return std::nullopt;
    base = *b;
  }
  sanitizers::Profile merged = sanitizers::merge(base, spec->fields);
  merged.name = spec->name;
  return merged;
}

Binding build_binding(const Config& config, const BuildRef& build,
                      const sanitizers::Profile& profile, const BuildPaths& paths) {
  Binding b;
  const Component& comp = config.components[build.component];
  add_sanitizer(b, config, profile);
  add(b, "version", "FAULTLINE_VERSION", build.version);
  add(b, "component", "FAULTLINE_COMPONENT", comp.name);
  add(b, "prefix", "FAULTLINE_PREFIX", paths.prefix);
  add(b, "source", "FAULTLINE_SOURCE", paths.source);
  add(b, "sanitizer", "FAULTLINE_SANITIZER", build.sanitizer);
  add(b, "jobs", "FAULTLINE_JOBS", std::to_string(paths.jobs));
  add(b, comp.name, "FAULTLINE_" + env_name(comp.name), build.version);
  add(b, "prefix." + comp.name, "FAULTLINE_PREFIX_" + env_name(comp.name), paths.prefix);
  for (std::size_t i = 0; i < build.deps.size(); ++i) {
    const std::string& dep = config.components[build.deps[i].first].name;
    add(b, dep, "FAULTLINE_" + env_name(dep), build.deps[i].second);
    add(b, "prefix." + dep, "FAULTLINE_PREFIX_" + env_name(dep),
        i < paths.dep_prefixes.size() ? paths.dep_prefixes[i] : "");
  }
  for (const auto& [k, v] : comp.env) b.env.emplace_back(k, v.value);
  return b;
}

Binding run_binding(const Config& config, const CellTable& cells, std::size_t cell,
                    const sanitizers::Profile& profile, const RunPaths& paths) {
  Binding b;
  add_sanitizer(b, config, profile);
  for (std::size_t a = 0; a < cells.stride(); ++a) {
    const std::string* v = cells.value(cell, a);
    if (!v) continue;
    add(b, cells.axes[a].name, "FAULTLINE_" + env_name(cells.axes[a].name), *v);
  }
  for (std::size_t c = 0; c < config.components.size(); ++c) {
    const std::string& name = config.components[c].name;
    const std::string prefix =
        c < paths.component_prefixes.size() ? paths.component_prefixes[c] : "";
    add(b, "prefix." + name, "FAULTLINE_PREFIX_" + env_name(name), prefix);
  }
  add(b, "cell.id", "FAULTLINE_CELL", cells.id(cell));
  add(b, "cell.hash", "FAULTLINE_CELL_HASH", cells.hash(cell));
  add(b, "run.index", "FAULTLINE_RUN_INDEX", std::to_string(paths.run_index));
  add(b, "workdir", "FAULTLINE_WORKDIR", paths.workdir);
  for (const auto& [k, v] : profile.env) b.env.emplace_back(k, v);
  if (const std::string* w = cells.value(cell, "workload"))
    if (const Workload* workload = config.workload(*w))
      for (const auto& [k, v] : workload->env) b.env.emplace_back(k, v.value);
  return b;
}

}  // namespace faultline::matrix
