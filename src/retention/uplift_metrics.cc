#include "retention/uplift_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace custlake::retention {

namespace {

struct Counts {
  double n_t = 0, n_c = 0, s_t = 0, s_c = 0;
};

double QiniValue(const Counts& c, double n) { return c.n_c > 0 ? (c.s_t - c.s_c * c.n_t / c.n_c) / n : 0; }
double UpliftValue(const Counts& c, double fraction) {
  return c.n_t > 0 && c.n_c > 0 ? (c.s_t / c.n_t - c.s_c / c.n_c) * fraction : 0;
}

std::vector<size_t> RankByScore(const std::vector<float>& score) {
  std::vector<size_t> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });
  return order;
}

/// Both curves at each tie group's end; the areas by trapezoids; ~100 points kept for charts.
struct Rows {
  const std::vector<float>& score;
  const std::vector<float>& treated;
  const std::vector<float>& event;
  const std::vector<float>& weights;
  double W(size_t r) const { return weights.empty() ? 1.0 : weights[r]; }
};

void Curves(const Rows& rows, const std::vector<size_t>& order, UpliftMetrics* m) {
  const auto& [score, treated, event, weights] = rows;
  double n = 0;
  for (size_t r = 0; r < score.size(); ++r) n += rows.W(r);
  Counts c;
  std::vector<CurvePoint> qini{{0, 0}}, uplift{{0, 0}};
  for (size_t i = 0; i < order.size(); ++i) {
    const size_t r = order[i];
    const double w = rows.W(r), success = event[r] > 0.5f ? 0 : w;
    if (treated[r] > 0.5f) {
      c.n_t += w;
      c.s_t += success;
    } else {
      c.n_c += w;
      c.s_c += success;
    }
    if (i + 1 < order.size() && score[order[i + 1]] == score[r]) continue;  // inside a tie group
    const double fraction = static_cast<double>(i + 1) / static_cast<double>(order.size());
    qini.push_back({fraction, QiniValue(c, n)});
    uplift.push_back({fraction, UpliftValue(c, fraction)});
  }
  double qini_area = 0, uplift_area = 0;
  for (size_t k = 1; k < qini.size(); ++k) {
    const double w = qini[k].fraction - qini[k - 1].fraction;
    qini_area += w * (qini[k].value + qini[k - 1].value) / 2;
    uplift_area += w * (uplift[k].value + uplift[k - 1].value) / 2;
  }
  m->qini_coefficient = qini_area - qini.back().value / 2;
  m->auuc = uplift_area;
  const size_t step = std::max<size_t>(1, qini.size() / 100);
  for (size_t k = 0; k < qini.size(); k += step) {
    m->qini.push_back(qini[k]);
    m->uplift.push_back(uplift[k]);
  }
  if (m->qini.back().fraction < 1) {
    m->qini.push_back(qini.back());
    m->uplift.push_back(uplift.back());
  }
}

void Deciles(const Rows& rows, const std::vector<size_t>& order, UpliftMetrics* m) {
  const auto& [score, treated, event, weights] = rows;
  const size_t n = order.size();
  double sw = 0, swx = 0, swy = 0, swxx = 0, swxy = 0;
  for (int d = 0; d < 10; ++d) {
    const size_t from = n * d / 10, to = n * (d + 1) / 10;
    if (from == to) continue;
    UpliftDecile row;
    row.decile = d + 1;
    double e_t = 0, e_c = 0, w_t = 0, w_c = 0, predicted = 0;
    for (size_t i = from; i < to; ++i) {
      const size_t r = order[i];
      const double w = rows.W(r);
      predicted += score[r];
      if (treated[r] > 0.5f) {
        ++row.treated;
        w_t += w;
        e_t += event[r] > 0.5f ? w : 0;
      } else {
        ++row.control;
        w_c += w;
        e_c += event[r] > 0.5f ? w : 0;
      }
    }
    row.predicted_uplift = predicted / static_cast<double>(to - from);
    if (row.treated > 0 && row.control > 0) {
      const double p_t = e_t / w_t, p_c = e_c / w_c;
      row.observed_uplift = p_c - p_t;
      row.observed_std_error = std::sqrt(p_t * (1 - p_t) / static_cast<double>(row.treated) +
                                         p_c * (1 - p_c) / static_cast<double>(row.control));
      const double w = 1.0 / std::max(row.observed_std_error * row.observed_std_error, 1e-6);
      sw += w;
      swx += w * row.predicted_uplift;
      swy += w * row.observed_uplift;
      swxx += w * row.predicted_uplift * row.predicted_uplift;
      swxy += w * row.predicted_uplift * row.observed_uplift;
    }
    m->deciles.push_back(row);
  }
  const double var = sw * swxx - swx * swx;
  m->calibration_slope = sw > 0 && var > 1e-12 ? (sw * swxy - swx * swy) / var : 0;
}

}  // namespace

UpliftMetrics EvaluateUplift(const std::vector<float>& predicted_uplift, const std::vector<float>& treated,
                             const std::vector<float>& event, const std::vector<float>& weights) {
  UpliftMetrics m;
  m.rows = static_cast<int64_t>(predicted_uplift.size());
  if (m.rows == 0 || treated.size() != predicted_uplift.size() || event.size() != predicted_uplift.size() ||
      (!weights.empty() && weights.size() != predicted_uplift.size())) {
    return m;
  }
  const Rows rows{predicted_uplift, treated, event, weights};
  double e_t = 0, e_c = 0, w_t = 0, w_c = 0;
  for (size_t r = 0; r < treated.size(); ++r) {
    const double w = rows.W(r);
    if (treated[r] > 0.5f) {
      ++m.treated;
      w_t += w;
      e_t += event[r] > 0.5f ? w : 0;
    } else {
      ++m.control;
      w_c += w;
      e_c += event[r] > 0.5f ? w : 0;
    }
  }
  m.treated_event_rate = w_t > 0 ? e_t / w_t : 0;
  m.control_event_rate = w_c > 0 ? e_c / w_c : 0;
  m.average_treatment_effect = m.control_event_rate - m.treated_event_rate;
  const std::vector<size_t> order = RankByScore(predicted_uplift);
  Curves(rows, order, &m);
  Deciles(rows, order, &m);
  return m;
}

nlohmann::json ToJson(const UpliftMetrics& m) {
  nlohmann::json qini = nlohmann::json::array(), uplift = nlohmann::json::array(), deciles = nlohmann::json::array();
  for (const CurvePoint& p : m.qini) qini.push_back({p.fraction, p.value});
  for (const CurvePoint& p : m.uplift) uplift.push_back({p.fraction, p.value});
  for (const UpliftDecile& d : m.deciles) {
    deciles.push_back({{"decile", d.decile},
                       {"treated", d.treated},
                       {"control", d.control},
                       {"predicted_uplift", d.predicted_uplift},
                       {"observed_uplift", d.observed_uplift},
                       {"observed_std_error", d.observed_std_error}});
  }
  return {{"rows", m.rows},
          {"treated", m.treated},
          {"control", m.control},
          {"treated_churn_rate", m.treated_event_rate},
          {"control_churn_rate", m.control_event_rate},
          {"average_treatment_effect", m.average_treatment_effect},
          {"qini_coefficient", m.qini_coefficient},
          {"auuc", m.auuc},
          {"calibration_slope", m.calibration_slope},
          {"deciles", deciles},
          {"qini_curve", qini},
          {"uplift_curve", uplift}};
}

}  // namespace custlake::retention
