#include "retention/policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <set>

namespace custlake::retention {

namespace {

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out;
  size_t from = 0;
  for (;;) {
    size_t to = line.find(',', from);
    out.push_back(line.substr(from, to == std::string::npos ? std::string::npos : to - from));
    if (to == std::string::npos) break;
    from = to + 1;
  }
  if (!out.empty() && !out.back().empty() && out.back().back() == '\r') out.back().pop_back();
  return out;
}

/// -sum of the effects of the top k rows by `score` (ties by id, for a stable answer).
double SavedByTop(const std::vector<float>& score, const std::vector<int64_t>& ids, const std::vector<double>& saving,
                  size_t k) {
  std::vector<size_t> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  k = std::min(k, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(), [&](size_t a, size_t b) {
    return score[a] != score[b] ? score[a] > score[b] : ids[a] < ids[b];
  });
  double saved = 0;
  for (size_t i = 0; i < k; ++i) saved += saving[order[i]];
  return saved;
}

}  // namespace

Result<OfferEffects> ReadOfferEffects(const std::string& truth_file, const std::vector<std::string>& months) {
  std::ifstream in(truth_file);
  if (!in) return Status::NotFound("cannot read " + truth_file);
  std::string line;
  if (!std::getline(in, line)) return Status::InvalidArgument(truth_file + ": the file is empty");
  const std::vector<std::string> header = SplitCsv(line);
  auto column = [&](const std::string& name) -> int {
    auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  };
  const int id_col = column("customer_id"), month_col = column("month"), effect_col = column("offer_effect");
  if (id_col < 0 || month_col < 0 || effect_col < 0) {
    return Status::InvalidArgument(fmt::format(
        "{}:1: the header ({}) lacks {}: the policy table needs the generator's true offer effects "
        "(customer_id, month, offer_effect); generate the company again with a custlake whose generator writes "
        "them (docs/generate.md, Truth)",
        truth_file, line, id_col < 0 ? "customer_id" : month_col < 0 ? "month" : "offer_effect"));
  }
  const std::set<std::string> wanted(months.begin(), months.end());
  const size_t width = header.size();
  OfferEffects out;
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    const std::vector<std::string> cells = SplitCsv(line);
    if (cells.size() != width) {
      return Status::Corruption(fmt::format("{}:{}: {} columns, the header has {}", truth_file, line_no, cells.size(), width));
    }
    if (!wanted.count(cells[month_col].substr(0, 7))) continue;
    try {
      out[cells[month_col].substr(0, 7)][std::stoll(cells[id_col])] = std::stof(cells[effect_col]);
    } catch (const std::exception&) {
      return Status::Corruption(fmt::format("{}:{}: customer_id '{}' or offer_effect '{}' is not a number", truth_file,
                                            line_no, cells[id_col], cells[effect_col]));
    }
  }
  return out;
}

nlohmann::json PolicyTable(const std::vector<PolicyInputs>& months, const OfferEffects& effects,
                           const std::vector<double>& budgets) {
  nlohmann::json rows = nlohmann::json::array();
  int64_t customers = 0, matched = 0;
  for (double budget : budgets) {
    double random = 0, churn = 0, value = 0, uplift = 0, oracle = 0;
    int64_t targeted = 0;
    customers = matched = 0;
    for (const PolicyInputs& m : months) {
      auto month_effects = effects.find(m.month);
      std::vector<double> saving(m.ids.size(), 0);
      std::vector<float> truth_score(m.ids.size(), 0);
      double total = 0;
      for (size_t r = 0; r < m.ids.size(); ++r) {
        if (month_effects == effects.end()) break;
        auto it = month_effects->second.find(m.ids[r]);
        if (it == month_effects->second.end()) continue;
        ++matched;
        saving[r] = -static_cast<double>(it->second);
        truth_score[r] = -it->second;
        total += saving[r];
      }
      customers += static_cast<int64_t>(m.ids.size());
      const size_t k = static_cast<size_t>(std::llround(budget * static_cast<double>(m.ids.size())));
      targeted += static_cast<int64_t>(k);
      random += m.ids.empty() ? 0 : static_cast<double>(k) * total / static_cast<double>(m.ids.size());
      churn += SavedByTop(m.churn_probability, m.ids, saving, k);
      value += SavedByTop(m.value_at_risk, m.ids, saving, k);
      uplift += SavedByTop(m.uplift, m.ids, saving, k);
      oracle += SavedByTop(truth_score, m.ids, saving, k);
    }
    auto share = [&](double v) { return oracle != 0 ? v / oracle : 0.0; };
    rows.push_back({{"budget_share", budget},
                    {"targeted", targeted},
                    {"saved", {{"random", random}, {"churn_probability", churn}, {"value_at_risk", value},
                               {"uplift", uplift}, {"oracle", oracle}}},
                    {"share_of_oracle", {{"random", share(random)}, {"churn_probability", share(churn)},
                                         {"value_at_risk", share(value)}, {"uplift", share(uplift)}, {"oracle", 1.0}}}});
  }
  bool goal = !rows.empty();
  for (const auto& r : rows) {
    goal = goal && r["share_of_oracle"]["uplift"].get<double>() >= 0.8 &&
           r["saved"]["uplift"].get<double>() > r["saved"]["churn_probability"].get<double>();
  }
  return {{"customers", customers}, {"matched_in_truth", matched}, {"budgets", rows}, {"goal_met", goal}};
}

}  // namespace custlake::retention
