// MBG/NBD (Batislam, Denizel & Filiztekin 2007): BG/NBD where a customer may
// also drop out right after the first purchase, so P(alive) < 1 even when x = 0.
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
                            nullptr};

}  // namespace custlake::clv
