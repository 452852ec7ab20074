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
    if (term == 0 || (std::fabs(term) <= 1e-17 * std::fabs(sum) && TailShrinks(a, b, c, z, n + 1))) {
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

double LogHyp2F1(double a, double b, double c, double z) {
  if (!(z >= 0 && z < 1) || !(c > 0)) return kNaN;
  if (z == 0) return 0;
  if (std::fabs((c - a) * (c - b)) < std::fabs(a * b)) {
    return (c - a - b) * std::log1p(-z) + LogSeries(c - a, c - b, c, z);
  }
  return LogSeries(a, b, c, z);
}

double LogPowerProductIntegral(double m, double n, double A, double B, double lo, double hi) {
  if (lo == hi) return -std::numeric_limits<double>::infinity();
  if (A < B) {
    std::swap(m, n);
    std::swap(A, B);
  }
  // An antiderivative: -(A+u)^-(M-1) 2F1(M-1, n; M; (A-B)/(A+u)) / (M-1), M = m + n.
  const double k = m + n - 1;
  auto log_g = [&](double u) { return -k * std::log(A + u) + LogHyp2F1(k, n, k + 1, (A - B) / (A + u)); };
  return LogSubExp(log_g(lo), log_g(hi)) - std::log(k);
}

}  // namespace custlake::clv
