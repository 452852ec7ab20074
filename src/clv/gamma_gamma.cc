// Gamma-Gamma spend model (Fader & Hardie, "The Gamma-Gamma model of monetary
// value", note 025): a customer's mean spend m over x transactions given
// p, q, gamma.
#include <cmath>

#include "clv/count_model.h"

namespace custlake::clv::gamma_gamma {

double LogLikelihood(const SpendParams& params, const SpendPairs& d) {
  const auto [p, q, gamma] = params;
  const double fixed = -std::lgamma(q) + q * std::log(gamma);
  double sum = 0;
  for (size_t i = 0; i < d.size(); ++i) {
    const double px = p * d.x[i];
    const double ll = std::lgamma(px + q) - std::lgamma(px) + fixed + (px - 1) * std::log(d.m[i]) +
                      px * std::log(d.x[i]) - (px + q) * std::log(gamma + d.m[i] * d.x[i]);
    sum += d.count[i] * ll;
  }
  return sum;
}

double ExpectedSpend(const SpendParams& params, double x, double m) {
  const auto [p, q, gamma] = params;
  return p * (gamma + x * m) / (p * x + q - 1);
}

}  // namespace custlake::clv::gamma_gamma
