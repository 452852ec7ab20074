// BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way").
#include <algorithm>
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>

#include "clv/count_model.h"
#include "clv/hypergeometric.h"

namespace custlake::clv {
namespace {

// The per-x parts of log L: ln G(r+x) - ln G(r) + r ln alpha + ln B(a, b+x) - ln B(a, b),
// and ln a - ln(b+x-1) of the "dropped out at t_x" term.
struct XTerms {
  double x = -1, value = 0, log_drop = 0;
  void Update(const CountParams& p, double new_x) {
    if (new_x == x) return;
    const auto [r, alpha, a, b] = p;
    x = new_x;
    value = std::lgamma(r + x) - std::lgamma(r) + r * std::log(alpha) + std::lgamma(a + b) +
            std::lgamma(b + x) - std::lgamma(b) - std::lgamma(a + b + x);
    log_drop = x > 0 ? std::log(a) - std::log(b + x - 1) : 0;
  }
};

// ln(alpha + T), recomputed only when T changes (rows are sorted by x, then T).
struct LogAlphaPlus {
  double at = -1, value = 0;
  double operator()(double alpha, double T) {
    if (T != at) {
      at = T;
      value = std::log(alpha + T);
    }
    return value;
  }
};

// The rest of one row's log L and w, the weight of its "dropped out at t_x" term.
struct Rest {
  double value, w;
};

Rest RestOfLogLikelihood(const CountParams& p, const XTerms& xt, double log_T, double t_x) {
  const double r = p[0], x = xt.x, at_T = -(r + x) * log_T;
  if (x == 0) return {at_T, 0};
  const double at_tx = xt.log_drop - (r + x) * std::log(p[1] + t_x);
  const double d = at_tx - at_T, e = std::exp(-std::fabs(d));
  return {std::max(at_T, at_tx) + std::log1p(e), d > 0 ? 1 / (1 + e) : e / (1 + e)};
}

double LogLikelihood(const CountParams& p, const Triples& d) {
  XTerms terms;
  LogAlphaPlus log_T;
  double sum = 0;
  for (size_t i = 0; i < d.size(); ++i) {
    terms.Update(p, d.x[i]);
    sum += d.count[i] * (terms.value + RestOfLogLikelihood(p, terms, log_T(p[1], d.T[i]), d.t_x[i]).value);
  }
  return sum;
}

double CustomerLogLikelihood(const CountParams& p, double x, double t_x, double T) {
  XTerms terms;
  terms.Update(p, x);
  return terms.value + RestOfLogLikelihood(p, terms, std::log(p[1] + T), t_x).value;
}

// The gradient: with w the weight of the "dropped out at t_x" term of each
// customer's likelihood (0 when x = 0),
//   d/dr     = psi(r+x) - psi(r) + ln alpha - (1-w) ln(alpha+T) - w ln(alpha+t_x)
//   d/dalpha = r/alpha - (r+x) ((1-w)/(alpha+T) + w/(alpha+t_x))
//   d/da     = psi(a+b) - psi(a+b+x) + w/a
//   d/db     = psi(a+b) + psi(b+x) - psi(b) - psi(a+b+x) - w/(b+x-1)
struct XGradient {
  double x = -1, d_r = 0, d_a = 0, d_b = 0;
  void Update(const CountParams& p, double new_x) {
    if (new_x == x) return;
    const auto [r, alpha, a, b] = p;
    x = new_x;
    using boost::math::digamma;
    d_r = digamma(r + x) - digamma(r) + std::log(alpha);
    d_a = digamma(a + b) - digamma(a + b + x);
    d_b = digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x);
  }
};

double LogLikelihoodGradient(const CountParams& p, const Triples& d, CountParams* g) {
  const auto [r, alpha, a, b] = p;
  XTerms terms;
  XGradient xg;
  LogAlphaPlus log_alpha_T;
  double sum = 0;
  *g = {0, 0, 0, 0};
  for (size_t i = 0; i < d.size(); ++i) {
    const double x = d.x[i], n = d.count[i];
    terms.Update(p, x);
    xg.Update(p, x);
    const double log_T = log_alpha_T(alpha, d.T[i]);
    const Rest rest = RestOfLogLikelihood(p, terms, log_T, d.t_x[i]);
    const double w = rest.w, log_tx = x > 0 ? std::log(alpha + d.t_x[i]) : 0;
    sum += n * (terms.value + rest.value);
    (*g)[0] += n * (xg.d_r - (1 - w) * log_T - w * log_tx);
    (*g)[1] += n * (r / alpha - (r + x) * ((1 - w) / (alpha + d.T[i]) + w / (alpha + d.t_x[i])));
    (*g)[2] += n * (xg.d_a + w / a);
    (*g)[3] += n * (xg.d_b - (x > 0 ? w / (b + x - 1) : 0));
  }
  return sum;
}

double ExpectedNew(const CountParams& p, double t) {
  const auto [r, alpha, a, b] = p;
  const double log_h = LogHyp2F1(r, b, a + b - 1, t / (alpha + t)) + r * std::log(alpha / (alpha + t));
  return (a + b - 1) / (a - 1) * -std::expm1(log_h);
}

double PAlive(const CountParams& p, double x, double t_x, double T) {
  if (x == 0) return 1;
  const auto [r, alpha, a, b] = p;
  const double log_odds = std::log(a) - std::log(b + x - 1) + (r + x) * std::log((alpha + T) / (alpha + t_x));
  return 1 / (1 + std::exp(log_odds));
}

double Expected(const CountParams& p, double x, double t_x, double T, double t) {
  const auto [r, alpha, a, b] = p;
  const double z = t / (alpha + T + t);
  const double log_h =
      LogHyp2F1(r + x, b + x, a + b + x - 1, z) + (r + x) * std::log((alpha + T) / (alpha + T + t));
  const double if_alive = (a + b + x - 1) / (a - 1) * -std::expm1(log_h);
  // The conditional expectation's denominator is 1 / P(alive).
  return if_alive * PAlive(p, x, t_x, T);
}

double PNoPurchase(const CountParams& p, double x, double t_x, double T, double t) {
  const auto [r, alpha, a, b] = p;
  // Alive, the next t has no purchase with probability E[exp(-lambda t)].
  const double buys_if_alive = -std::expm1((r + x) * std::log((alpha + T) / (alpha + T + t)));
  return 1 - PAlive(p, x, t_x, T) * buys_if_alive;
}

}  // namespace

namespace bgnbd {

double ProbabilityOfCount(const CountParams& p, double t, int n) {
  const auto [r, alpha, a, b] = p;
  const double log_beta_ab = std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  const double log_p0 = r * std::log(alpha / (alpha + t));  // ln (alpha/(alpha+t))^r
  const double log_q = std::log(t / (alpha + t));
  auto log_nb = [&](int j) {  // ln [G(r+j) / (G(r) j!)] + r ln(alpha/(alpha+t)) + j ln(t/(alpha+t))
    return std::lgamma(r + j) - std::lgamma(r) - std::lgamma(j + 1.0) + log_p0 + j * log_q;
  };
  const double first =
      std::exp(std::lgamma(a) + std::lgamma(b + n) - std::lgamma(a + b + n) - log_beta_ab + log_nb(n));
  if (n == 0) return first;
  double cdf = 0;
  for (int j = 0; j < n; ++j) cdf += std::exp(log_nb(j));
  const double weight =
      std::exp(std::lgamma(a + 1) + std::lgamma(b + n - 1) - std::lgamma(a + b + n) - log_beta_ab);
  return first + weight * (1 - cdf);
}

}  // namespace bgnbd

const CountModel kBgnbd = {"bgnbd",
                           "BG/NBD",
                           {"r", "alpha", "a", "b"},
                           LogLikelihood,
                           CustomerLogLikelihood,
                           ExpectedNew,
                           Expected,
                           PAlive,
                           PNoPurchase,
                           LogLikelihoodGradient};

}  // namespace custlake::clv
