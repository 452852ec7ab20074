#include "clv/hypergeometric.h"

#include <cmath>
#include <limits>
#include <utility>

namespace custlake::clv {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxTerms = 1000000;
constexpr double kRescale = 1e250;

// True when every later term ratio is at most z: then the tail after a term t
// is below t z / (1 - z).
bool TailShrinks(double a, double b, double c, double z, int n) {
  const double an = std::fabs(a + n), bn = std::fabs(b + n);
  return (an <= n + 1 && bn <= c + n) || (bn <= n + 1 && an <= c + n) ||
         n + 1 >= (std::fabs(a) + std::fabs(b) + c) / (1 - z);
}

// log of sum_n (a)_n (b)_n / ((c)_n n!) z^n; NaN if it is not positive or does
// not converge. Terms and sum are rescaled together when they grow large.
double LogSeries(double a, double b, double c, double z) {
  double term = 1, sum = 1, log_scale = 0;
  for (int n = 0; n < kMaxTerms; ++n) {
    const double ratio = (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
    term *= ratio;
    sum += term;
    if (term == 0 || (std::fabs(term) <= 1.2e-16 * std::fabs(sum) && TailShrinks(a, b, c, z, n + 1))) {
      return sum > 0 ? std::log(sum) + log_scale : kNaN;
    }
    if (std::fabs(sum) > kRescale) {
      sum /= kRescale;
      term /= kRescale;
      log_scale += std::log(kRescale);
    }
  }
  return kNaN;
}

}  // namespace

double LogAddExp(double a, double b) {
  if (a < b) std::swap(a, b);
  if (b == -std::numeric_limits<double>::infinity()) return a;
  return a + std::log1p(std::exp(b - a));
}

double LogSubExp(double a, double b) {
  if (b == -std::numeric_limits<double>::infinity()) return a;
  if (b >= a) return b == a ? -std::numeric_limits<double>::infinity() : kNaN;
  return a + std::log1p(-std::exp(b - a));
}

namespace {

// log 2F1(a, b; c; z) given log(1 - z).
double LogHyp2F1WithLog1mz(double a, double b, double c, double z, double log1mz) {
  if (!(z >= 0 && z < 1) || !(c > 0)) return kNaN;
  if (z == 0) return 0;
  if (std::fabs((c - a) * (c - b)) < std::fabs(a * b))
    return (c - a - b) * log1mz + LogSeries(c - a, c - b, c, z);
  return LogSeries(a, b, c, z);
}

}  // namespace

double LogHyp2F1(double a, double b, double c, double z) {
  return LogHyp2F1WithLog1mz(a, b, c, z, std::log1p(-z));
}

double LogPowerProductIntegral(double m, double n, double A, double B, double lo, double hi) {
  if (lo == hi) return -std::numeric_limits<double>::infinity();
  return LogPowerProductIntegral(m, n, A, B, lo, hi,
                                 {std::log(A + lo), std::log(B + lo), std::log(A + hi), std::log(B + hi)});
}

double LogPowerProductIntegral(double m, double n, double A, double B, double lo, double hi,
                               const PowerBases& logs) {
  if (lo == hi) return -std::numeric_limits<double>::infinity();
  double log_big_lo = logs.log_a_lo, log_small_lo = logs.log_b_lo, log_big_hi = logs.log_a_hi,
         log_small_hi = logs.log_b_hi;
  if (A < B) {
    std::swap(m, n);
    std::swap(A, B);
    std::swap(log_big_lo, log_small_lo);
    std::swap(log_big_hi, log_small_hi);
  }
  // An antiderivative: -(A+u)^-(M-1) 2F1(M-1, n; M; (A-B)/(A+u)) / (M-1), M = m + n,
  // where 1 - (A-B)/(A+u) = (B+u)/(A+u).
  const double k = m + n - 1;
  auto log_g = [&](double u, double log_big, double log_small) {
    return -k * log_big + LogHyp2F1WithLog1mz(k, n, k + 1, (A - B) / (A + u), log_small - log_big);
  };
  return LogSubExp(log_g(lo, log_big_lo, log_small_lo), log_g(hi, log_big_hi, log_small_hi)) - std::log(k);
}

}  // namespace custlake::clv
