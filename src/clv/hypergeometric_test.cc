#include "clv/hypergeometric.h"

#include <gtest/gtest.h>

// Boost 1.74 declares lgamma and expm1 for pFq but needs their definitions included.
#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <cmath>

namespace custlake::clv {
namespace {

double BoostLog2F1(double a, double b, double c, double z) {
  return std::log(boost::math::hypergeometric_pFq({a, b}, {c}, z));
}

TEST(Hypergeometric, MatchesBoostOnTheModelsRanges) {
  // (a, b, c, z) as BG/NBD predictions and the Pareto/NBD likelihood use them.
  const double cases[][4] = {{0.24, 2.43, 2.22, 0.92}, {26.24, 28.4, 28.2, 0.6}, {0.55, 1.6, 1.55, 0.1},
                             {30.0, 1.6, 31.0, 0.93},  {3.5, 2.0, 4.5, 0.999},   {120, 121, 122.5, 0.5},
                             {1.2, 0.7, 2.3, 0.0},     {0.9, 3.1, 1.7, 0.75},    {300.2, 1.61, 301.2, 0.35}};
  for (const auto& c : cases) {
    const double ours = LogHyp2F1(c[0], c[1], c[2], c[3]);
    const double ref = BoostLog2F1(c[0], c[1], c[2], c[3]);
    EXPECT_NEAR(ours, ref, 1e-11 * std::max(1.0, std::fabs(ref)))
        << c[0] << " " << c[1] << " " << c[2] << " " << c[3];
  }
}

TEST(Hypergeometric, LargeArgumentsStayFiniteInLogSpace) {
  // 2F1(r+x, b+x; a+b+x-1; z) for a customer with 500 transactions overflows a double.
  const double v = LogHyp2F1(500.24, 502.4, 501.2, 0.9);
  EXPECT_TRUE(std::isfinite(v));
  EXPECT_GT(v, 700);  // beyond exp's range: only the log form survives
}

// Simpson's rule on a fine grid, for reference.
double Integral(double m, double n, double A, double B, double lo, double hi) {
  const int steps = 200000;
  const double h = (hi - lo) / steps;
  double sum = 0;
  for (int i = 0; i <= steps; ++i) {
    const double u = lo + i * h;
    const double w = (i == 0 || i == steps) ? 1 : (i % 2 ? 4 : 2);
    sum += w * std::pow(A + u, -m) * std::pow(B + u, -n);
  }
  return sum * h / 3;
}

TEST(Hypergeometric, PowerProductIntegralMatchesQuadrature) {
  const double cases[][6] = {{0.55, 1.6, 10.58, 11.66, 0, 38.86},
                             {26.55, 1.6, 10.58, 11.66, 30.86, 31},
                             {2.3, 0.6, 50, 1.5, 3, 20},
                             {1.2, 2.5, 0.3, 40, 0, 78},
                             {0.8, 1.4, 5, 5, 1, 2}};
  for (const auto& c : cases) {
    const double ref = Integral(c[0], c[1], c[2], c[3], c[4], c[5]);
    EXPECT_NEAR(LogPowerProductIntegral(c[0], c[1], c[2], c[3], c[4], c[5]), std::log(ref), 1e-9);
  }
  EXPECT_EQ(LogPowerProductIntegral(1, 1, 2, 3, 5, 5), -INFINITY);
}

TEST(Hypergeometric, LogAddAndSubtract) {
  EXPECT_NEAR(LogAddExp(std::log(2.0), std::log(3.0)), std::log(5.0), 1e-15);
  EXPECT_NEAR(LogSubExp(std::log(5.0), std::log(3.0)), std::log(2.0), 1e-15);
  EXPECT_NEAR(LogAddExp(-1000, -1000), -1000 + std::log(2.0), 1e-12);
  EXPECT_TRUE(std::isnan(LogSubExp(1, 2)));
}

}  // namespace
}  // namespace custlake::clv
