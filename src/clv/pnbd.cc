// Pareto/NBD (Schmittlein, Morrison & Colombo 1987), as in Fader & Hardie's
// implementation note, with the hypergeometric term written as the integral it
// comes from: alive until tau in (t_x, T] with density mu e^-(mu tau), so
//   L = G(r+x) a^r b^s / G(r) [ (a+T)^-(r+x) (b+T)^-s
//                               + s * int_{t_x}^{T} (a+u)^-(r+x) (b+u)^-(s+1) du ].
// The gradient differentiates the bracket by hand and the integral I, whose
// derivatives in r and s have no closed form, by running its series on
// Dual<4> (hypergeometric_impl.h): exact derivatives of the terms summed.
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>

#include "clv/count_model.h"
#include "clv/dual.h"
#include "clv/hypergeometric.h"
#include "clv/hypergeometric_impl.h"

namespace custlake::clv {
namespace {

double LogPrefix(const CountParams& p, double x) {
  const auto [r, alpha, s, beta] = p;
  return std::lgamma(r + x) - std::lgamma(r) + r * std::log(alpha) + s * std::log(beta);
}

// The bracket's two terms: alive at T, and died in (t_x, T].
struct Bracket {
  double log_alive, log_died;
};

// ln(alpha+T) and ln(beta+T), recomputed only when T changes (rows are sorted by x, then T).
struct LogsAtT {
  double T = -1, alpha = 0, beta = 0;
  void Update(const CountParams& p, double new_T) {
    if (new_T == T) return;
    T = new_T;
    alpha = std::log(p[1] + T);
    beta = std::log(p[3] + T);
  }
};

Bracket LogBracket(const CountParams& p, double x, double t_x, const LogsAtT& at_T, double log_s) {
  const auto [r, alpha, s, beta] = p;
  const double T = at_T.T;
  const PowerBases logs = {std::log(alpha + t_x), std::log(beta + t_x), at_T.alpha, at_T.beta};
  return {-(r + x) * at_T.alpha - s * at_T.beta,
          log_s + LogPowerProductIntegral(r + x, s + 1, alpha, beta, t_x, T, logs)};
}

Bracket LogBracket(const CountParams& p, double x, double t_x, double T) {
  LogsAtT at_T;
  at_T.Update(p, T);
  return LogBracket(p, x, t_x, at_T, std::log(p[2]));
}

double CustomerLogLikelihood(const CountParams& p, double x, double t_x, double T) {
  const Bracket br = LogBracket(p, x, t_x, T);
  return LogPrefix(p, x) + LogAddExp(br.log_alive, br.log_died);
}

double LogLikelihood(const CountParams& p, const Triples& d) {
  double sum = 0, prefix = 0, prefix_x = -1;
  const double log_s = std::log(p[2]);
  LogsAtT at_T;
  for (size_t i = 0; i < d.size(); ++i) {
    if (d.x[i] != prefix_x) {
      prefix_x = d.x[i];
      prefix = LogPrefix(p, prefix_x);
    }
    at_T.Update(p, d.T[i]);
    const Bracket br = LogBracket(p, d.x[i], d.t_x[i], at_T, log_s);
    sum += d.count[i] * (prefix + LogAddExp(br.log_alive, br.log_died));
  }
  return sum;
}

// log I with its derivatives in (r, alpha, s, beta),
// I = int_{t_x}^{T} (alpha+u)^-(r+x) (beta+u)^-(s+1) du; -infinity (no derivatives) when t_x = T.
using D4 = Dual<4>;
D4 LogDiedIntegral(const CountParams& p, double x, double t_x, double T) {
  const auto [r, alpha, s, beta] = p;
  const D4 m = D4::Variable(r + x, 0), A = D4::Variable(alpha, 1), n = D4::Variable(s + 1, 2),
           B = D4::Variable(beta, 3);
  return detail::LogPowerProductIntegral<D4>(m, n, A, B, t_x, T, {log(A + t_x), log(B + t_x), log(A + T), log(B + T)});
}

// With w the weight of the "died in (t_x, T]" term of each customer's bracket:
//   d/dr     = psi(r+x) - psi(r) + ln alpha - (1-w) ln(alpha+T)     + w dlnI/dr
//   d/dalpha = r/alpha                 - (1-w) (r+x)/(alpha+T)        + w dlnI/dalpha
//   d/ds     = ln beta                 - (1-w) ln(beta+T)             + w (1/s + dlnI/ds)
//   d/dbeta  = s/beta                  - (1-w) s/(beta+T)             + w dlnI/dbeta
double LogLikelihoodGradient(const CountParams& p, const Triples& d, CountParams* g) {
  const auto [r, alpha, s, beta] = p;
  using boost::math::digamma;
  const double log_s = std::log(s), log_alpha = std::log(alpha), log_beta = std::log(beta), psi_r = digamma(r);
  double sum = 0, prefix = 0, prefix_x = -1, psi_rx = 0;
  *g = {0, 0, 0, 0};
  for (size_t i = 0; i < d.size(); ++i) {
    const double x = d.x[i], t_x = d.t_x[i], T = d.T[i], n = d.count[i];
    if (x != prefix_x) {
      prefix_x = x;
      prefix = LogPrefix(p, x);
      psi_rx = digamma(r + x);
    }
    const double log_aT = std::log(alpha + T), log_bT = std::log(beta + T);
    const D4 log_i = LogDiedIntegral(p, x, t_x, T);
    const double log_alive = -(r + x) * log_aT - s * log_bT, log_died = log_s + log_i.v;
    const double log_bracket = LogAddExp(log_alive, log_died);
    const double w = std::exp(log_died - log_bracket), alive = 1 - w;
    sum += n * (prefix + log_bracket);
    (*g)[0] += n * (psi_rx - psi_r + log_alpha - alive * log_aT + w * log_i.d[0]);
    (*g)[1] += n * (r / alpha - alive * (r + x) / (alpha + T) + w * log_i.d[1]);
    (*g)[2] += n * (log_beta - alive * log_bT + w * (1 / s + log_i.d[2]));
    (*g)[3] += n * (s / beta - alive * s / (beta + T) + w * log_i.d[3]);
  }
  return sum;
}

double PAlive(const CountParams& p, double x, double t_x, double T) {
  const Bracket br = LogBracket(p, x, t_x, T);
  return std::exp(br.log_alive - LogAddExp(br.log_alive, br.log_died));
}

// (1 - (B / (B + t))^(s-1)) / (s - 1), and its limit ln((B + t) / B) at s = 1.
double PowerGrowth(double s, double B, double t) {
  const double log_ratio = std::log1p(t / B);
  if (std::fabs(s - 1) < 1e-9) return log_ratio;
  return -std::expm1(-(s - 1) * log_ratio) / (s - 1);
}

double ExpectedNew(const CountParams& p, double t) {
  const auto [r, alpha, s, beta] = p;
  return r * beta / alpha * PowerGrowth(s, beta, t);
}

double Expected(const CountParams& p, double x, double t_x, double T, double t) {
  const auto [r, alpha, s, beta] = p;
  return (r + x) * (beta + T) / (alpha + T) * PowerGrowth(s, beta + T, t) * PAlive(p, x, t_x, T);
}

double PNoPurchase(const CountParams& p, double x, double t_x, double T, double t) {
  const auto [r, alpha, s, beta] = p;
  // Alive at T: lambda ~ Gamma(r+x, alpha+T), mu ~ Gamma(s, beta+T); a purchase
  // comes in the next t if the next one (at u) is before death:
  //   int_0^t E[lambda e^-(lambda+mu)u] du.
  const double log_buys = std::log(r + x) + (r + x) * std::log(alpha + T) + s * std::log(beta + T) +
                          LogPowerProductIntegral(r + x + 1, s, alpha + T, beta + T, 0, t);
  return 1 - PAlive(p, x, t_x, T) * std::exp(log_buys);
}

}  // namespace

const CountModel kPnbd = {"pnbd",
                          "Pareto/NBD",
                          {"r", "alpha", "s", "beta"},
                          LogLikelihood,
                          CustomerLogLikelihood,
                          ExpectedNew,
                          Expected,
                          PAlive,
                          PNoPurchase,
                          LogLikelihoodGradient};

}  // namespace custlake::clv
