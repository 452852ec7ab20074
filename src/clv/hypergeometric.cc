#include "clv/hypergeometric.h"

#include <cmath>

#include "clv/hypergeometric_impl.h"

namespace custlake::clv {

double LogAddExp(double a, double b) { return detail::LogAddExp(a, b); }

double LogSubExp(double a, double b) { return detail::LogSubExp(a, b); }

double LogHyp2F1(double a, double b, double c, double z) {
  return detail::LogHyp2F1WithLog1mz(a, b, c, z, std::log1p(-z));
}

double LogPowerProductIntegral(double m, double n, double A, double B, double lo, double hi) {
  if (lo == hi) return detail::kMinusInf;
  return LogPowerProductIntegral(m, n, A, B, lo, hi,
                                 {std::log(A + lo), std::log(B + lo), std::log(A + hi), std::log(B + hi)});
}

double LogPowerProductIntegral(double m, double n, double A, double B, double lo, double hi,
                               const PowerBases& logs) {
  return detail::LogPowerProductIntegral<double>(m, n, A, B, lo, hi,
                                                 {logs.log_a_lo, logs.log_b_lo, logs.log_a_hi, logs.log_b_hi});
}

}  // namespace custlake::clv
