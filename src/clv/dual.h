// Forward-mode derivatives: a value with its partial derivatives in N
// directions, carried exactly through arithmetic, log, exp and log1p. The
// Pareto/NBD gradient runs the hypergeometric series (hypergeometric_impl.h)
// on Dual<4> to get the derivatives of its integral in r, alpha, s and beta,
// which have no closed form. Control flow (comparisons, convergence tests)
// reads the values only: Value() and Scalar().
#pragma once

#include <array>
#include <cmath>

namespace custlake::clv {

template <int N>
struct Dual {
  double v = 0;
  std::array<double, N> d{};

  Dual() = default;
  Dual(double value) : v(value) {}  // NOLINT: a constant (no derivatives)
  static Dual Variable(double value, int direction) {
    Dual x(value);
    x.d[direction] = 1;
    return x;
  }
  /// f(x) from f(v) and f'(v): the chain rule.
  Dual Chain(double f, double df) const {
    Dual out(f);
    for (int i = 0; i < N; ++i) out.d[i] = df * d[i];
    return out;
  }
  Dual& operator+=(const Dual& o) {
    v += o.v;
    for (int i = 0; i < N; ++i) d[i] += o.d[i];
    return *this;
  }
  Dual& operator*=(const Dual& o) {
    for (int i = 0; i < N; ++i) d[i] = d[i] * o.v + v * o.d[i];
    v *= o.v;
    return *this;
  }
  Dual& operator/=(const Dual& o) {
    const double inv = 1 / o.v;
    v *= inv;
    for (int i = 0; i < N; ++i) d[i] = (d[i] - v * o.d[i]) * inv;
    return *this;
  }
  Dual& operator*=(double k) {
    v *= k;
    for (double& x : d) x *= k;
    return *this;
  }
  Dual operator-() const { return Chain(-v, -1); }
};

template <int N> Dual<N> operator+(Dual<N> a, const Dual<N>& b) { return a += b; }
template <int N> Dual<N> operator-(Dual<N> a, const Dual<N>& b) { return a += -b; }
template <int N> Dual<N> operator*(Dual<N> a, const Dual<N>& b) { return a *= b; }
template <int N> Dual<N> operator/(Dual<N> a, const Dual<N>& b) { return a /= b; }
template <int N> Dual<N> operator+(Dual<N> a, double b) { a.v += b; return a; }
template <int N> Dual<N> operator-(Dual<N> a, double b) { a.v -= b; return a; }
template <int N> Dual<N> operator-(double a, const Dual<N>& b) { return -b + a; }
template <int N> Dual<N> operator*(Dual<N> a, double b) { return a *= b; }
template <int N> Dual<N> operator*(double a, Dual<N> b) { return b *= a; }
template <int N> Dual<N> operator/(Dual<N> a, double b) { return a *= 1 / b; }

template <int N> Dual<N> log(const Dual<N>& x) { return x.Chain(std::log(x.v), 1 / x.v); }
template <int N> Dual<N> log1p(const Dual<N>& x) { return x.Chain(std::log1p(x.v), 1 / (1 + x.v)); }
template <int N> Dual<N> exp(const Dual<N>& x) {
  const double e = std::exp(x.v);
  return x.Chain(e, e);
}

inline double Value(double x) { return x; }
template <int N> double Value(const Dual<N>& x) { return x.v; }

}  // namespace custlake::clv
