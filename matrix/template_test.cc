#include "matrix/template.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace faultline::matrix {
namespace {

Template parse_ok(std::string_view text) {
  auto parsed = Template::parse(text);
  EXPECT_TRUE(std::holds_alternative<Template>(parsed));
  return std::get<Template>(parsed);
}

std::string run_sh(const std::string& command) {
  std::string full = "/bin/sh -c " + shell_quote(command);
  FILE* pipe = popen(full.c_str(), "r");
  std::string out;
  char buf[256];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

TEST(Template, FindsPlaceholdersAndTheirShellContext) {
  Template t = parse_ok("build --lib \"{{ prefix.library }}\" --v {{version}} '{{ x }}'");
  ASSERT_EQ(t.placeholders().size(), 3u);
  EXPECT_EQ(t.placeholders()[0].name, "prefix.library");
  EXPECT_EQ(t.placeholders()[0].context, ShellContext::double_quoted);
  EXPECT_EQ(t.placeholders()[1].name, "version");
  EXPECT_EQ(t.placeholders()[1].context, ShellContext::bare);
  EXPECT_EQ(t.placeholders()[2].context, ShellContext::single_quoted);
}

TEST(Template, RejectsUnclosedAndMalformedPlaceholders) {
  auto a = Template::parse("run {{ threads");
  ASSERT_TRUE(std::holds_alternative<Template::ParseError>(a));
  EXPECT_EQ(std::get<Template::ParseError>(a).offset, 4u);
  auto b = Template::parse("run {{ 9lives }}");
  ASSERT_TRUE(std::holds_alternative<Template::ParseError>(b));
  EXPECT_EQ(std::get<Template::ParseError>(b).message,
            "malformed placeholder '{{ 9lives }}' (a placeholder is written {{ name }} or {{ prefix.component }})");
}

TEST(Template, HostileValuesArriveAsInertWordsInEveryContext) {
  Template t = parse_ok("printf '%s|' {{ v }} \"in-{{ v }}\" 'sq-{{ v }}'");
  for (std::string hostile : {"1.0; rm -rf /", "$(id)", "`id`", "a'b\"c", "x\ny", "$HOME", "\\"}) {
    auto command = t.render({{"v", {hostile}}});
    ASSERT_TRUE(command);
    EXPECT_EQ(run_sh(*command), hostile + "|in-" + hostile + "|sq-" + hostile + "|") << *command;
  }
}

TEST(Template, ListValuesSplitIntoWordsWhenBareAndJoinInsideQuotes) {
  Template t = parse_ok("printf '%s|' {{ flags }} \"{{ flags }}\"");
  auto command = t.render({{"flags", {"-fsanitize=address", "-g"}}});
  ASSERT_TRUE(command);
  EXPECT_EQ(run_sh(*command), "-fsanitize=address|-g|-fsanitize=address -g|");
}

TEST(Template, RenderNamesTheMissingVariable) {
  Template t = parse_ok("x {{ a }} {{ b }}");
  std::string missing;
  EXPECT_FALSE(t.render({{"a", {"1"}}}, &missing));
  EXPECT_EQ(missing, "b");
}

}  // namespace
}  // namespace faultline::matrix
