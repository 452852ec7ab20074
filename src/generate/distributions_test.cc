#include "generate/distributions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "generate/calendar.h"
#include "generate/rng.h"

namespace custlake::generate {
namespace {

template <typename F>
std::pair<double, double> Moments(int n, F draw) {
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / n;
  return {mean, sum2 / n - mean * mean};
}

TEST(RngTest, KnownValuesAndKeyedStreams) {
  // SplitMix64 reference output for seed 0 (Vigna's splitmix64.c).
  SplitMix64 sm(0);
  EXPECT_EQ(sm.Next(), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(sm.Next(), 0x6E789E6AA1B965F4ull);
  EXPECT_NE(DeriveSeed(1, kStreamUsage, 5, 6), DeriveSeed(1, kStreamUsage, 6, 5));
  EXPECT_NE(DeriveSeed(1, kStreamUsage, 5), DeriveSeed(2, kStreamUsage, 5));
  Xoshiro256 a(7), b(7);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.Next(), b.Next());
  for (int i = 0; i < 10000; ++i) {
    const double u = a.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ASSERT_LT(a.Below(10), 10u);
  }
}

TEST(DistributionsTest, MomentsMatchTheory) {
  Xoshiro256 rng(42);
  constexpr int kN = 200000;
  for (double shape : {0.3, 0.75, 1.0, 4.0, 25.0}) {
    auto [m, v] = Moments(kN, [&] { return SampleGamma(rng, shape, 2.0); });
    EXPECT_NEAR(m, shape * 2.0, 0.02 * shape * 2.0 + 0.01) << "gamma shape " << shape;
    EXPECT_NEAR(v, shape * 4.0, 0.05 * shape * 4.0 + 0.02) << "gamma shape " << shape;
  }
  {
    auto [m, v] = Moments(kN, [&] { return SampleBeta(rng, 0.6, 3.0); });
    EXPECT_NEAR(m, 0.6 / 3.6, 0.003);
    EXPECT_NEAR(v, 0.6 * 3.0 / (3.6 * 3.6 * 4.6), 0.001);
  }
  for (double mean : {0.3, 3.0, 9.5, 10.0, 40.0, 1000.0}) {
    auto [m, v] = Moments(kN, [&] { return static_cast<double>(SamplePoisson(rng, mean)); });
    EXPECT_NEAR(m, mean, 0.01 * mean + 0.01) << "poisson " << mean;
    EXPECT_NEAR(v, mean, 0.04 * mean + 0.01) << "poisson " << mean;
  }
  {
    auto [m, v] = Moments(kN, [&] { return SampleNormal(rng); });
    EXPECT_NEAR(m, 0.0, 0.01);
    EXPECT_NEAR(v, 1.0, 0.02);
  }
  {
    auto [m, v] = Moments(kN, [&] { return SampleExponential(rng, 5.0); });
    EXPECT_NEAR(m, 5.0, 0.08);
    EXPECT_NEAR(v, 25.0, 1.5);
  }
}

TEST(DistributionsTest, TablesAndQuantiles) {
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-9);
  EXPECT_NEAR(NormalQuantile(0.001), -3.090232306167813, 1e-9);
  const double weights[] = {0.5, 0.25, 0.25, 0.0};
  CategoricalTable table(weights);
  SplitMix64 rng(3);
  int counts[4] = {};
  for (int i = 0; i < 100000; ++i) ++counts[table.Pick(rng.Next())];
  EXPECT_NEAR(counts[0] / 1e5, 0.5, 0.01);
  EXPECT_NEAR(counts[1] / 1e5, 0.25, 0.01);
  EXPECT_EQ(counts[3], 0);
  auto exp_table = QuantileTable::FromQuantile([](double p) { return -std::log1p(-p) * 50.0; });
  auto [m, v] = Moments(100000, [&] { return exp_table.Pick(rng.Next()); });
  EXPECT_NEAR(m, 50.0, 2.0);
  (void)v;
}

TEST(CalendarTest, RoundTripsAndFormats) {
  for (int32_t d = -800000; d < 800000; d += 97) {
    ASSERT_EQ(DaysFromCivil(CivilFromDays(d)), d);
  }
  EXPECT_EQ(DaysFromCivil({2025, 1, 1}), 20089);
  EXPECT_EQ(DateString(20089), "2025-01-01");
  EXPECT_EQ(AddMonthsToFirst(20089, 13), DaysFromCivil({2026, 2, 1}));
  EXPECT_EQ(AddMonthsToFirst(20089, -24), DaysFromCivil({2023, 1, 1}));
  EXPECT_EQ(SqlTimestampString(int64_t{20089} * 86400 + 3723), "2025-01-01 01:02:03");
  char buf[64];
  const int64_t ms = (int64_t{20089} * 86400 + 23 * 3600 + 30 * 60) * 1000 + 7;
  EXPECT_EQ(std::string(buf, FormatIsoMillis(buf, ms, true, 0, "Z")), "2025-01-01T23:30:00.007Z");
  EXPECT_EQ(std::string(buf, FormatIsoMillis(buf, ms, true, 120, "+02:00")), "2025-01-02T01:30:00.007+02:00");
  EXPECT_EQ(std::string(buf, FormatIsoMillis(buf, ms, false, -300, "-05:00")), "2025-01-01T18:30:00-05:00");
  EXPECT_TRUE(ParseDate("2024-02-29", "x").ok());
  EXPECT_FALSE(ParseDate("2023-02-29", "x").ok());
  EXPECT_FALSE(ParseDate("2023-2-1", "x").ok());
}

}  // namespace
}  // namespace custlake::generate
