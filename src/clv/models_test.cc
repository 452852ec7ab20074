#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "clv/count_model.h"
#include "clv/fitter.h"
#include "clv/predict.h"
#include "support/status_testing.h"

namespace custlake::clv {
namespace {

const CountModel* const kModels[] = {&kBgnbd, &kPnbd, &kMbgnbd};
const CountParams kParams[] = {{0.24, 4.4, 0.79, 2.4}, {0.55, 10.6, 0.61, 11.7}, {0.52, 6.2, 0.89, 1.61}};

Triples SomeTriples() {
  Triples t;
  const double rows[][4] = {
      {0, 0, 38, 50}, {1, 5, 38, 20}, {2, 30.4, 38.9, 10}, {7, 20, 30, 3}, {26, 30.9, 31, 1}};
  for (const auto& r : rows) {
    t.x.push_back(r[0]);
    t.t_x.push_back(r[1]);
    t.T.push_back(r[2]);
    t.count.push_back(r[3]);
  }
  return t;
}

TEST(Models, AnalyticGradientsMatchFiniteDifferences) {
  const Triples t = SomeTriples();
  for (int m = 0; m < 3; ++m) {
    const CountModel& model = *kModels[m];
    ASSERT_NE(model.log_likelihood_gradient, nullptr) << model.name;
    const CountParams p = kParams[m];
    CountParams g;
    const double value = model.log_likelihood_gradient(p, t, &g);
    EXPECT_NEAR(value, model.log_likelihood(p, t), 1e-9) << model.name;
    for (int i = 0; i < 4; ++i) {
      CountParams up = p, down = p;
      const double h = 1e-6 * p[i];
      up[i] += h;
      down[i] -= h;
      const double numeric = (model.log_likelihood(up, t) - model.log_likelihood(down, t)) / (2 * h);
      EXPECT_NEAR(g[i], numeric, 1e-5 * std::max(1.0, std::fabs(numeric))) << model.name << " " << i;
    }
  }
}

// The Pareto/NBD integral's series meets alpha = beta (z = 0) and beta far above alpha (z near 1).
TEST(Models, ParetoNbdGradientHoldsAtTheSeriesEdges) {
  const Triples t = SomeTriples();
  for (const CountParams& p : {CountParams{0.55, 10.6, 0.61, 10.6}, CountParams{0.55, 2.0, 3.0, 400.0},
                               CountParams{2.5, 40.0, 0.2, 1.5}}) {
    CountParams g;
    EXPECT_NEAR(kPnbd.log_likelihood_gradient(p, t, &g), kPnbd.log_likelihood(p, t), 1e-9);
    for (int i = 0; i < 4; ++i) {
      CountParams up = p, down = p;
      const double h = 1e-6 * p[i];
      up[i] += h;
      down[i] -= h;
      const double numeric = (kPnbd.log_likelihood(up, t) - kPnbd.log_likelihood(down, t)) / (2 * h);
      EXPECT_NEAR(g[i], numeric, 1e-5 * std::max(1.0, std::fabs(numeric))) << "beta " << p[3] << ", parameter " << i;
    }
  }
}

TEST(Models, ANewCustomerIsTheConditionalCaseWithNoHistory) {
  for (int m = 0; m < 3; ++m) {
    for (double t : {0.5, 10.0, 52.0}) {
      EXPECT_NEAR(kModels[m]->expected(kParams[m], 0, 0, 0, t), kModels[m]->expected_new(kParams[m], t), 1e-9)
          << kModels[m]->name << " " << t;
    }
  }
}

TEST(Models, ProbabilitiesStayInRangeAndChurnGrowsWithTheHorizon) {
  for (int m = 0; m < 3; ++m) {
    const CountModel& model = *kModels[m];
    for (double x : {0.0, 1.0, 5.0}) {
      const double t_x = x > 0 ? 10 : 0, T = 30;
      const double alive = model.p_alive(kParams[m], x, t_x, T);
      EXPECT_GT(alive, 0);
      EXPECT_LE(alive, 1);
      double previous = 1;
      for (double h : {1e-6, 1.0, 10.0, 100.0}) {
        const double churn = model.p_no_purchase(kParams[m], x, t_x, T, h);
        EXPECT_LE(churn, previous + 1e-12) << model.name;
        EXPECT_GE(churn, 1 - alive - 1e-12) << model.name;  // at least the dead never buy
        previous = churn;
      }
    }
  }
  // MBG/NBD lets a one-time buyer be dead; BG/NBD does not.
  EXPECT_EQ(kBgnbd.p_alive(kParams[0], 0, 0, 30), 1);
  EXPECT_LT(kMbgnbd.p_alive(kParams[2], 0, 0, 30), 1);
}

TEST(Models, HundredsOfTransactionsDoNotOverflow) {
  for (int m = 0; m < 3; ++m) {
    const CountModel& model = *kModels[m];
    const double ll = model.customer_log_likelihood(kParams[m], 500, 77.5, 78);
    EXPECT_TRUE(std::isfinite(ll)) << model.name;
    const double e = model.expected(kParams[m], 500, 77.5, 78, 52);
    EXPECT_TRUE(std::isfinite(e)) << model.name;
    EXPECT_GT(e, 100) << model.name;  // about 6 a week
    EXPECT_TRUE(std::isfinite(model.p_no_purchase(kParams[m], 500, 77.5, 78, 1))) << model.name;
  }
}

TEST(Models, AFitThatRunsOutOfEvaluationsSaysSo) {
  FitOptions options;
  options.max_evaluations = 10;
  options.starts = 1;
  ASSERT_OK_AND_ASSIGN(FitResult fit, FitCountModel(kPnbd, SomeTriples(), options));
  EXPECT_FALSE(fit.converged);
  EXPECT_NE(fit.note.find("evaluation limit"), std::string::npos) << fit.note;
}

// f(ln p) = exp(-(ln p - 1)^2) + 0.5 sigmoid(ln p - 5): a maximum at p near e,
// and from p = e^8 a climb to the parameter bound.
double TwoBasins(const std::vector<double>& p, std::vector<double>* g) {
  const double x = std::log(p[0]), bump = std::exp(-(x - 1) * (x - 1)), s = 1 / (1 + std::exp(5 - x));
  if (g != nullptr) g->assign(1, (-2 * (x - 1) * bump + 0.5 * s * (1 - s)) / p[0]);
  return bump + 0.5 * s;
}

TEST(Fitter, LaterStartsRunOnlyWhenTheFirstDoesNotConverge) {
  const LogLikelihoodFn ll = [](const std::vector<double>& p) { return TwoBasins(p, nullptr); };
  const GradientFn gradient = TwoBasins;
  const std::vector<std::vector<double>> starts = {{std::exp(8.0)}, {1.0}};
  FitOptions options;
  options.starts = 1;
  const FitResult first_only = MaximiseLikelihood(ll, gradient, starts, options);
  EXPECT_FALSE(first_only.converged);
  EXPECT_NE(first_only.note.find("bound"), std::string::npos) << first_only.note;
  options.starts = 2;
  const FitResult fit = MaximiseLikelihood(ll, gradient, starts, options);
  EXPECT_TRUE(fit.converged) << fit.note;
  EXPECT_NEAR(std::log(fit.params[0]), 1.0, 0.05);
  EXPECT_GT(fit.evaluations, first_only.evaluations);

  // A first start that converges to a proper maximum is the fit: no more evaluations.
  FitOptions one, three;
  one.starts = 1;
  three.starts = 3;
  ASSERT_OK_AND_ASSIGN(FitResult a, FitCountModel(kBgnbd, SomeTriples(), one));
  ASSERT_OK_AND_ASSIGN(FitResult b, FitCountModel(kBgnbd, SomeTriples(), three));
  ASSERT_TRUE(a.converged) << a.note;
  EXPECT_EQ(a.evaluations, b.evaluations);
  EXPECT_EQ(a.params, b.params);
}

TEST(Models, ASpendModelWithoutAFiniteMeanIsRefused) {
  SummaryTable table;
  table.ids = {"a"};
  table.customers = {{1, 2, 5, 10}};
  const SpendParams heavy_tail = {2, 0.8, 10};
  auto predictions = PredictCustomers(kBgnbd, kParams[0], &heavy_tail, table, PredictOptions{});
  ASSERT_FALSE(predictions.ok());
  EXPECT_NE(predictions.status().message().find("q = 0.8 <= 1"), std::string::npos)
      << predictions.status().message();
  ASSERT_OK(PredictCustomers(kBgnbd, kParams[0], nullptr, table, PredictOptions{}));
}

TEST(Models, NoRepeatPurchasesCannotBeFitted) {
  Triples t;
  t.x = {0};
  t.t_x = {0};
  t.T = {10};
  t.count = {100};
  auto fit = FitCountModel(kBgnbd, t, FitOptions{});
  ASSERT_FALSE(fit.ok());
  EXPECT_NE(fit.status().message().find("none of the 100 customers has a repeat transaction"),
            std::string::npos);
}

}  // namespace
}  // namespace custlake::clv

namespace custlake::clv {
namespace {

// Customers drawn from the model itself (continuous time, 39-week calibration,
// first purchases spread over 12 weeks): the fit recovers the parameters.
std::vector<CustomerSummary> DrawBgnbd(const CountParams& p, int n, std::mt19937_64& rng) {
  std::gamma_distribution<double> lambda_d(p[0], 1 / p[1]), ga(p[2], 1), gb(p[3], 1);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<CustomerSummary> out;
  for (int i = 0; i < n; ++i) {
    CustomerSummary c;
    c.T = 39 - 12 * u(rng);
    const double lambda = lambda_d(rng), ya = ga(rng), drop = ya / (ya + gb(rng));
    for (double t = std::exponential_distribution<double>(lambda)(rng); t <= c.T;
         t += std::exponential_distribution<double>(lambda)(rng)) {
      c.x += 1;
      c.t_x = t;
      if (u(rng) < drop) break;
    }
    out.push_back(c);
  }
  return out;
}

std::vector<CustomerSummary> DrawPnbd(const CountParams& p, int n, std::mt19937_64& rng) {
  std::gamma_distribution<double> lambda_d(p[0], 1 / p[1]), mu_d(p[2], 1 / p[3]);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<CustomerSummary> out;
  for (int i = 0; i < n; ++i) {
    CustomerSummary c;
    c.T = 39 - 12 * u(rng);
    const double lambda = lambda_d(rng), death = std::exponential_distribution<double>(mu_d(rng))(rng);
    for (double t = std::exponential_distribution<double>(lambda)(rng); t <= std::min(c.T, death);
         t += std::exponential_distribution<double>(lambda)(rng)) {
      c.x += 1;
      c.t_x = t;
    }
    out.push_back(c);
  }
  return out;
}

void ExpectWithinThreeStandardErrors(const FitResult& fit, const CountParams& truth) {
  ASSERT_TRUE(fit.converged) << fit.note;
  for (int i = 0; i < 4; ++i) {
    EXPECT_LT(std::fabs(fit.params[i] - truth[i]), 3 * fit.std_errors[i])
        << fit.model << " " << fit.param_names[i] << " " << fit.params[i] << " vs " << truth[i] << " (se "
        << fit.std_errors[i] << ")";
  }
}

TEST(Recovery, BgnbdFitRecoversTheDrawingParameters) {
  std::mt19937_64 rng(7);
  const CountParams truth = {0.75, 6, 0.6, 3};  // the generator's purchase model
  ASSERT_OK_AND_ASSIGN(FitResult fit,
                       FitCountModel(kBgnbd, CompressTriples(DrawBgnbd(truth, 20000, rng)), FitOptions{}));
  ExpectWithinThreeStandardErrors(fit, truth);
}

TEST(Recovery, ParetoNbdFitRecoversTheDrawingParameters) {
  std::mt19937_64 rng(11);
  const CountParams truth = {0.55, 10.6, 0.61, 11.7};
  FitOptions options;
  options.starts = 1;
  ASSERT_OK_AND_ASSIGN(FitResult fit,
                       FitCountModel(kPnbd, CompressTriples(DrawPnbd(truth, 5000, rng)), options));
  ExpectWithinThreeStandardErrors(fit, truth);
}

}  // namespace
}  // namespace custlake::clv
