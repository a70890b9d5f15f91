#include "sanitizers/profile.h"

#include <algorithm>

#include "base/text.h"

namespace faultline::sanitizers {

namespace {

using Flags = std::vector<std::string>;

// Flags every profile shares: symbols for the stacks, frame pointers for the
// unwinder, and no sibling-call optimisation so -O2 stacks keep the callers
// that -O0 stacks show (signatures must agree across optimisation levels).
const Flags k_common_flags = {"-g", "-fno-omit-frame-pointer", "-fno-optimize-sibling-calls"};

const char* k_asan_options =
    "halt_on_error=1:abort_on_error=0:exitcode=23:detect_leaks=1:symbolize=1:"
    "detect_stack_use_after_return=1:check_initialization_order=1:handle_abort=1:"
    "handle_sigill=1:handle_sigfpe=1:allocator_may_return_null=0";
const char* k_ubsan_options =
    "halt_on_error=1:print_stacktrace=1:symbolize=1:exitcode=25:report_error_type=1";
const char* k_tsan_options =
    "halt_on_error=1:exitcode=66:symbolize=1:second_deadlock_stack=1:report_signal_unsafe=1";
const char* k_msan_options = "halt_on_error=1:exitcode=77:symbolize=1:print_stats=0";
const char* k_lsan_options = "exitcode=24:symbolize=1";

struct Recipe {
  Flags sanitize;  // -fsanitize=… flags for compile and link
  Flags goflags;
  Flags rustflags;
  EnvList env;
  bool clang_only = false;
};

std::optional<Recipe> recipe_for(std::string_view name) {
  if (name == "none") return Recipe{};
  if (name == "asan")
    return Recipe{{"-fsanitize=address"},
                  {"-asan"},
                  {"-Zsanitizer=address"},
                  {{"ASAN_OPTIONS", k_asan_options}, {"LSAN_OPTIONS", "exitcode=23:symbolize=1"}}};
  if (name == "ubsan")
    return Recipe{{"-fsanitize=undefined", "-fno-sanitize-recover=all"},
                  {},
                  {},
                  {{"UBSAN_OPTIONS", k_ubsan_options}}};
  if (name == "tsan")
    return Recipe{{"-fsanitize=thread"},
                  {"-race"},
                  {"-Zsanitizer=thread"},
                  {{"TSAN_OPTIONS", k_tsan_options}}};
  if (name == "msan")
    return Recipe{{"-fsanitize=memory", "-fsanitize-memory-track-origins=2"},
                  {"-msan"},
                  {"-Zsanitizer=memory"},
                  {{"MSAN_OPTIONS", k_msan_options}},
                  true};
  if (name == "lsan")
    return Recipe{
        {"-fsanitize=leak"}, {}, {"-Zsanitizer=leak"}, {{"LSAN_OPTIONS", k_lsan_options}}};
  if (name == "asan+ubsan")
    return Recipe{{"-fsanitize=address,undefined", "-fno-sanitize-recover=all"},
                  {"-asan"},
                  {"-Zsanitizer=address"},
                  {{"ASAN_OPTIONS", k_asan_options},
                   {"LSAN_OPTIONS", "exitcode=23:symbolize=1"},
                   {"UBSAN_OPTIONS", k_ubsan_options}}};
  return std::nullopt;
}

Flags concat(Flags a, const Flags& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

bool is_option_separator(char c) {
  return c == ':' || c == ',' || c == ' ' || c == '\t' || c == '\n';
}

// Split "a=1:b='x y'" into {key, value} pairs, keeping quoted values whole.
std::vector<std::pair<std::string, std::string>> split_options(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_option_separator(text[i])) ++i;
    if (i >= text.size()) break;
    std::size_t start = i;
    char quote = 0;
    while (i < text.size() && (quote || !is_option_separator(text[i]))) {
      if (quote && text[i] == quote)
        quote = 0;
      else if (!quote && (text[i] == '\'' || text[i] == '"'))
        quote = text[i];
      ++i;
    }
    std::string_view item = text.substr(start, i - start);
    auto eq = item.find('=');
    if (eq == std::string_view::npos)
      out.emplace_back(std::string(item), "");
    else
      out.emplace_back(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
  }
  return out;
}

bool is_options_variable(std::string_view name) {
  return name.size() > 8 && name.substr(name.size() - 8) == "_OPTIONS";
}

void merge_env(EnvList& base, const EnvList& extra) {
  for (const auto& entry : extra) {
    const std::string& key = entry.first;
    auto it =
        std::find_if(base.begin(), base.end(), [&](const auto& kv) { return kv.first == key; });
    if (it == base.end())
      base.push_back(entry);
    else if (is_options_variable(key))
      it->second = merge_options(it->second, entry.second);
    else
      it->second = entry.second;
  }
}

}  // namespace

std::string_view compiler_name(Compiler c) { return c == Compiler::gcc ? "gcc" : "clang"; }

std::optional<Compiler> parse_compiler(std::string_view name) {
  if (name == "gcc" || name == "g++") return Compiler::gcc;
  if (name == "clang" || name == "clang++") return Compiler::clang;
  return std::nullopt;
}

const std::vector<std::string>& builtin_names() {
  static const std::vector<std::string> names = {"none", "asan", "ubsan",     "tsan",
                                                 "msan", "lsan", "asan+ubsan"};
  return names;
}

bool is_builtin(std::string_view name) {
  const auto& names = builtin_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::optional<Profile> builtin(std::string_view name, Compiler compiler) {
  auto recipe = recipe_for(name);
  if (!recipe || (recipe->clang_only && compiler != Compiler::clang)) return std::nullopt;
  Profile p;
  p.name = std::string(name);
  p.cflags = concat(recipe->sanitize, k_common_flags);
  p.cxxflags = p.cflags;
  p.ldflags = recipe->sanitize;
  p.goflags = recipe->goflags;
  p.rustflags = recipe->rustflags;
  p.env = recipe->env;
  p.clang_only = recipe->clang_only;
  return p;
}

Profile merge(Profile base, const Profile& extra) {
  if (!extra.name.empty()) base.name = extra.name;
  base.cflags = concat(std::move(base.cflags), extra.cflags);
  base.cxxflags = concat(std::move(base.cxxflags), extra.cxxflags);
  base.ldflags = concat(std::move(base.ldflags), extra.ldflags);
  base.goflags = concat(std::move(base.goflags), extra.goflags);
  base.rustflags = concat(std::move(base.rustflags), extra.rustflags);
  merge_env(base.env, extra.env);
  if (!extra.wrapper.empty()) base.wrapper = extra.wrapper;
  base.clang_only = base.clang_only || extra.clang_only;
  return base;
}

std::string merge_options(std::string_view base, std::string_view over) {
  auto merged = split_options(base);
  for (auto& entry : split_options(over)) {
    auto it = std::find_if(merged.begin(), merged.end(),
                           [&](const auto& kv) { return kv.first == entry.first; });
    if (it == merged.end())
      merged.push_back(entry);
    else
      it->second = entry.second;
  }
  std::string out;
  for (const auto& [key, value] : merged) {
    if (!out.empty()) out += ':';
    out += key;
    if (!value.empty()) out += "=" + value;
  }
  return out;
}

std::optional<std::string_view> tool_for_exit_code(int code) {
  switch (code) {
    case k_asan_exit_code:
      return "asan";
    case k_lsan_exit_code:
      return "lsan";
    case k_ubsan_exit_code:
      return "ubsan";
    case k_tsan_exit_code:
      return "tsan";
    case k_msan_exit_code:
      return "msan";
    default:
      return std::nullopt;
  }
}

namespace {

// The last `exitcode=N` of an option string, if any.
std::optional<int> exitcode_option(std::string_view options) {
  std::optional<int> code;
  for (std::size_t at = options.find("exitcode="); at != std::string_view::npos;
       at = options.find("exitcode=", at + 1)) {
    if (at > 0 && std::string_view(":, \t").find(options[at - 1]) == std::string_view::npos)
      continue;
    int n = 0;
    std::size_t i = at + 9, digits = 0;
    for (; i < options.size() && options[i] >= '0' && options[i] <= '9' && digits < 4;
         ++i, ++digits)
      n = n * 10 + (options[i] - '0');
    if (digits > 0) code = n;
  }
  return code;
}

bool has_flag(const Profile& profile, std::string_view flag) {
  for (const auto* list :
       {&profile.cflags, &profile.cxxflags, &profile.ldflags, &profile.goflags, &profile.rustflags})
    for (const auto& f : *list)
      if (f.find(flag) != std::string::npos) return true;
  return false;
}

}  // namespace

std::map<int, std::string> exit_codes_of(const EnvList& env, const Profile& profile) {
  std::map<int, std::string> codes;
  bool tsan = has_flag(profile, "sanitize=thread") || has_flag(profile, "-race");
  bool msan = has_flag(profile, "sanitize=memory");
  for (const auto& [key, value] : env) {
    const std::string_view name = key;
    if (!is_options_variable(name)) continue;
    std::string tool;
    for (char c : name.substr(0, name.size() - 8))
      tool += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (tool != "asan" && tool != "lsan" && tool != "ubsan" && tool != "tsan" && tool != "msan")
      continue;
    tsan = tsan || tool == "tsan";
    msan = msan || tool == "msan";
    if (auto code = exitcode_option(value)) codes.emplace(*code, tool);
  }
  if (tsan) codes.emplace(k_tsan_exit_code, "tsan");
  if (msan) codes.emplace(k_msan_exit_code, "msan");
  return codes;
}

Profile with_symbolizer(Profile profile, std::string_view path) {
  for (auto& [key, value] : profile.env) {
    if (is_options_variable(key) && key != "GODEBUG")
      value = merge_options(value, "external_symbolizer_path=" + std::string(path));
  }
  return profile;
}

Toolchain default_toolchain(Compiler compiler) {
  if (compiler == Compiler::gcc) return {compiler, "gcc", "g++"};
  return {compiler, "clang", "clang++"};
}

EnvList build_environment(const Profile& profile, const Toolchain& toolchain) {
  return {{"CC", toolchain.cc},
          {"CXX", toolchain.cxx},
          {"SAN_CFLAGS", join(profile.cflags, " ")},
          {"SAN_CXXFLAGS", join(profile.cxxflags, " ")},
          {"SAN_LDFLAGS", join(profile.ldflags, " ")},
          {"SAN_GOFLAGS", join(profile.goflags, " ")},
          {"SAN_RUSTFLAGS", join(profile.rustflags, " ")}};
}

EnvList build_environment(const Profile& profile, Compiler compiler) {
  return build_environment(profile, default_toolchain(compiler));
}

}  // namespace faultline::sanitizers
