// MBG/NBD (Batislam, Denizel & Filiztekin 2007): BG/NBD where a customer may
// also drop out right after the first purchase, so P(alive) < 1 even when x = 0.
#include <algorithm>
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>

#include "clv/count_model.h"
#include "clv/hypergeometric.h"

namespace custlake::clv {
namespace {

// ln G(r+x) - ln G(r) + r ln alpha + ln B(a, b+x+1) - ln B(a, b).
double XTerms(const CountParams& p, double x) {
  const auto [r, alpha, a, b] = p;
  return std::lgamma(r + x) - std::lgamma(r) + r * std::log(alpha) + std::lgamma(a + b) +
         std::lgamma(b + x + 1) - std::lgamma(b) - std::lgamma(a + b + x + 1);
}

double Rest(const CountParams& p, double x, double t_x, double T) {
  const auto [r, alpha, a, b] = p;
  const double log_odds = std::log(a) - std::log(b + x) + (r + x) * std::log((alpha + T) / (alpha + t_x));
  return -(r + x) * std::log(alpha + T) + LogAddExp(0, log_odds);
}

// The gradient, with w = e^A4 / (1 + e^A4) the weight of the "dropped out at t_x" term:
//   d/dr     = psi(r+x) - psi(r) + ln alpha - ln(alpha+T) + w (ln(alpha+T) - ln(alpha+t_x))
//   d/dalpha = r/alpha - (r+x)/(alpha+T) + w (r+x) (1/(alpha+T) - 1/(alpha+t_x))
//   d/da     = psi(a+b) - psi(a+b+x+1) + w/a
//   d/db     = psi(a+b) + psi(b+x+1) - psi(b) - psi(a+b+x+1) - w/(b+x)
double LogLikelihoodGradient(const CountParams& p, const Triples& d, CountParams* g) {
  const auto [r, alpha, a, b] = p;
  using boost::math::digamma;
  double sum = 0, terms = 0, terms_x = -1, d_r = 0, d_a = 0, d_b = 0;
  *g = {0, 0, 0, 0};
  for (size_t i = 0; i < d.size(); ++i) {
    const double x = d.x[i], n = d.count[i];
    if (x != terms_x) {
      terms_x = x;
      terms = XTerms(p, x);
      d_r = digamma(r + x) - digamma(r) + std::log(alpha);
      d_a = digamma(a + b) - digamma(a + b + x + 1);
      d_b = digamma(a + b) + digamma(b + x + 1) - digamma(b) - digamma(a + b + x + 1);
    }
    const double log_T = std::log(alpha + d.T[i]), log_tx = std::log(alpha + d.t_x[i]);
    const double a4 = std::log(a) - std::log(b + x) + (r + x) * (log_T - log_tx);
    const double e = std::exp(-std::fabs(a4)), w = a4 > 0 ? 1 / (1 + e) : e / (1 + e);
    sum += n * (terms - (r + x) * log_T + std::max(a4, 0.0) + std::log1p(e));
    (*g)[0] += n * (d_r - log_T + w * (log_T - log_tx));
    (*g)[1] += n * (r / alpha - (r + x) / (alpha + d.T[i]) +
                    w * (r + x) * (1 / (alpha + d.T[i]) - 1 / (alpha + d.t_x[i])));
    (*g)[2] += n * (d_a + w / a);
    (*g)[3] += n * (d_b - w / (b + x));
  }
  return sum;
}

double LogLikelihood(const CountParams& p, const Triples& d) {
  double sum = 0, terms = 0, terms_x = -1;
  for (size_t i = 0; i < d.size(); ++i) {
    if (d.x[i] != terms_x) {
      terms_x = d.x[i];
      terms = XTerms(p, terms_x);
    }
    sum += d.count[i] * (terms + Rest(p, d.x[i], d.t_x[i], d.T[i]));
  }
  return sum;
}

double CustomerLogLikelihood(const CountParams& p, double x, double t_x, double T) {
  return XTerms(p, x) + Rest(p, x, t_x, T);
}

double ExpectedNew(const CountParams& p, double t) {
  const auto [r, alpha, a, b] = p;
  const double log_h = LogHyp2F1(r, b + 1, a + b, t / (alpha + t)) + r * std::log(alpha / (alpha + t));
  return b / (a - 1) * -std::expm1(log_h);
}

double PAlive(const CountParams& p, double x, double t_x, double T) {
  const auto [r, alpha, a, b] = p;
  const double log_odds = std::log(a) - std::log(b + x) + (r + x) * std::log((alpha + T) / (alpha + t_x));
  return 1 / (1 + std::exp(log_odds));
}

double Expected(const CountParams& p, double x, double t_x, double T, double t) {
  const auto [r, alpha, a, b] = p;
  const double z = t / (alpha + T + t);
  const double log_h =
      LogHyp2F1(r + x, b + x + 1, a + b + x, z) + (r + x) * std::log((alpha + T) / (alpha + T + t));
  return (a + b + x) / (a - 1) * -std::expm1(log_h) * PAlive(p, x, t_x, T);
}

double PNoPurchase(const CountParams& p, double x, double t_x, double T, double t) {
  const auto [r, alpha, a, b] = p;
  const double buys_if_alive = -std::expm1((r + x) * std::log((alpha + T) / (alpha + T + t)));
  return 1 - PAlive(p, x, t_x, T) * buys_if_alive;
}

}  // namespace

const CountModel kMbgnbd = {"mbgnbd",
                            "MBG/NBD",
                            {"r", "alpha", "a", "b"},
                            LogLikelihood,
                            CustomerLogLikelihood,
                            ExpectedNew,
                            Expected,
                            PAlive,
                            PNoPurchase,
                            LogLikelihoodGradient};

}  // namespace custlake::clv
