#include "runner/verdict.h"

#include <cmath>
#include <cstdio>

namespace faultline::runner {

RateInterval crash_rate(int crashes, int runs) {
  if (runs <= 0) return {0, 0, 1};
  const double n = runs, k = crashes, z = 1.959963984540054;
  const double p = k / n;
  if (crashes == 0) return {0, 0, 1 - std::pow(0.05, 1 / n)};
  const double denom = 1 + z * z / n;
  const double center = (p + z * z / (2 * n)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom;
  return {p, std::max(0.0, center - half), std::min(1.0, center + half)};
}

namespace {
std::string percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, x >= 0.1 ? "%.0f%%" : "%.1f%%", x * 100);
  return buf;
}
}  // namespace

std::string describe_rate(int crashes, int runs) {
  RateInterval r = crash_rate(crashes, runs);
  std::string out =
      std::to_string(crashes) + " of " + std::to_string(runs) + (runs == 1 ? " run" : " runs");
  if (runs == 0) return out;
  if (crashes == 0) return out + "; crash rate < " + percent(r.high) + " at 95%";
  return out + " (" + percent(r.estimate) + "; 95% CI " + percent(r.low) + "–" + percent(r.high) +
         ")";
}

}  // namespace faultline::runner
