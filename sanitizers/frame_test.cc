// Frame parsing and normalisation, and signature frame filtering.
#include "sanitizers/frame.h"

#include <gtest/gtest.h>

#include "sanitizers/signature.h"

namespace faultline::sanitizers {
namespace {

TEST(Frames, AsanGccAndClangLines) {
  auto gcc = parse_hash_frame("    #0 0x5613ee45b42c in main /tmp/santry/t.c:8");
  ASSERT_TRUE(gcc);
  EXPECT_EQ(gcc->function, "main");
  EXPECT_EQ(gcc->file, "/tmp/santry/t.c");
  EXPECT_EQ(gcc->line, 8);
  auto clang = parse_hash_frame("    #1 0x55d2 in run_case(char const*) /w/asan_bugs.cc:150:7");
  ASSERT_TRUE(clang);
  EXPECT_EQ(clang->function, "run_case(char const*)");
  EXPECT_EQ(clang->line, 150);
  auto module = parse_hash_frame(
      "    #2 0x7f65 in operator new(unsigned long) (/lib/x86_64-linux-gnu/libasan.so.8+0xb8d18)");
  ASSERT_TRUE(module);
  EXPECT_EQ(module->function, "operator new(unsigned long)");
  EXPECT_EQ(module->module, "/lib/x86_64-linux-gnu/libasan.so.8");
  EXPECT_EQ(module->offset, 0xb8d18u);
  auto bare = parse_hash_frame("    #3 0x7f6531645249  (/lib/libfoo.so+0x29d90) (BuildId: abc)");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->function, "");
  EXPECT_EQ(bare->offset, 0x29d90u);
}

TEST(Frames, TsanAndGdbLines) {
  auto tsan = parse_hash_frame(
      "    #0 racy_increment /w/tsan_bugs.c:16:41 (tc2+0xd01c7) (BuildId: 5076f4)");
  ASSERT_TRUE(tsan);
  EXPECT_EQ(tsan->function, "racy_increment");
  EXPECT_EQ(tsan->file, "/w/tsan_bugs.c");
  EXPECT_EQ(tsan->module, "tc2");
  auto gdb = parse_hash_frame("#1  0x0000555555555147 in main () at g.c:3");
  ASSERT_TRUE(gdb);
  EXPECT_EQ(gdb->function, "main");
  EXPECT_EQ(gdb->line, 3);
  EXPECT_FALSE(parse_hash_frame("# comment"));
  EXPECT_FALSE(parse_hash_frame("#include <x.h>"));
}

TEST(Frames, Normalisation) {
  EXPECT_EQ(normalise_function("foo(int, char const*)"), "foo");
  EXPECT_EQ(normalise_function("ns::Widget<int, std::allocator<int> >::push(int const&) const"),
            "ns::Widget::push");
  EXPECT_EQ(normalise_function("(anonymous namespace)::helper()"), "helper");
  EXPECT_EQ(normalise_function("use_after_free.constprop.0"), "use_after_free");
  EXPECT_EQ(normalise_function("f.isra.0.cold"), "f");
  EXPECT_EQ(normalise_function("g.part.3"), "g");
  EXPECT_EQ(normalise_function("f(int) [clone .cold]"), "f");
  EXPECT_EQ(normalise_function("Functor::operator()(int) const"), "Functor::operator()");
  EXPECT_EQ(normalise_function("std::vector<int>::operator[](unsigned long)"),
            "std::vector::operator[]");
  EXPECT_EQ(normalise_function("bool operator< <int>(int const&, int const&)"), "bool operator<");
  EXPECT_EQ(normalise_function("operator<<(std::ostream&, Gate const&)"), "operator<<");
  EXPECT_EQ(normalise_function("Ptr::operator->() const"), "Ptr::operator->");
  EXPECT_EQ(normalise_function("mycrate::parse::h0123456789abcdef"), "mycrate::parse");
  EXPECT_EQ(normalise_function("main.(*T).run(0xc000010000, {0x4a, 0x1})"), "main.(*T).run");
  EXPECT_EQ(normalise_function("pkg.Map[...].Get(...)"), "pkg.Map.Get");
}

TEST(Frames, GoPairs) {
  auto f = parse_go_function_line("github.com/x/y.(*C).Get(0x0, {0xc0000a4000, 0x9})");
  ASSERT_TRUE(f);
  EXPECT_TRUE(parse_go_file_line("\t/home/ci/y/client.go:212 +0x2c", *f));
  EXPECT_EQ(f->line, 212);
  EXPECT_FALSE(parse_go_function_line("\t/home/ci/y/client.go:212 +0x2c"));
  EXPECT_FALSE(parse_go_function_line("Some text (with parens)"));
}

TEST(Signatures, RuntimeFramesAreFiltered) {
  Frame interceptor{"__interceptor_free",
                    "../../../../src/libsanitizer/asan/asan_malloc_linux.cpp",
                    52,
                    "",
                    0,
                    ""};
  Frame libc{"__libc_start_call_main", "../sysdeps/nptl/libc_start_call_main.h", 58, "", 0, ""};
  Frame clang_free{"free", "",
                   0,      "/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.so",
                   0x10,   ""};
  Frame go_runtime{"runtime.gopanic", "/usr/local/go/src/runtime/panic.go", 1, "", 0, ""};
  Frame user{"bug(int)", "/src/a.cc", 3, "", 0, ""};
  for (const auto& f : {interceptor, libc, clang_free, go_runtime})
    EXPECT_TRUE(is_runtime_frame(f)) << f.function;
  EXPECT_FALSE(is_runtime_frame(user));
  SignatureOptions options;
  EXPECT_EQ(meaningful_frames({interceptor, libc, user}, options), std::vector<std::string>{"bug"});
  options.ignore_frames = {"bu?"};
  EXPECT_TRUE(meaningful_frames({user}, options).empty());
  options.ignore_frames = {"ug"};
  EXPECT_TRUE(meaningful_frames({user}, options).empty());
}

TEST(Signatures, StableHashAndText) {
  Crash c;
  c.tool = "asan";
  c.kind = "heap-use-after-free";
  c.frames = {{"__interceptor_free", "", 0, "", 0, ""},
              {"bug_a()", "/x/a.cc", 1, "", 0, ""},
              {"run_case(char const*)", "/y/a.cc", 2, "", 0, ""},
              {"main", "/y/a.cc", 3, "", 0, ""},
              {"extra", "/y/a.cc", 4, "", 0, ""}};
  Signature s = make_signature(c, {});
  EXPECT_EQ(s.text, "asan heap-use-after-free: bug_a > run_case > main");
  EXPECT_EQ(s.hash.size(), 12u);
  c.frames[1].file = "/other/build/a.cc";
  EXPECT_EQ(make_signature(c, {}).hash, s.hash);
  c.kind = "double-free";
  EXPECT_NE(make_signature(c, {}).hash, s.hash);
}

}  // namespace
}  // namespace faultline::sanitizers
