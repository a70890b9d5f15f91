#include "bisect/boundary_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace faultline::bisect {

namespace {

double log_beta(double a, double b) { return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b); }

double xlogx(double x) { return x > 0 ? x * std::log(x) : 0; }

}  // namespace

BoundaryModel::BoundaryModel(std::size_t n, ModelPrior prior)
    : m_prior(prior),
      m_runs(n, 0),
      m_target(n, 0),
      m_unbuildable(n, false),
      m_posterior(n, 0),
      m_rate(n, 0) {
  recompute();
}

void BoundaryModel::add(std::size_t version, int runs, int target) {
  m_runs[version] += runs;
  m_target[version] += target;
  recompute();
}

void BoundaryModel::mark_unbuildable(std::size_t version) {
  m_unbuildable[version] = true;
  recompute();
}

// log P(crashes, misses at crashing versions | b), p integrated out; *rate gets E[p | data].
double BoundaryModel::log_marginal(int crashes, int misses, double* rate) const {
  const double a = m_prior.alpha, b = m_prior.beta, w = m_prior.deterministic_weight;
  const double log_beta_part = std::log1p(-w) + log_beta(a + crashes, b + misses) - log_beta(a, b);
  const double beta_mean = (a + crashes) / (a + b + crashes + misses);
  if (misses > 0 || w <= 0) {
    *rate = beta_mean;
    return log_beta_part;
  }
  const double log_det = std::log(w);
  const double top = std::max(log_det, log_beta_part);
  const double det = std::exp(log_det - top), rest = std::exp(log_beta_part - top);
  *rate = (det + rest * beta_mean) / (det + rest);
  return top + std::log(det + rest);
}

void BoundaryModel::recompute() {
  const std::size_t n = m_runs.size();
  long total_crashes = 0, total_misses = 0;
  for (std::size_t v = 0; v < n; ++v) {
    total_crashes += m_target[v];
    total_misses += m_runs[v] - m_target[v];
  }
  const double log_eps = std::log(m_prior.epsilon), log_keep = std::log1p(-m_prior.epsilon);
  std::vector<double> log_like(n, -std::numeric_limits<double>::infinity());
  long below_crashes = 0, below_misses = 0;
  double cached = 0;
  // b = 0: every version crashes (the change is not on this axis).
  for (std::size_t b = 0; b < n; ++b) {
    if (b > 0) {
      below_crashes += m_target[b - 1];
      below_misses += m_runs[b - 1] - m_target[b - 1];
    }
    if (b == 0 || m_runs[b - 1] > 0) {
      cached = log_marginal(int(total_crashes - below_crashes), int(total_misses - below_misses),
                            &m_rate[b]);
    } else {
      m_rate[b] = m_rate[b - 1];
    }
    log_like[b] = cached + below_crashes * log_eps + below_misses * log_keep;
  }
  const double top = *std::max_element(log_like.begin(), log_like.end());
  double sum = 0;
  for (std::size_t b = 0; b < n; ++b) sum += (m_posterior[b] = std::exp(log_like[b] - top));
  for (std::size_t b = 0; b < n; ++b) m_posterior[b] /= sum;
}

double BoundaryModel::crash_rate_at_or_below(std::size_t version) const {
  double mass = 0, rate = 0;
  for (std::size_t b = 0; b <= version && b < m_posterior.size(); ++b) {
    mass += m_posterior[b];
    rate += m_posterior[b] * m_rate[b];
  }
  return mass > 0 ? rate / mass : crash_rate();
}

double BoundaryModel::crash_rate() const {
  double rate = 0;
  for (std::size_t b = 0; b < m_posterior.size(); ++b) rate += m_posterior[b] * m_rate[b];
  return rate;
}

// For a run at v: a crash keeps b <= v weighted by p; a miss weights b <= v by
// 1 - p and keeps b > v. Expected posterior entropy from prefix sums, O(n).
std::vector<double> BoundaryModel::information_per_run() const {
  const std::size_t n = m_posterior.size();
  double entropy = 0, above_xlogx = 0;
  for (std::size_t b = 0; b < n; ++b) {
    entropy -= xlogx(m_posterior[b]);
    above_xlogx += xlogx(m_posterior[b]);
  }
  std::vector<double> gain(n, 0);
  double crash_mass = 0, crash_xlogx = 0, miss_mass = 0, miss_xlogx = 0, below_mass = 0;
  for (std::size_t v = 0; v < n; ++v) {
    const double pi = m_posterior[v], p = m_rate[v];
    crash_mass += pi * p;
    crash_xlogx += xlogx(pi * p);
    miss_mass += pi * (1 - p);
    miss_xlogx += xlogx(pi * (1 - p));
    below_mass += pi;
    above_xlogx -= xlogx(pi);
    const double miss_total = miss_mass + (1 - below_mass);
    const double expected =
        xlogx(crash_mass) - crash_xlogx + xlogx(miss_total) - (miss_xlogx + above_xlogx);
    if (!m_unbuildable[v]) gain[v] = std::max(0.0, entropy - expected);
  }
  return gain;
}

std::size_t BoundaryModel::group_first(std::size_t b) const {
  while (b > 1 && m_unbuildable[b - 1]) --b;
  return b;
}

std::size_t BoundaryModel::group_last(std::size_t b) const {
  while (b + 1 < m_runs.size() && m_unbuildable[b]) ++b;
  return b;
}

}  // namespace faultline::bisect
