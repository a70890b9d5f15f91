#include "base/redact.h"

#include <gtest/gtest.h>

#include <algorithm>
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

TEST(Redactor, KnowsAccessAndSecretKeysBySuffix) {
  EXPECT_TRUE(Redactor::looks_secret("AWS_ACCESS_KEY"));
  EXPECT_TRUE(Redactor::looks_secret("AWS_SECRET_KEY"));
  EXPECT_TRUE(Redactor::looks_secret("MINIO_SECRET_KEY"));
  EXPECT_FALSE(Redactor::looks_secret("ACCESS_KEYS_PATH"));
  setenv("FAULTLINE_TEST_SECRET_KEY", "s3-secret-value", 1);
  setenv("FAULTLINE_TEST_ACCESS_KEY", "abc", 1);  // listed, though too short to mask
  const auto variables = Redactor::secret_variables();
  auto has = [&](const std::string& name, const std::string& value) {
    return std::any_of(variables.begin(), variables.end(),
                       [&](const auto& v) { return v.name == name && v.value == value; });
  };
  EXPECT_TRUE(has("FAULTLINE_TEST_SECRET_KEY", "s3-secret-value"));
  EXPECT_TRUE(has("FAULTLINE_TEST_ACCESS_KEY", "abc"));
  EXPECT_EQ(Redactor::from_environment().apply("s3-secret-value abc"), "*** abc");
}

}  // namespace
}  // namespace faultline
