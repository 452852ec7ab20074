// From the raw CDNOW log to the published results (REFERENCE.md in the
// reference set; figures quoted in each test).
#include <gtest/gtest.h>

#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <fstream>
#include <sstream>

#include "cdnow_fixture.h"
#include "clv/count_model.h"
#include "clv/fitter.h"
#include "clv/predict.h"
#include "clv/triples.h"
#include "clv/validation.h"

namespace custlake::clv {
namespace {

class Cdnow : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto log = ReadTransactionLog(CdnowLogOptions());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    auto table = BuildSummaries(*log, CdnowSummaryOptions());
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    table_ = new SummaryTable(std::move(table).value());
  }
  static void TearDownTestSuite() { delete table_; }

  static FitResult Fit(const CountModel& model) {
    auto fit = FitCountModel(model, CompressTriples(table_->customers), FitOptions{});
    EXPECT_TRUE(fit.ok()) << fit.status().ToString();
    EXPECT_TRUE(fit->converged) << fit->note;
    return *fit;
  }
  static CountParams Params(const FitResult& f) {
    return {f.params[0], f.params[1], f.params[2], f.params[3]};
  }
  static const CustomerSummary& Customer(int id) { return table_->customers[static_cast<size_t>(id - 1)]; }

  static SummaryTable* table_;
};
SummaryTable* Cdnow::table_ = nullptr;

double MeanExpectedSpend(const SpendParams& p, const SummaryTable& t) {
  double sum = 0;
  for (const CustomerSummary& c : t.customers) sum += gamma_gamma::ExpectedSpend(p, c.x, c.spend);
  return sum / static_cast<double>(t.customers.size());
}

std::vector<std::vector<double>> ReadCsvNumbers(const std::string& name) {
  std::ifstream in(std::string(CLV_DATA_DIR) + "/" + name);
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::vector<double> row;
    for (std::string cell; std::getline(ss, cell, ',');) row.push_back(std::stod(cell));
    rows.push_back(row);
  }
  return rows;
}

TEST_F(Cdnow, SummariesFromTheRawLogMatchThePublishedOnes) {
  const auto rows = ReadCsvNumbers("cdnow_calibration_holdout.csv");  // cust, x, t.x, T.cal, x.star, m.x
  ASSERT_EQ(table_->customers.size(), 2357u);
  ASSERT_EQ(rows.size(), 2357u);
  double repeats = 0;
  for (const auto& row : rows) {
    const CustomerSummary& c = Customer(static_cast<int>(row[0]));
    EXPECT_EQ(c.x, row[1]) << row[0];
    EXPECT_NEAR(c.t_x, row[2], 1e-9) << row[0];
    EXPECT_NEAR(c.T, row[3], 1e-9) << row[0];
    EXPECT_EQ(c.x_holdout, row[4]) << row[0];
    EXPECT_NEAR(c.spend, row[5], 1e-9) << row[0];
    repeats += c.x;
  }
  EXPECT_EQ(repeats, 2457);
  EXPECT_EQ(*table_->holdout_length, 39);
}

TEST_F(Cdnow, TrackingCurveMatchesThePublishedWeeklyCounts) {
  auto report = ValidateHoldout(kBgnbd, {0.2425945, 4.4136019, 0.7929199, 2.4258881}, *table_);
  ASSERT_OK(report);
  const auto rows = ReadCsvNumbers("cdnow_weekly_cumulative_repeat.csv");  // week, cumulative
  ASSERT_EQ(report->tracking.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(report->tracking[i].unit, rows[i][0]);
    EXPECT_EQ(report->tracking[i].actual, rows[i][1]) << "week " << rows[i][0];
  }
  EXPECT_EQ(report->calibration_units, 39);
  EXPECT_EQ(report->actual_total, 4339 - 2457);
}

TEST_F(Cdnow, BgnbdParametersLikelihoodAndStandardErrors) {
  const FitResult f = Fit(kBgnbd);
  // Re-fits: 0.2425945, 4.4136019, 0.7929199, 2.4258881, LL -9582.429.
  EXPECT_TRUE(WithinRelative(f.params[0], 0.2425945, 1e-3));
  EXPECT_TRUE(WithinRelative(f.params[1], 4.4136019, 1e-3));
  EXPECT_TRUE(WithinRelative(f.params[2], 0.7929199, 1e-3));
  EXPECT_TRUE(WithinRelative(f.params[3], 2.4258881, 1e-3));
  EXPECT_NEAR(f.log_likelihood, -9582.429, 0.01);
  // Published: r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4.
  EXPECT_TRUE(ToPublishedDigits(f.params[0], 0.243, 3));
  EXPECT_TRUE(ToPublishedDigits(f.params[1], 4.414, 3));
  EXPECT_TRUE(ToPublishedDigits(f.params[2], 0.793, 3));
  EXPECT_TRUE(ToPublishedDigits(f.params[3], 2.426, 3));
  EXPECT_TRUE(ToPublishedDigits(f.log_likelihood, -9582.4, 1));
  // Standard errors: r 0.012557, alpha 0.378221, a 0.185719, b 0.705345.
  EXPECT_TRUE(WithinRelative(f.std_errors[0], 0.012557, 0.01));
  EXPECT_TRUE(WithinRelative(f.std_errors[1], 0.378221, 0.01));
  EXPECT_TRUE(WithinRelative(f.std_errors[2], 0.185719, 0.01));
  EXPECT_TRUE(WithinRelative(f.std_errors[3], 0.705345, 0.01));
  std::printf("BG/NBD: r %.7f alpha %.7f a %.7f b %.7f LL %.4f SE %.6f %.6f %.6f %.6f in %.4f s\n",
              f.params[0], f.params[1], f.params[2], f.params[3], f.log_likelihood, f.std_errors[0],
              f.std_errors[1], f.std_errors[2], f.std_errors[3], f.seconds);
}

// Where a published figure and our exact computation differ past its last
// digit, the source computed it from other parameters or with a truncated
// series; docs/clv.md lists each. Those are checked to the stated relative
// distance, and our value against Boost's hypergeometric_pFq.
TEST_F(Cdnow, BgnbdPredictionsToThePublishedDigits) {
  const CountParams p = Params(Fit(kBgnbd));
  // New customer: 0.0078, 0.0532, 0.1506, 1.0405, 1.0437 by t = 0.1429, 1, 3, 31.8571, 32 weeks.
  const double t[] = {0.1429, 1, 3, 31.8571, 32}, expected[] = {0.0078, 0.0532, 0.1506, 1.0405, 1.0437};
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(ToPublishedDigits(kBgnbd.expected_new(p, t[i]), expected[i], 4)) << t[i];
  // x = 2, t_x = 30.43, T = 38.86: 1.226 in the next 39 weeks.
  EXPECT_TRUE(ToPublishedDigits(kBgnbd.expected(p, 2, 30.43, 38.86, 39), 1.226, 3));
  // P(X(2) = 10) = 1.07869e-07 and P(X(39) = 0) = 0.5737864, at the paper's parameters.
  const CountParams paper = {0.243, 4.414, 0.793, 2.426};
  EXPECT_TRUE(ToPublishedDigits(bgnbd::ProbabilityOfCount(paper, 2, 10) * 1e7, 1.07869, 5));
  EXPECT_TRUE(ToPublishedDigits(bgnbd::ProbabilityOfCount(paper, 39, 0), 0.5737864, 7));
  // The pmf sums to 1 and its mean is E[X(t)].
  double total = 0, mean = 0;
  for (int n = 0; n < 400; ++n) {
    total += bgnbd::ProbabilityOfCount(p, 39, n);
    mean += n * bgnbd::ProbabilityOfCount(p, 39, n);
  }
  EXPECT_NEAR(total, 1, 1e-9);
  EXPECT_NEAR(mean, kBgnbd.expected_new(p, 39), 1e-3);
}

TEST_F(Cdnow, BgnbdPredictionsPublishedFromOtherParameters) {
  const CountParams p = Params(Fit(kBgnbd));
  // 1.8576 by 78 weeks (the paper's table): the exact value at the re-fit is 1.85796.
  const double z = 78 / (p[1] + 78);
  const double exact = (p[2] + p[3] - 1) / (p[2] - 1) *
                       (1 - std::pow(p[1] / (p[1] + 78), p[0]) *
                                boost::math::hypergeometric_pFq({p[0], p[3]}, {p[2] + p[3] - 1}, z));
  EXPECT_NEAR(kBgnbd.expected_new(p, 78), exact, 1e-9);
  EXPECT_TRUE(WithinRelative(kBgnbd.expected_new(p, 78), 1.8576, 3e-4));
  // 1.444004 by 52 weeks; customer 1516: 25.75659 purchases in 52 weeks, P(alive) 0.9688523.
  EXPECT_TRUE(WithinRelative(kBgnbd.expected_new(p, 52), 1.444004, 1e-5));
  const CustomerSummary& c = Customer(1516);
  ASSERT_EQ(c.x, 26);
  EXPECT_TRUE(WithinRelative(kBgnbd.expected(p, c.x, c.t_x, c.T, 52), 25.75659, 5e-5));
  EXPECT_TRUE(WithinRelative(kBgnbd.p_alive(p, c.x, c.t_x, c.T), 0.9688523, 5e-6));
}

// The figures above that match only to a relative distance are not those of the published re-fit
// parameters either: evaluated at exactly (0.2425945, 4.4136019, 0.7929199, 2.4258881) with 30-digit
// arithmetic (mpmath's hyp2f1), E[X(52)] is 1.44401063 (published 1.444004), E[X(78)] 1.85795601
// (published 1.8576), customer 1516's 52-week expectation 25.75727256 (published 25.75659) and P(alive)
// 0.96885129 (published 0.9688523). At those parameters our values agree with the 30-digit ones to 1e-9.
TEST_F(Cdnow, BgnbdPredictionsAtThePublishedRefitAgreeWithHighPrecision) {
  const CountParams refit = {0.2425945, 4.4136019, 0.7929199, 2.4258881};
  EXPECT_NEAR(kBgnbd.expected_new(refit, 52), 1.4440106279800229, 1e-9);
  EXPECT_NEAR(kBgnbd.expected_new(refit, 78), 1.8579560091180785, 1e-9);
  const CustomerSummary& c = Customer(1516);
  ASSERT_EQ(c.x, 26);
  ASSERT_NEAR(c.t_x, 30.857, 1e-3);
  ASSERT_EQ(c.T, 31);
  EXPECT_NEAR(kBgnbd.expected(refit, 26, 30.857, 31, 52), 25.757272557108813, 1e-8);
  EXPECT_NEAR(kBgnbd.p_alive(refit, 26, 30.857, 31), 0.9688512938856009, 1e-9);
  // Pareto/NBD at its published re-fit: a new customer's 52 weeks is 1.47311258 (published 1.473434).
  EXPECT_NEAR(kPnbd.expected_new({0.5533971, 10.5801985, 0.6060625, 11.6562237}, 52), 1.4731125776616352, 1e-9);
}

TEST_F(Cdnow, ParetoNbdParametersLikelihoodAndPredictions) {
  const FitResult f = Fit(kPnbd);
  // Re-fit: 0.5533971, 10.5801985, 0.6060625, 11.6562237, LL -9594.976.
  EXPECT_TRUE(WithinRelative(f.params[0], 0.5533971, 1e-3));
  EXPECT_TRUE(WithinRelative(f.params[1], 10.5801985, 1e-3));
  EXPECT_TRUE(WithinRelative(f.params[2], 0.6060625, 1e-3));
  // The likelihood is flat along beta: our maximum is 0.11 % from the re-fit's
  // beta and higher than the re-fit's, and it is the paper's 11.669.
  EXPECT_TRUE(WithinRelative(f.params[3], 11.6562237, 1.2e-3));
  const CountParams p = Params(f);
  const Triples triples = CompressTriples(table_->customers);
  EXPECT_GE(kPnbd.log_likelihood(p, triples),
            kPnbd.log_likelihood({0.5533971, 10.5801985, 0.6060625, 11.6562237}, triples));
  // The paper: r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669, LL = -9595.0.
  EXPECT_TRUE(ToPublishedDigits(f.params[0], 0.553, 3));
  EXPECT_TRUE(ToPublishedDigits(f.params[1], 10.578, 3));
  EXPECT_TRUE(ToPublishedDigits(f.params[2], 0.606, 3));
  EXPECT_TRUE(ToPublishedDigits(f.params[3], 11.669, 3));
  EXPECT_NEAR(f.log_likelihood, -9594.976, 0.01);
  EXPECT_TRUE(ToPublishedDigits(f.log_likelihood, -9595.0, 1));
  // New customer, 52 weeks: 1.473434 (to 2e-6: where on the flat ridge a fit stops moves the 7th digit).
  EXPECT_TRUE(WithinRelative(kPnbd.expected_new(p, 52), 1.473434, 2e-6));
  // Customer 1516: 25.45647 purchases, P(alive) 0.997874 (published with other parameters).
  const CustomerSummary& c = Customer(1516);
  EXPECT_TRUE(WithinRelative(kPnbd.expected(p, c.x, c.t_x, c.T, 52), 25.45647, 1e-4));
  EXPECT_TRUE(WithinRelative(kPnbd.p_alive(p, c.x, c.t_x, c.T), 0.997874, 1e-6));
  std::printf("Pareto/NBD: r %.7f alpha %.7f s %.7f beta %.7f LL %.4f in %.4f s\n", f.params[0], f.params[1],
              f.params[2], f.params[3], f.log_likelihood, f.seconds);
}

TEST_F(Cdnow, MbgnbdParameters) {
  const FitResult f = Fit(kMbgnbd);
  // Batislam et al. 2007: r 0.525, alpha 6.183, a 0.891, b 1.614.
  EXPECT_TRUE(ToPublishedDigits(f.params[0], 0.525, 3));
  EXPECT_TRUE(ToPublishedDigits(f.params[1], 6.183, 3));
  EXPECT_TRUE(ToPublishedDigits(f.params[2], 0.891, 3));
  EXPECT_TRUE(ToPublishedDigits(f.params[3], 1.614, 3));
  std::printf("MBG/NBD: r %.7f alpha %.7f a %.7f b %.7f LL %.4f\n", f.params[0], f.params[1], f.params[2],
              f.params[3], f.log_likelihood);
}

TEST_F(Cdnow, GammaGammaParametersAndExpectedSpend) {
  auto fit = FitGammaGamma(CompressSpend(table_->customers), FitOptions{});
  ASSERT_OK(fit);
  ASSERT_TRUE(fit->converged) << fit->note;
  EXPECT_EQ(fit->customers, 946);
  // p = 6.25, q = 3.74, gamma = 15.44, LL -4055.92.
  EXPECT_TRUE(ToPublishedDigits(fit->params[0], 6.25, 2));
  EXPECT_TRUE(ToPublishedDigits(fit->params[1], 3.74, 2));
  EXPECT_TRUE(ToPublishedDigits(fit->params[2], 15.44, 2));
  EXPECT_TRUE(ToPublishedDigits(fit->log_likelihood, -4055.92, 2));
  const SpendParams p = {fit->params[0], fit->params[1], fit->params[2]};
  // First 10 customers: 24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17.
  const double first10[] = {24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17};
  for (int id = 1; id <= 10; ++id) {
    const CustomerSummary& c = Customer(id);
    EXPECT_TRUE(ToPublishedDigits(gamma_gamma::ExpectedSpend(p, c.x, c.spend), first10[id - 1], 2)) << id;
  }
  // From the raw log: mean E[M] over all 2357 customers 35.2523, observed mean over the 946 35.0778.
  EXPECT_TRUE(ToPublishedDigits(MeanExpectedSpend(p, *table_), 35.2523, 4));
  std::printf("Gamma-Gamma: p %.7f q %.7f gamma %.7f LL %.4f\n", p[0], p[1], p[2], fit->log_likelihood);
}

// 35.2530 against 35.0786 was published from the summary with spend rounded to
// cents (cdnow_summary_with_monetary.csv): the mean of E[M] over all 2357
// customers (those with x = 0 get the population mean) and the mean observed
// spend of the 946.
TEST_F(Cdnow, GammaGammaMeansFromThePublishedSummary) {
  ASSERT_OK_AND_ASSIGN(
      SummaryTable rounded,
      ReadSummaryCsv(std::string(CLV_DATA_DIR) + "/cdnow_summary_with_monetary.csv", TimeUnit::kWeek));
  auto fit = FitGammaGamma(CompressSpend(rounded.customers), FitOptions{});
  ASSERT_OK(fit);
  const SpendParams p = {fit->params[0], fit->params[1], fit->params[2]};
  EXPECT_TRUE(ToPublishedDigits(MeanExpectedSpend(p, rounded), 35.2530, 4));
  double observed = 0;
  for (const CustomerSummary& c : rounded.customers) observed += c.x > 0 ? c.spend / 946 : 0;
  EXPECT_TRUE(ToPublishedDigits(observed, 35.0786, 4));
}

}  // namespace
}  // namespace custlake::clv
