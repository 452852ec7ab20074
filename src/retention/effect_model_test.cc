#include "retention/effect_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "retention/learner.h"

namespace custlake::retention {
namespace {

/// Rows with the drivers' features; a randomised offer whose shift of the churn logit follows the
/// model's form with known coefficients; the control churn probability p0 known exactly.
struct Simulated {
  churn::Dataset data;
  std::vector<float> treated, p0, uplift;
};

Simulated Simulate(size_t n, uint32_t seed, double take_up = 0) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  Simulated s;
  s.data.feature_names = EffectDriverFeatures();
  s.data.feature_names.push_back("noise");
  EffectModel truth;
  truth.a = -0.5, truth.b = -2.5, truth.c = 1.0, truth.d = 2.0, truth.k = 0.5, truth.f = take_up;
  for (size_t r = 0; r < n; ++r) {
    const double fee_ratio = std::exp(0.4 * normal(rng));
    const double tickets = uniform(rng) < 0.2 ? 1 + static_cast<int>(uniform(rng) * 3) : 0;
    const double decline = std::max(0.0, 0.4 * normal(rng));
    const double tenure_days = 30 + uniform(rng) * 700;
    const double engagement_0 = 0.6 * normal(rng);
    const double smb = uniform(rng) < 0.3 ? 1 : 0;
    s.data.ids.push_back(static_cast<int64_t>(r));
    for (double v : {fee_ratio, tickets, decline, tenure_days, engagement_0, smb, 0.0, normal(rng)}) {
      s.data.x.push_back(static_cast<float>(v));
    }
    s.p0.push_back(static_cast<float>(1 / (1 + std::exp(-(-2.0 + 0.8 * normal(rng))))));
    s.treated.push_back(uniform(rng) < 0.5 ? 1.0f : 0.0f);
  }
  auto drivers = ExtractDrivers(s.data);
  EXPECT_TRUE(drivers.ok()) << drivers.status().ToString();
  const std::vector<double> shift = truth.Shift(*drivers);
  s.uplift = EffectUplift(truth, *drivers, s.p0);
  for (size_t r = 0; r < n; ++r) {
    const double z = std::log(s.p0[r] / (1 - s.p0[r])) + s.treated[r] * shift[r];
    s.data.y.push_back(uniform(rng) < 1 / (1 + std::exp(-z)) ? 1.0f : 0.0f);
  }
  return s;
}

TEST(RetentionEffectModel, RecoversTheShiftOfARandomisedOffer) {
  const Simulated s = Simulate(60000, 7);
  auto drivers = ExtractDrivers(s.data);
  ASSERT_TRUE(drivers.ok()) << drivers.status().ToString();
  auto fit = FitEffectModel(*drivers, s.p0, s.treated, s.data.y, std::vector<bool>(s.p0.size(), true));
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_NEAR(fit->b, -2.5, 0.6);
  EXPECT_NEAR(fit->k, 0.5, 0.25);
  EXPECT_GT(fit->c, 0.3);
  EXPECT_EQ(fit->treated_rows, static_cast<size_t>(std::count(s.treated.begin(), s.treated.end(), 1.0f)));
  // The ranking it gives: its uplift correlates with the true one.
  const std::vector<float> u = EffectUplift(*fit, *drivers, s.p0);
  double mu = 0, mt = 0;
  for (size_t r = 0; r < u.size(); ++r) mu += u[r], mt += s.uplift[r];
  mu /= static_cast<double>(u.size()), mt /= static_cast<double>(u.size());
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t r = 0; r < u.size(); ++r) {
    sxy += (u[r] - mu) * (s.uplift[r] - mt), sxx += (u[r] - mu) * (u[r] - mu),
        syy += (s.uplift[r] - mt) * (s.uplift[r] - mt);
  }
  EXPECT_GT(sxy / std::sqrt(sxx * syy), 0.9);
  // It survives the model's JSON.
  auto back = EffectModel::FromJson(fit->ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->b, fit->b);
  EXPECT_EQ(back->f, fit->f);
  EXPECT_EQ(back->baseline, fit->baseline);
  nlohmann::json before_take_up = fit->ToJson();  // a model stored before f: no take-up factor
  before_take_up.erase("f");
  EXPECT_EQ(EffectModel::FromJson(before_take_up)->f, 0);
}

TEST(RetentionEffectModel, RecoversATakeUpThatGrowsWithTheFee) {
  // The share that redeems grows as exp(f L): the shift's fee dependence beyond the linear a + b L.
  const Simulated s = Simulate(60000, 11, 1.5);
  auto drivers = ExtractDrivers(s.data);
  ASSERT_TRUE(drivers.ok()) << drivers.status().ToString();
  auto fit = FitEffectModel(*drivers, s.p0, s.treated, s.data.y, std::vector<bool>(s.p0.size(), true));
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_GT(fit->f, 0.5);
  const std::vector<float> u = EffectUplift(*fit, *drivers, s.p0);
  double mu = 0, mt = 0, sxy = 0, sxx = 0, syy = 0;
  for (size_t r = 0; r < u.size(); ++r) mu += u[r], mt += s.uplift[r];
  mu /= static_cast<double>(u.size()), mt /= static_cast<double>(u.size());
  for (size_t r = 0; r < u.size(); ++r) {
    sxy += (u[r] - mu) * (s.uplift[r] - mt), sxx += (u[r] - mu) * (u[r] - mu),
        syy += (s.uplift[r] - mt) * (s.uplift[r] - mt);
  }
  EXPECT_GT(sxy / std::sqrt(sxx * syy), 0.9);
}

TEST(RetentionEffectModel, AMissingDriverIsAClearError) {
  churn::Dataset data;
  data.feature_names = {"fee_vs_segment", "unresolved_tickets"};
  data.ids = {1};
  data.x = {1.0f, 0.0f};
  data.y = {0.0f};
  auto drivers = ExtractDrivers(data);
  ASSERT_FALSE(drivers.ok());
  EXPECT_NE(drivers.status().message().find("'engagement_decline'"), std::string::npos)
      << drivers.status().ToString();
}

TEST(RetentionEffectModel, RowsWithoutControlsOrEventsAreAClearError) {
  const Simulated s = Simulate(500, 3);
  auto drivers = ExtractDrivers(s.data);
  ASSERT_TRUE(drivers.ok());
  const std::vector<float> all_treated(s.p0.size(), 1.0f);
  auto fit = FitEffectModel(*drivers, s.p0, all_treated, s.data.y, std::vector<bool>(s.p0.size(), true));
  ASSERT_FALSE(fit.ok());
  EXPECT_NE(fit.status().message().find("treated and control"), std::string::npos) << fit.status().ToString();
  const std::vector<float> no_event(s.p0.size(), 0.0f);
  fit = FitEffectModel(*drivers, s.p0, s.treated, no_event, std::vector<bool>(s.p0.size(), true));
  ASSERT_FALSE(fit.ok());
  auto bad = EffectModel::FromJson(nlohmann::json{{"a", 1}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'b'"), std::string::npos);
}

}  // namespace
}  // namespace custlake::retention
