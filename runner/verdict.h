// runner/verdict.h — what a cell's runs add up to: pass (with the crash rate it
// rules out), crash (k of N, with an interval), hang, build-error or skipped.
// Flaky is normal: a verdict always carries its run count.
#pragma once

#include <string>

#include "results/records.h"

namespace faultline::runner {

// The verdict names live with the plain records (results/records.h).
using results::Verdict;
using results::verdict_name;

struct RateInterval {
  double estimate = 0;
  double low = 0;
  double high = 0;
};

// Two-sided 95% Wilson score interval for `crashes` of `runs`. With no crash,
// `high` is the one-sided 95% Clopper-Pearson bound 1 - 0.05^(1/runs): the
// "rule of three" (about 3/runs), so "0 of 100 runs" reads "rate < 3.0% at 95%".
RateInterval crash_rate(int crashes, int runs);

// "0 of 20 runs; crash rate < 13.9% at 95%" / "3 of 20 runs (15%; 95% CI 5.2%–36%)".
std::string describe_rate(int crashes, int runs);

}  // namespace faultline::runner
