// UTF-8 (RFC 3629): the one decoder faultline has. Valid means well-formed:
// no overlong forms, no surrogates (U+D800–U+DFFF), nothing above U+10FFFF.
// What to do with bad bytes (refuse, replace) is the caller's business.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace faultline {

// Bytes of the well-formed character at s[i] (1–4), its code point stored in
// `code_point`; 0 when the bytes there are not one (`code_point` untouched).
// Requires i < s.size().
std::size_t utf8_char_length(std::string_view s, std::size_t i, std::uint32_t& code_point);

// Position of the first byte that is not part of valid UTF-8, if any.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace faultline
