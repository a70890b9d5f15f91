// Built-in profiles, option merging and the build environment.
#include "sanitizers/profile.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace faultline::sanitizers {
namespace {

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string env_of(const Profile& p, const std::string& key) {
  for (const auto& [k, v] : p.env) {
    if (k == key) return v;
  }
  return "";
}

TEST(Profiles, EveryBuiltinForBothCompilers) {
  for (const auto& name : builtin_names()) {
    for (Compiler c : {Compiler::gcc, Compiler::clang}) {
      auto p = builtin(name, c);
      if (name == "msan" && c == Compiler::gcc) {
        EXPECT_FALSE(p) << "msan is clang-only";
        continue;
      }
      ASSERT_TRUE(p) << name;
      EXPECT_TRUE(has(p->cflags, "-g")) << name;
      EXPECT_TRUE(has(p->cflags, "-fno-omit-frame-pointer")) << name;
      EXPECT_TRUE(std::none_of(p->cflags.begin(), p->cflags.end(),
                               [](const std::string& f) { return f.rfind("-O", 0) == 0; }))
          << name << " must not force an -O level";
    }
  }
  EXPECT_FALSE(builtin("tasn", Compiler::gcc));
}

TEST(Profiles, ErrorsAreFatalAndDistinguishable) {
  auto asan = *builtin("asan", Compiler::clang);
  EXPECT_NE(env_of(asan, "ASAN_OPTIONS").find("halt_on_error=1"), std::string::npos);
  EXPECT_NE(env_of(asan, "ASAN_OPTIONS").find("exitcode=23"), std::string::npos);
  auto ubsan = *builtin("ubsan", Compiler::gcc);
  EXPECT_TRUE(has(ubsan.cflags, "-fno-sanitize-recover=all"));
  EXPECT_NE(env_of(ubsan, "UBSAN_OPTIONS").find("print_stacktrace=1"), std::string::npos);
  // SUMMARY then names the check ("SUMMARY: UndefinedBehaviorSanitizer: float-divide-by-zero …").
  EXPECT_NE(env_of(ubsan, "UBSAN_OPTIONS").find("report_error_type=1"), std::string::npos);
  auto tsan = *builtin("tsan", Compiler::gcc);
  EXPECT_EQ(tsan.goflags, std::vector<std::string>{"-race"});
  EXPECT_EQ(tool_for_exit_code(k_asan_exit_code), "asan");
  EXPECT_EQ(tool_for_exit_code(66), "tsan");
  EXPECT_FALSE(tool_for_exit_code(1));
  auto combined = *builtin("asan+ubsan", Compiler::gcc);
  EXPECT_FALSE(env_of(combined, "ASAN_OPTIONS").empty());
  EXPECT_FALSE(env_of(combined, "UBSAN_OPTIONS").empty());
}

TEST(Profiles, MergeOptionsKeyByKey) {
  EXPECT_EQ(merge_options("a=1:b=2:c=3", "b=9,d=4"), "a=1:b=9:c=3:d=4");
  EXPECT_EQ(merge_options("", "x='a b'"), "x='a b'");
  Profile extra;
  extra.env = {{"ASAN_OPTIONS", "detect_leaks=0"}, {"GODEBUG", "cgocheck=2"}};
  extra.cflags = {"-DEXTRA"};
  extra.wrapper = {"taskset", "-c", "0"};
  Profile merged = merge(*builtin("asan", Compiler::gcc), extra);
  EXPECT_NE(env_of(merged, "ASAN_OPTIONS").find("detect_leaks=0"), std::string::npos);
  EXPECT_EQ(env_of(merged, "ASAN_OPTIONS").find("detect_leaks=1"), std::string::npos);
  EXPECT_NE(env_of(merged, "ASAN_OPTIONS").find("halt_on_error=1"), std::string::npos);
  EXPECT_EQ(env_of(merged, "GODEBUG"), "cgocheck=2");
  EXPECT_EQ(merged.cflags.back(), "-DEXTRA");
  EXPECT_EQ(merged.wrapper.size(), 3u);
}

TEST(Profiles, SymbolizerAndBuildEnvironment) {
  auto p = with_symbolizer(*builtin("asan+ubsan", Compiler::clang), "/usr/bin/llvm-symbolizer-14");
  EXPECT_NE(env_of(p, "ASAN_OPTIONS").find("external_symbolizer_path=/usr/bin/llvm-symbolizer-14"),
            std::string::npos);
  EXPECT_NE(env_of(p, "UBSAN_OPTIONS").find("external_symbolizer_path="), std::string::npos);
  EnvList env = build_environment(*builtin("tsan", Compiler::clang), Compiler::clang);
  auto get = [&](const std::string& k) {
    for (const auto& [key, v] : env) {
      if (key == k) return v;
    }
    return std::string("<unset>");
  };
  EXPECT_EQ(get("CC"), "clang");
  EXPECT_EQ(get("CXX"), "clang++");
  EXPECT_NE(get("SAN_CFLAGS").find("-fsanitize=thread"), std::string::npos);
  EXPECT_EQ(get("SAN_LDFLAGS"), "-fsanitize=thread");
  EXPECT_EQ(get("SAN_GOFLAGS"), "-race");
  EXPECT_EQ(get("SAN_RUSTFLAGS"), "-Zsanitizer=thread");
}

}  // namespace
}  // namespace faultline::sanitizers
