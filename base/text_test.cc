#include "base/text.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "base/testing/shell_output.h"

namespace faultline {
namespace {

// Runs `printf '%s|' <command words>` through a real /bin/sh and returns what it printed.
std::string shell_echo(const std::string& words) {
  return testing::shell_output("/bin/sh -c " + shell_quote("printf '%s|' " + words));
}

TEST(ShellQuote, PlainWordsStayReadable) {
  EXPECT_EQ(shell_quote("1.2.3"), "1.2.3");
  EXPECT_EQ(shell_quote("/opt/x-y_z"), "/opt/x-y_z");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
}

TEST(ShellQuote, HostileValuesReachTheShellAsOneInertWord) {
  for (std::string hostile :
       {"1.0; rm -rf /", "$(id)", "`id`", "a'b", "a\"b", "x\ny", "\\", "-n"}) {
    EXPECT_EQ(shell_echo(shell_quote(hostile)), hostile + "|") << hostile;
  }
}

TEST(ShellQuote, QuotesForTheContextItLandsIn) {
  for (std::string hostile : {"1.0; rm -rf /", "$(id)", "`id`", "a'b", "a\"b\\", "x\ny $HOME"}) {
    EXPECT_EQ(shell_echo("\"pre-" + shell_quote_in(ShellContext::double_quoted, hostile) + "\""),
              "pre-" + hostile + "|");
    EXPECT_EQ(shell_echo("'pre-" + shell_quote_in(ShellContext::single_quoted, hostile) + "'"),
              "pre-" + hostile + "|");
    EXPECT_EQ(shell_echo(shell_quote_in(ShellContext::bare, hostile)), hostile + "|");
  }
}

TEST(ShellContext, TracksQuotes) {
  EXPECT_EQ(shell_context_after("run \""), ShellContext::double_quoted);
  EXPECT_EQ(shell_context_after("run '\"'"), ShellContext::bare);
  EXPECT_EQ(shell_context_after("run \"it's"), ShellContext::double_quoted);
  EXPECT_EQ(shell_context_after("a \\' b"), ShellContext::bare);
  EXPECT_EQ(shell_context_after("'x"), ShellContext::single_quoted);
}

TEST(SplitPlainCommand, SplitsWhatTheShellWouldOnlySplit) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split_plain_command("/bin/true"), V{"/bin/true"});
  // Builtins and keywords need the shell: `exit 23` is no program.
  EXPECT_FALSE(split_plain_command("exit 23"));
  EXPECT_FALSE(split_plain_command("cd build"));
  EXPECT_FALSE(split_plain_command("ulimit -c 0"));
  EXPECT_EQ(split_plain_command("  stress --threads '8' \"a b\" c\\ d "),
            (V{"stress", "--threads", "8", "a b", "c d"}));
  EXPECT_EQ(split_plain_command("x 'it'\\''s'"), (V{"x", "it's"}));
  for (const char* shellish :
       {"a; b", "a | b", "echo $HOME", "a > f", "x=1 cmd", "ls *.c", "echo \"$x\"", "a && b",
        "echo `id`", "(a)", "~/bin/x", "# comment", "'unclosed", ""})
    EXPECT_FALSE(split_plain_command(shellish)) << shellish;
}

// Every quoting the template layer produces is read back by the splitter as a real shell would.
TEST(SplitPlainCommand, AgreesWithTheShellOnQuotedValues) {
  for (std::string v : {"1.0; rm -rf /", "a'b", "x y", "-n", "a\"b"}) {
    std::string cmd = "printf '%s|' " + shell_quote(v) + " \"pre-" +
                      shell_quote_in(ShellContext::double_quoted, v) + "\"";
    auto words = split_plain_command(cmd);
    if (!words) continue;  // needed a shell: fine, the shell path handles it
    ASSERT_EQ(words->size(), 4u) << cmd;
    EXPECT_EQ((*words)[2], v);
    EXPECT_EQ((*words)[3], "pre-" + v);
    EXPECT_EQ(shell_echo(shell_quote(v) + " \"pre-" +
                         shell_quote_in(ShellContext::double_quoted, v) + "\""),
              v + "|pre-" + v + "|");
  }
}

TEST(Utf8, FindsTheFirstBadByte) {
  EXPECT_FALSE(first_invalid_utf8("plain ascii"));
  EXPECT_FALSE(first_invalid_utf8("caf\xc3\xa9 \xe2\x9c\x93"));
  EXPECT_EQ(first_invalid_utf8("ab\xff"), 2u);
  EXPECT_EQ(first_invalid_utf8("ab\xc3"), 2u);        // truncated sequence
  EXPECT_EQ(first_invalid_utf8("\xc0\xaf"), 0u);      // overlong '/'
  EXPECT_EQ(first_invalid_utf8("\xed\xa0\x80"), 0u);  // surrogate
}

TEST(LineCol, CountsFromOne) {
  auto lc = line_col_at("ab\ncd\nef", 7);
  EXPECT_EQ(lc.line, 3);
  EXPECT_EQ(lc.column, 2);
}

TEST(DidYouMean, SuggestsCloseNamesOnly) {
  std::vector<std::string> names = {"asan", "tsan", "ubsan", "msan", "lsan"};
  EXPECT_EQ(did_you_mean("tasn", names), "tsan");
  EXPECT_EQ(did_you_mean("ubsna", names), "ubsan");
  EXPECT_FALSE(did_you_mean("valgrind", names));
  EXPECT_EQ(did_you_mean("componets", {"components", "sanitizers"}), "components");
}

TEST(Hash, IsStable) {
  EXPECT_EQ(hex16(fnv1a64("")), "cbf29ce484222325");
  EXPECT_EQ(hex16(fnv1a64("a")), "af63dc4c8601ec8c");
}

TEST(EnvName, UpperCasesAndReplaces) { EXPECT_EQ(env_name("lib-gate.x"), "LIB_GATE_X"); }

}  // namespace
}  // namespace faultline
