#include "base/time.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace faultline {

namespace {

std::tm utc_tm(SystemTime t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

std::string formatted(SystemTime t, const char* format) {
  const std::tm tm = utc_tm(t);
  char buf[64];
  return std::string(buf, std::strftime(buf, sizeof buf, format, &tm));
}

}  // namespace

std::string utc_timestamp(SystemTime t) { return formatted(t, "%Y-%m-%dT%H:%M:%SZ"); }

std::string utc_timestamp_ms(SystemTime t) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms < 0 ? ms + 1000 : ms));
  return formatted(t, "%Y-%m-%dT%H:%M:%S") + millis;
}

std::string utc_clock(SystemTime t) { return formatted(t, "%H:%M:%S UTC"); }

std::optional<double> parse_duration_ms(std::string_view text, BareNumber bare) {
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0) return std::nullopt;
  double number = 0;
  if (std::sscanf(std::string(text.substr(0, i)).c_str(), "%lf", &number) != 1) return std::nullopt;
  const std::string_view unit = text.substr(i);
  double scale = 0;
  if (unit == "ms")
    scale = 1;
  else if (unit == "s" || (unit.empty() && bare == BareNumber::seconds))
    scale = 1000;
  else if (unit == "m" || unit == "min")
    scale = 60'000;
  else if (unit == "h")
    scale = 3'600'000;
  else
    return std::nullopt;
  const double ms = number * scale;
  if (!(ms > 0)) return std::nullopt;
  return ms;
}

}  // namespace faultline
