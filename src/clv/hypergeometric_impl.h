// The hypergeometric series and the power-product integral of
// hypergeometric.h as templates over the scalar: double for values, Dual<N>
// (dual.h) for values with exact derivatives in their parameters (the
// Pareto/NBD gradient). Control flow reads the values only, so both follow the
// same terms. Include only where the derivatives are needed; hypergeometric.cc
// instantiates the double versions behind hypergeometric.h.
#pragma once

#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include "clv/dual.h"

namespace custlake::clv::detail {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kMinusInf = -std::numeric_limits<double>::infinity();
inline constexpr int kMaxTerms = 1000000;
inline constexpr double kRescale = 1e250;

// True when every later term ratio is at most z: then the tail after a term t
// is below t z / (1 - z).
inline bool TailShrinks(double a, double b, double c, double z, int n) {
  const double an = std::fabs(a + n), bn = std::fabs(b + n);
  return (an <= n + 1 && bn <= c + n) || (bn <= n + 1 && an <= c + n) ||
         n + 1 >= (std::fabs(a) + std::fabs(b) + c) / (1 - z);
}

// log of sum_n (a)_n (b)_n / ((c)_n n!) z^n; NaN if it is not positive or does
// not converge. Terms and sum are rescaled together when they grow large.
template <typename S>
S LogSeries(const S& a, const S& b, const S& c, const S& z) {
  using std::log;
  S term = 1, sum = 1;
  double log_scale = 0;
  for (int n = 0; n < kMaxTerms; ++n) {
    term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
    sum += term;
    const double t = Value(term), s = Value(sum);
    if (t == 0 || (std::fabs(t) <= 1.2e-16 * std::fabs(s) && TailShrinks(Value(a), Value(b), Value(c), Value(z), n + 1))) {
      return s > 0 ? log(sum) + log_scale : S(kNaN);
    }
    if (std::fabs(s) > kRescale) {
      sum *= 1 / kRescale;
      term *= 1 / kRescale;
      log_scale += std::log(kRescale);
    }
  }
  return S(kNaN);
}

// The same with derivatives. ln t_n = sum_{i<n} [ln(a+i) + ln(b+i) - ln(c+i) - ln(i+1)] + n ln z, so
//   d sum = da sum_n t_n H_a(n) + db sum_n t_n H_b(n) - dc sum_n t_n H_c(n) + (dz/z) sum_n n t_n,
// H_a(n) = sum_{i<n} 1/(a+i): four running sums per term, whatever the directions N.
template <int N>
Dual<N> LogSeries(const Dual<N>& a, const Dual<N>& b, const Dual<N>& c, const Dual<N>& z) {
  double term = 1, sum = 1, log_scale = 0;
  double h_a = 0, h_b = 0, h_c = 0;              // H_a(n), H_b(n), H_c(n)
  double s_a = 0, s_b = 0, s_c = 0, s_n = 0;     // sum_n t_n H_a(n), ..., sum_n n t_n
  for (int n = 0; n < kMaxTerms; ++n) {
    const double an = a.v + n, bn = b.v + n, cn = c.v + n;
    const double inv = 1 / (an * bn * cn);
    h_a += bn * cn * inv;
    h_b += an * cn * inv;
    h_c += an * bn * inv;
    term *= an * bn * (an * bn * inv) / (n + 1.0) * z.v;
    sum += term;
    s_a += term * h_a;
    s_b += term * h_b;
    s_c += term * h_c;
    s_n += term * (n + 1);
    if (term == 0 || (std::fabs(term) <= 1.2e-16 * std::fabs(sum) && TailShrinks(a.v, b.v, c.v, z.v, n + 1))) {
      if (!(sum > 0)) return Dual<N>(kNaN);
      Dual<N> out(std::log(sum) + log_scale);
      for (int i = 0; i < N; ++i) {
        out.d[i] = (a.d[i] * s_a + b.d[i] * s_b - c.d[i] * s_c + z.d[i] / z.v * s_n) / sum;
      }
      return out;
    }
    if (std::fabs(sum) > kRescale) {
      sum /= kRescale;
      term /= kRescale;
      s_a /= kRescale;
      s_b /= kRescale;
      s_c /= kRescale;
      s_n /= kRescale;
      log_scale += std::log(kRescale);
    }
  }
  return Dual<N>(kNaN);
}

template <typename S>
S LogAddExp(S a, S b) {
  using std::exp, std::log1p;
  if (Value(a) < Value(b)) std::swap(a, b);
  if (Value(b) == kMinusInf) return a;
  return a + log1p(exp(b - a));
}

template <typename S>
S LogSubExp(const S& a, const S& b) {
  using std::exp, std::log1p;
  if (Value(b) == kMinusInf) return a;
  if (Value(b) >= Value(a)) return S(Value(b) == Value(a) ? kMinusInf : kNaN);
  return a + log1p(-exp(b - a));
}

// log 2F1(a, b; c; z) given log(1 - z).
template <typename S>
S LogHyp2F1WithLog1mz(const S& a, const S& b, const S& c, const S& z, const S& log1mz) {
  if (!(Value(z) >= 0 && Value(z) < 1) || !(Value(c) > 0)) return S(kNaN);
  if (Value(z) == 0) return z * (Value(a) * Value(b) / Value(c));  // 0, with d/dz = ab/c
  if (std::fabs((Value(c) - Value(a)) * (Value(c) - Value(b))) < std::fabs(Value(a) * Value(b)))
    return (c - a - b) * log1mz + LogSeries(c - a, c - b, c, z);
  return LogSeries(a, b, c, z);
}

/// ln(A+lo), ln(B+lo), ln(A+hi), ln(B+hi).
template <typename S>
struct Bases {
  S log_a_lo, log_b_lo, log_a_hi, log_b_hi;
};

// log of int_lo^hi (A+u)^-m (B+u)^-n du (hypergeometric.h).
template <typename S>
S LogPowerProductIntegral(S m, S n, S A, S B, double lo, double hi, Bases<S> logs) {
  using std::log;
  if (lo == hi) return S(kMinusInf);
  if (Value(A) < Value(B)) {
    std::swap(m, n);
    std::swap(A, B);
    std::swap(logs.log_a_lo, logs.log_b_lo);
    std::swap(logs.log_a_hi, logs.log_b_hi);
  }
  // An antiderivative: -(A+u)^-(M-1) 2F1(M-1, n; M; (A-B)/(A+u)) / (M-1), M = m + n,
  // where 1 - (A-B)/(A+u) = (B+u)/(A+u).
  const S k = m + n - 1;
  auto log_g = [&](double u, const S& log_big, const S& log_small) {
    return -k * log_big + LogHyp2F1WithLog1mz(k, n, k + 1, (A - B) / (A + u), log_small - log_big);
  };
  return LogSubExp(log_g(lo, logs.log_a_lo, logs.log_b_lo), log_g(hi, logs.log_a_hi, logs.log_b_hi)) - log(k);
}

}  // namespace custlake::clv::detail
