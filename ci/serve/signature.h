// ci/serve/signature.h — GitHub's webhook signature: `X-Hub-Signature-256:
// sha256=HEX`, the HMAC-SHA256 of the raw body keyed with the webhook secret
// (OpenSSL), compared in constant time (CRYPTO_memcmp). What to do with a
// delivery that fails the check is the server's business.
#pragma once

#include <string>
#include <string_view>

namespace faultline::ci::serve {

// "sha256=" followed by the lower-case hex HMAC-SHA256 of `body` under `secret`.
std::string sign(std::string_view secret, std::string_view body);

// True only when `header` is exactly sign(secret, body) (hex digits in either case).
// The time taken does not depend on how much of the signature matched.
bool signature_matches(std::string_view secret, std::string_view body, std::string_view header);

}  // namespace faultline::ci::serve
