#include "generate/distributions.h"

#include <algorithm>
#include <numbers>
#include <cmath>

namespace custlake::generate {

CategoricalTable::CategoricalTable(std::span<const double> weights) {
  double total = 0.0;
  for (double w : weights) total += w;
  // Largest-remainder rounding of weights to 1024 slots, every positive
  // weight keeping at least one slot when it can.
  double cum = 0.0;
  int filled = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    cum += weights[i];
    int end = static_cast<int>(std::lround(cum / total * 1024.0));
    if (weights[i] > 0 && end <= filled && filled < 1024) end = filled + 1;
    end = std::min(end, 1024);
    for (; filled < end; ++filled) slots_[filled] = static_cast<uint16_t>(i);
  }
  for (; filled < 1024; ++filled) slots_[filled] = static_cast<uint16_t>(weights.size() - 1);
}

double NormalQuantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p > 1 - 0.02425) {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // One Halley refinement step.
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

}  // namespace custlake::generate
