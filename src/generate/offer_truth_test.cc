// The retention offer's true effect (truth/churn_probability.csv's offer_sent
// and offer_effect): it varies between customers, helps most at-risk
// customers on average, puts a few off, and is what the company's own random
// holdout shows: among the at-risk customers the campaign drew at random,
// the realised difference in 3-month churn between those sent the offer and
// the others matches the mean true effect, overall and within groups of
// customers that the truth says respond strongly, a little, or adversely.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "db/connection.h"
#include "generate/generator.h"
#include "support/status_testing.h"

namespace custlake::generate {
namespace {

namespace fs = std::filesystem;

struct Row {
  int64_t customer_id = 0;
  std::string month;
  double p_churn = 0, p_without_offer = 0, effect = 0;
  bool churned = false, sent = false;
};

std::vector<Row> ReadTruth(const fs::path& file, std::string* header) {
  std::ifstream in(file);
  std::getline(in, *header);
  std::vector<Row> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string cell[7];
    for (auto& c : cell) std::getline(ss, c, ',');
    rows.push_back(Row{std::stoll(cell[0]), cell[1], std::stod(cell[2]), std::stod(cell[3]), std::stod(cell[6]),
                       cell[4] == "1", cell[5] == "1"});
  }
  return rows;
}

/// Treated-minus-control difference of a 0/1 outcome and its standard error.
struct Contrast {
  int64_t n[2] = {0, 0}, events[2] = {0, 0};
  double true_effect_sum = 0;
  void Add(bool treated, bool event, double effect) {
    ++n[treated];
    events[treated] += event;
    true_effect_sum += effect;
  }
  double Rate(int g) const { return static_cast<double>(events[g]) / static_cast<double>(n[g]); }
  double Difference() const { return Rate(1) - Rate(0); }
  double StdError() const {
    return std::sqrt(Rate(1) * (1 - Rate(1)) / static_cast<double>(n[1]) + Rate(0) * (1 - Rate(0)) / static_cast<double>(n[0]));
  }
  double MeanTrueEffect() const { return true_effect_sum / static_cast<double>(n[0] + n[1]); }
};

class OfferTruthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("custlake_offer_truth_test_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(OfferTruthTest, EffectsVaryAndMatchTheRandomHoldout) {
  GeneratorOptions o;
  o.customers = 30000;
  o.seed = 7;
  ScaleMess(0, &o);
  ASSERT_OK_AND_ASSIGN(auto url, db::DatabaseUrl::Parse("sqlite:" + (root_ / "sic.db").string()));
  ASSERT_OK_AND_ASSIGN(auto conn, db::Connection::Open(url));
  ASSERT_OK_AND_ASSIGN(GenerateSummary summary,
                       Generate(o, conn.get(), (root_ / "landing").string(), (root_ / "truth").string()));
  EXPECT_GT(summary.truth_churn_rows, 0);

  std::string header;
  const std::vector<Row> rows = ReadTruth(root_ / "truth" / "churn_probability.csv", &header);
  EXPECT_EQ(header, "customer_id,month,p_churn,p_churn_without_offer,churned,offer_sent,offer_effect");
  ASSERT_GT(rows.size(), 100000u);

  // Every send in the window is a row with offer_sent = 1.
  int64_t sent = 0;
  for (const Row& r : rows) sent += r.sent;
  ASSERT_OK_AND_ASSIGN(auto stream, conn->Query("SELECT count(*) FROM offer_assignments WHERE sent_at >= '2025-01-01'"));
  std::vector<db::Value> count;
  ASSERT_OK_AND_ASSIGN(bool has_row, stream->Next(&count));
  ASSERT_TRUE(has_row);
  EXPECT_EQ(std::get<int64_t>(count[0]), sent);

  // The effect varies; it is negative on average among the customers who redeem; a few are put off;
  // the customers most at risk are not the ones it saves (cf. Ascarza 2018, "Retention futility").
  double sum = 0, sum2 = 0;
  int64_t positive = 0;
  for (const Row& r : rows) {
    sum += r.effect;
    sum2 += r.effect * r.effect;
    positive += r.effect > 0;
    EXPECT_GE(r.effect, -1.0);
    EXPECT_LE(r.effect, 1.0);
  }
  const double n = static_cast<double>(rows.size());
  const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
  EXPECT_GT(sd, 0.005) << "the offer's effect must differ between customers";
  EXPECT_GT(positive / n, 0.02) << "some customers are put off by the contact";
  EXPECT_LT(positive / n, 0.20) << "only a few customers are put off";
  std::set<std::pair<int64_t, std::string>> redeemed;  // (customer, month of the send)
  ASSERT_OK_AND_ASSIGN(auto answers, conn->Query(
      "SELECT customer_id, substr(sent_at, 1, 7) FROM offer_assignments WHERE redeemed AND sent_at >= '2025-01-01'"));
  for (std::vector<db::Value> v;;) {
    ASSERT_OK_AND_ASSIGN(bool more, answers->Next(&v));
    if (!more) break;
    redeemed.emplace(std::get<int64_t>(v[0]), std::get<std::string>(v[1]));
  }
  double redeemer_sum = 0;
  int64_t redeemers = 0;
  for (const Row& r : rows) {
    if (redeemed.count({r.customer_id, r.month}) == 0) continue;
    ++redeemers;
    redeemer_sum += r.effect;
  }
  ASSERT_GT(redeemers, 200);
  EXPECT_LT(redeemer_sum / static_cast<double>(redeemers), std::min(0.0, mean - 0.003))
      << "those who redeem are the ones the offer helps, on average";
  std::vector<const Row*> by_risk;
  for (const Row& r : rows) by_risk.push_back(&r);
  std::sort(by_risk.begin(), by_risk.end(), [](const Row* a, const Row* b) { return a->p_without_offer > b->p_without_offer; });
  double riskiest_sum = 0;
  const size_t riskiest = by_risk.size() / 10;
  for (size_t k = 0; k < riskiest; ++k) riskiest_sum += by_risk[k]->effect;
  EXPECT_GT(riskiest_sum / static_cast<double>(riskiest), mean)
      << "the tenth most at risk must not be the ones the offer saves most";

  // The random holdout: rows of customers the campaign's rule flagged (truth/offer_flagged.csv) with
  // no offer in the two months before (so the campaign drew them at random, half sent), whose 3
  // months lie in the window.
  std::set<std::pair<int64_t, std::string>> flagged;
  {
    std::ifstream in(root_ / "truth" / "offer_flagged.csv");
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    EXPECT_EQ(line, "customer_id,month");
    while (std::getline(in, line)) {
      const size_t comma = line.find(',');
      ASSERT_NE(comma, std::string::npos) << line;
      flagged.emplace(std::stoll(line.substr(0, comma)), line.substr(comma + 1));
    }
  }
  ASSERT_GT(flagged.size(), 10000u);
  std::map<int64_t, std::vector<const Row*>> by_customer;
  for (const Row& r : rows) by_customer[r.customer_id].push_back(&r);  // months ascending
  std::vector<std::string> months;
  for (const Row& r : rows) {
    if (months.empty() || months.back() < r.month) months.push_back(r.month);
  }
  auto month_index = [&](const std::string& m) { return std::find(months.begin(), months.end(), m) - months.begin(); };
  Contrast all, strong, mild, put_off;
  for (const auto& [id, history] : by_customer) {
    for (size_t k = 0; k < history.size(); ++k) {
      const Row& r = *history[k];
      const auto m = month_index(r.month);
      if (!flagged.count({r.customer_id, r.month}) || m < 2 || m + 2 >= static_cast<long>(months.size())) continue;
      bool recent_offer = false, churned3 = false;
      for (size_t j = 0; j < history.size(); ++j) {
        const auto mj = month_index(history[j]->month);
        if (mj >= m - 2 && mj < m && history[j]->sent) recent_offer = true;
        if (mj >= m && mj <= m + 2 && history[j]->churned) churned3 = true;
      }
      if (recent_offer) continue;
      all.Add(r.sent, churned3, r.effect);
      Contrast& group = r.effect < -0.03 ? strong : r.effect <= 0 ? mild : put_off;
      group.Add(r.sent, churned3, r.effect);
    }
  }
  ASSERT_GT(all.n[1], 3000);
  EXPECT_NEAR(static_cast<double>(all.n[1]) / static_cast<double>(all.n[0] + all.n[1]), 0.5, 0.03)
      << "half the flagged customers get the campaign";
  for (const auto& [name, c] : {std::pair<const char*, const Contrast*>{"all", &all}, {"strong", &strong},
                                {"mild", &mild}, {"put off", &put_off}}) {
    EXPECT_NEAR(c->Difference(), c->MeanTrueEffect(), 3.0 * c->StdError() + 0.005)
        << name << ": realised " << c->Difference() << " +- " << c->StdError() << " over " << c->n[0] + c->n[1]
        << " rows, true " << c->MeanTrueEffect();
  }
  // The groups the truth separates really differ.
  const double gap_se = std::hypot(strong.StdError(), put_off.StdError());
  EXPECT_GT(put_off.Difference() - strong.Difference(), 3.0 * gap_se)
      << "strong responders " << strong.Difference() << " +- " << strong.StdError() << ", put off "
      << put_off.Difference() << " +- " << put_off.StdError();
}

}  // namespace
}  // namespace custlake::generate
