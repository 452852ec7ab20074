// Gauss's hypergeometric function and the integrals the models need, in log
// space so that customers with hundreds of transactions do not overflow.
//
// The series are summed after Euler's transformation
//   2F1(a, b; c; z) = (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z)
// whenever that makes the terms smaller: for the Pareto/NBD likelihood
// (c = a + 1) every term is then positive and decreasing, so the sum
// converges at least as fast as z^n with no cancellation. Both functions
// return NaN (never a wrong finite number) when a series does not converge.
#pragma once

namespace custlake::clv {

/// log 2F1(a, b; c; z) for 0 <= z < 1, c > 0. NaN if the value is not positive
/// or the series has not converged after 10^6 terms.
double LogHyp2F1(double a, double b, double c, double z);

/// log of the integral over [lo, hi] of (A + u)^-m (B + u)^-n du, for m, n > 0,
/// m + n > 1, A, B > 0 and 0 <= lo <= hi; -infinity when lo == hi.
double LogPowerProductIntegral(double m, double n, double A, double B, double lo, double hi);

/// The same with the caller's logs of the four bases (ln(A+lo), ln(B+lo),
/// ln(A+hi), ln(B+hi)), so a likelihood loop can share them between terms.
struct PowerBases {
  double log_a_lo, log_b_lo, log_a_hi, log_b_hi;
};
double LogPowerProductIntegral(double m, double n, double A, double B, double lo, double hi,
                               const PowerBases& logs);

/// log(e^a + e^b) and log(e^a - e^b) (a >= b) without overflow.
double LogAddExp(double a, double b);
double LogSubExp(double a, double b);

}  // namespace custlake::clv
