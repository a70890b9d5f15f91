// bisect/boundary_model.h — the posterior over where a change lies on one axis.
// Owns the statistics: per-version evidence, the likelihood of each boundary
// with the crash rate p integrated out, and the expected information of a run.
// It chooses nothing and runs nothing; bisect/search.h drives it.
//
// Model: versions are 0..n-1 and the boundary b is in 0..n-1 (uniform prior);
// b = 0 means every version crashes: the cause is not on this axis.
// A run at a version v >= b shows the target with unknown probability p, whose
// prior is a mixture of a point mass at p = 1 (deterministic crashes) and a
// Beta(alpha, beta); a run at v < b shows it with a tiny probability epsilon.
#pragma once

#include <cstddef>
#include <vector>

namespace faultline::bisect {

struct ModelPrior {
  double deterministic_weight = 0.5;  // prior mass of p = 1
  double alpha = 1;                   // Beta(alpha, beta) for the rest
  double beta = 1;
  double epsilon = 1e-4;  // chance a run before the boundary shows the target
};

class BoundaryModel {
 public:
  BoundaryModel(std::size_t n, ModelPrior prior);

  void add(std::size_t version, int runs, int target);
  void mark_unbuildable(std::size_t version);

  std::size_t size() const { return m_runs.size(); }
  bool unbuildable(std::size_t version) const { return m_unbuildable[version]; }
  int runs_at(std::size_t version) const { return m_runs[version]; }
  int target_at(std::size_t version) const { return m_target[version]; }

  // Posterior P(boundary = b) for b in 0..n-1 (entry 0: every version crashes).
  const std::vector<double>& posterior() const { return m_posterior; }
  // Posterior mean of p given the boundary is at or below `version`.
  double crash_rate_at_or_below(std::size_t version) const;
  // Posterior mean of p over all boundaries.
  double crash_rate() const;
  // Expected entropy reduction (nats) of the boundary posterior from one run at
  // each version (0 for unbuildable versions).
  std::vector<double> information_per_run() const;

  // Boundaries b and b+1 cannot be told apart when version b never builds:
  // the first boundary of the group containing `b`, and its last.
  std::size_t group_first(std::size_t b) const;
  std::size_t group_last(std::size_t b) const;

 private:
  void recompute();
  double log_marginal(int crashes, int misses, double* rate) const;

  ModelPrior m_prior;
  std::vector<int> m_runs, m_target;
  std::vector<bool> m_unbuildable;
  std::vector<double> m_posterior;  // P(b)
  std::vector<double> m_rate;       // E[p | b]
};

}  // namespace faultline::bisect
