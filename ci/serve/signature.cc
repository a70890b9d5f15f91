#include "ci/serve/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cctype>

namespace faultline::ci::serve {

namespace {

constexpr std::string_view k_prefix = "sha256=";
constexpr std::size_t k_digest_bytes = 32;

std::array<unsigned char, k_digest_bytes> hmac(std::string_view secret, std::string_view body) {
  std::array<unsigned char, k_digest_bytes> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data(), &length);
  return digest;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string sign(std::string_view secret, std::string_view body) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out(k_prefix);
  for (unsigned char byte : hmac(secret, body)) {
    out += k_hex[byte >> 4];
    out += k_hex[byte & 15];
  }
  return out;
}

bool signature_matches(std::string_view secret, std::string_view body, std::string_view header) {
  if (header.size() != k_prefix.size() + 2 * k_digest_bytes ||
      header.substr(0, k_prefix.size()) != k_prefix)
    return false;
  std::array<unsigned char, k_digest_bytes> given{};
  bool well_formed = true;
  for (std::size_t i = 0; i < k_digest_bytes; ++i) {
    int high = hex_value(header[k_prefix.size() + 2 * i]),
        low = hex_value(header[k_prefix.size() + 2 * i + 1]);
    well_formed &= high >= 0 && low >= 0;
    given[i] = static_cast<unsigned char>(((high & 15) << 4) | (low & 15));
  }
  const auto expected = hmac(secret, body);
  return CRYPTO_memcmp(given.data(), expected.data(), k_digest_bytes) == 0 && well_formed;
}

}  // namespace faultline::ci::serve
