#include "ci/serve/signature.h"

#include <gtest/gtest.h>

namespace faultline::ci::serve {
namespace {

// The example in GitHub's "Validating webhook deliveries" documentation.
constexpr const char* k_secret = "It's a Secret to Everybody";
constexpr const char* k_body = "Hello, World!";
constexpr const char* k_signature =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

TEST(Signature, MatchesGitHubsDocumentedExample) {
  EXPECT_EQ(sign(k_secret, k_body), k_signature);
  EXPECT_TRUE(signature_matches(k_secret, k_body, k_signature));
}

TEST(Signature, UpperCaseHexIsTheSameSignature) {
  std::string upper = k_signature;
  for (std::size_t i = 7; i < upper.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_TRUE(signature_matches(k_secret, k_body, upper));
}

TEST(Signature, RefusesAnotherSecretBodyOrDigit) {
  EXPECT_FALSE(signature_matches("another secret", k_body, k_signature));
  EXPECT_FALSE(signature_matches(k_secret, "Hello, World?", k_signature));
  std::string flipped = k_signature;
  flipped.back() = '6';
  EXPECT_FALSE(signature_matches(k_secret, k_body, flipped));
}

TEST(Signature, RefusesMalformedHeaders) {
  const std::string hex = std::string(k_signature).substr(7);
  for (const std::string& header :
       {std::string(), hex, "sha1=" + hex, std::string(k_signature) + "0",
        std::string(k_signature).substr(0, 70), "sha256=" + std::string(64, 'g'), "SHA256=" + hex})
    EXPECT_FALSE(signature_matches(k_secret, k_body, header)) << header;
}

TEST(Signature, AnEmptyBodyIsSignedToo) {
  EXPECT_TRUE(signature_matches(k_secret, "", sign(k_secret, "")));
  EXPECT_FALSE(signature_matches(k_secret, "", sign("x", "")));
}

}  // namespace
}  // namespace faultline::ci::serve
