#include "churn/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace custlake::churn {

namespace {

/// Row indexes by score, highest first (stable, so ties keep the input order).
std::vector<size_t> ByScoreDescending(const std::vector<float>& scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  return order;
}

std::vector<CalibrationBin> Calibration(const std::vector<float>& p, const std::vector<float>& y) {
  constexpr int kBins = 10;
  std::vector<CalibrationBin> bins(kBins);
  for (int b = 0; b < kBins; ++b) {
    bins[b].low = b / double{kBins};
    bins[b].high = (b + 1) / double{kBins};
  }
  for (size_t i = 0; i < p.size(); ++i) {
    int b = std::clamp(static_cast<int>(p[i] * kBins), 0, kBins - 1);
    bins[b].count++;
    bins[b].mean_predicted += p[i];
    bins[b].observed_rate += y[i];
  }
  std::vector<CalibrationBin> out;
  for (CalibrationBin& b : bins) {
    if (b.count == 0) continue;
    b.mean_predicted /= static_cast<double>(b.count);
    b.observed_rate /= static_cast<double>(b.count);
    out.push_back(b);
  }
  return out;
}

std::vector<DecileRow> Deciles(const std::vector<size_t>& order, const std::vector<float>& y, int64_t positives) {
  const double n = static_cast<double>(order.size());
  const double base = positives / n;
  std::vector<DecileRow> rows;
  int64_t cumulative = 0;
  for (int d = 0; d < 10; ++d) {
    size_t from = static_cast<size_t>(n * d / 10), to = static_cast<size_t>(n * (d + 1) / 10);
    DecileRow row;
    row.decile = d + 1;
    row.count = static_cast<int64_t>(to - from);
    for (size_t i = from; i < to; ++i) row.positives += y[order[i]] > 0.5f;
    cumulative += row.positives;
    row.churn_rate = row.count ? static_cast<double>(row.positives) / static_cast<double>(row.count) : 0;
    row.lift = base > 0 ? row.churn_rate / base : 0;
    row.cumulative_gain = positives ? static_cast<double>(cumulative) / static_cast<double>(positives) : 0;
    rows.push_back(row);
  }
  return rows;
}

Confusion ConfusionAt(const std::vector<float>& p, const std::vector<float>& y, double threshold) {
  Confusion c;
  c.threshold = threshold;
  for (size_t i = 0; i < p.size(); ++i) {
    bool predicted = p[i] >= threshold, actual = y[i] > 0.5f;
    if (predicted && actual) c.true_positives++;
    if (predicted && !actual) c.false_positives++;
    if (!predicted && actual) c.false_negatives++;
    if (!predicted && !actual) c.true_negatives++;
  }
  const int64_t flagged = c.true_positives + c.false_positives, actual = c.true_positives + c.false_negatives;
  c.precision = flagged ? static_cast<double>(c.true_positives) / static_cast<double>(flagged) : 0;
  c.recall = actual ? static_cast<double>(c.true_positives) / static_cast<double>(actual) : 0;
  return c;
}

std::vector<RocPoint> RocCurve(const std::vector<size_t>& order, const std::vector<float>& scores,
                               const std::vector<float>& y, int64_t positives) {
  const int64_t negatives = static_cast<int64_t>(y.size()) - positives;
  std::vector<RocPoint> points{{0, 0}};
  if (positives == 0 || negatives == 0) return {{0, 0}, {1, 1}};
  const size_t step = std::max<size_t>(1, order.size() / 200);
  int64_t tp = 0, fp = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    (y[order[i]] > 0.5f ? tp : fp)++;
    bool tie_follows = i + 1 < order.size() && scores[order[i + 1]] == scores[order[i]];
    if (!tie_follows && (i % step == 0 || i + 1 == order.size())) {
      points.push_back({static_cast<double>(fp) / static_cast<double>(negatives),
                        static_cast<double>(tp) / static_cast<double>(positives)});
    }
  }
  if (points.back().false_positive_rate < 1 || points.back().true_positive_rate < 1) points.push_back({1, 1});
  return points;
}

}  // namespace

double RocAuc(const std::vector<float>& scores, const std::vector<float>& labels) {
  // Mann-Whitney U: sum of the positives' ranks (ties get their average rank).
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double rank_sum = 0;
  int64_t positives = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double average_rank = (static_cast<double>(i) + static_cast<double>(j) + 1) / 2;
    for (size_t k = i; k < j; ++k) {
      if (labels[order[k]] > 0.5f) {
        rank_sum += average_rank;
        ++positives;
      }
    }
    i = j;
  }
  const int64_t negatives = static_cast<int64_t>(scores.size()) - positives;
  if (positives == 0 || negatives == 0) return 0.5;
  const double p = static_cast<double>(positives);
  return (rank_sum - p * (p + 1) / 2) / (p * static_cast<double>(negatives));
}

double PrAuc(const std::vector<float>& scores, const std::vector<float>& labels) {
  std::vector<size_t> order = ByScoreDescending(scores);
  int64_t positives = 0;
  for (float y : labels) positives += y > 0.5f;
  if (positives == 0) return 0;
  double sum = 0;
  int64_t tp = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    int64_t tp_here = 0;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) tp_here += labels[order[j++]] > 0.5f;
    tp += tp_here;
    sum += static_cast<double>(tp_here) / static_cast<double>(positives) * static_cast<double>(tp) /
           static_cast<double>(j);
    i = j;
  }
  return sum;
}

Metrics Evaluate(const std::vector<float>& p, const std::vector<float>& y, double threshold) {
  Metrics m;
  m.rows = static_cast<int64_t>(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    const double q = std::clamp(static_cast<double>(p[i]), 1e-7, 1 - 1e-7);
    const bool positive = y[i] > 0.5f;
    m.positives += positive;
    m.log_loss -= positive ? std::log(q) : std::log(1 - q);
    m.brier += (p[i] - y[i]) * (p[i] - y[i]);
  }
  if (m.rows == 0) return m;
  m.base_rate = static_cast<double>(m.positives) / static_cast<double>(m.rows);
  m.log_loss /= static_cast<double>(m.rows);
  m.brier /= static_cast<double>(m.rows);
  m.roc_auc = RocAuc(p, y);
  m.pr_auc = PrAuc(p, y);
  std::vector<size_t> order = ByScoreDescending(p);
  m.calibration = Calibration(p, y);
  m.deciles = Deciles(order, y, m.positives);
  m.confusion = ConfusionAt(p, y, threshold < 0 ? m.base_rate : threshold);
  m.roc = RocCurve(order, p, y, m.positives);
  return m;
}

nlohmann::json ToJson(const Metrics& m) {
  nlohmann::json j{{"rows", m.rows},         {"positives", m.positives}, {"base_rate", m.base_rate},
                   {"roc_auc", m.roc_auc},   {"pr_auc", m.pr_auc},       {"log_loss", m.log_loss},
                   {"brier", m.brier}};
  j["calibration"] = nlohmann::json::array();
  for (const CalibrationBin& b : m.calibration) {
    j["calibration"].push_back({{"low", b.low}, {"high", b.high}, {"count", b.count},
                                {"mean_predicted", b.mean_predicted}, {"observed_rate", b.observed_rate}});
  }
  j["deciles"] = nlohmann::json::array();
  for (const DecileRow& d : m.deciles) {
    j["deciles"].push_back({{"decile", d.decile}, {"count", d.count}, {"positives", d.positives},
                            {"churn_rate", d.churn_rate}, {"lift", d.lift}, {"cumulative_gain", d.cumulative_gain}});
  }
  const Confusion& c = m.confusion;
  j["confusion"] = {{"threshold", c.threshold},           {"true_positives", c.true_positives},
                    {"false_positives", c.false_positives}, {"true_negatives", c.true_negatives},
                    {"false_negatives", c.false_negatives}, {"precision", c.precision},
                    {"recall", c.recall}};
  return j;
}

}  // namespace custlake::churn
