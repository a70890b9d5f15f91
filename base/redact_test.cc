#include "base/redact.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace faultline {
namespace {

TEST(Redactor, MasksEveryOccurrenceLongestFirst) {
  Redactor r;
  r.add("ghp_abc");
  r.add("ghp_abcdef123");
  r.add("xy");  // too short to mask
  EXPECT_EQ(r.apply("token=ghp_abcdef123 and ghp_abc, xy"), "token=*** and ***, xy");
  EXPECT_EQ(r.apply("ghp_abcghp_abc"), "******");
}

TEST(Redactor, TakesSecretsFromTheEnvironmentByNameAndByList) {
  setenv("FAULTLINE_TEST_API_KEY", "key-value-1", 1);
  setenv("FAULTLINE_TEST_PLAIN", "plain-value", 1);
  setenv("FAULTLINE_TEST_LISTED", "listed-value", 1);
  Redactor r = Redactor::from_environment({"FAULTLINE_TEST_LISTED"});
  EXPECT_EQ(r.apply("key-value-1 plain-value listed-value"), "*** plain-value ***");
  EXPECT_TRUE(Redactor::looks_secret("GITHUB_TOKEN"));
  EXPECT_TRUE(Redactor::looks_secret("NPM_TOKEN"));
  EXPECT_FALSE(Redactor::looks_secret("TOKENIZER_PATH"));
}

}  // namespace
}  // namespace faultline
