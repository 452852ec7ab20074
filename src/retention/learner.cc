#include "retention/learner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace custlake::retention {

namespace {

constexpr uint64_t kFoldSalt = 0x51ed2701, kStopSalt = 0x7a3c9e11;
constexpr int kStopShare = 10;  // one row group in ten: early stopping

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

churn::Dataset Rows(const churn::Dataset& d, const std::vector<size_t>& index, const std::vector<float>& target) {
  churn::Dataset out;
  out.feature_names = d.feature_names;
  out.ids.reserve(index.size());
  out.x.reserve(index.size() * d.cols());
  out.y.reserve(index.size());
  for (size_t r : index) {
    out.ids.push_back(d.ids[r]);
    out.x.insert(out.x.end(), d.Row(r), d.Row(r) + d.cols());
    out.y.push_back(target[r]);
  }
  return out;
}

/// A classifier of `target` on the rows `index`, early stopping on a tenth of their groups.
Result<churn::GbmModel> FitClassifier(const UpliftRows& rows, const std::vector<size_t>& index,
                                      const std::vector<float>& target, const churn::GbmOptions& options,
                                      const std::string& what) {
  std::vector<size_t> fit, stop;
  for (size_t r : index) (HashKey(rows.group[r], kStopSalt) % kStopShare == 0 ? stop : fit).push_back(r);
  double positives = 0;
  for (size_t r : fit) positives += target[r] > 0.5f;
  if (fit.empty() || stop.empty() || positives == 0 || positives == static_cast<double>(fit.size())) {
    return Status::InvalidArgument(fmt::format(
        "too few rows to fit the {} ({} rows, {} positive): the data needs more treated and control rows with "
        "both outcomes",
        what, fit.size(), positives));
  }
  return churn::GbmModel::Train(Rows(rows.data, fit, target), Rows(rows.data, stop, target), options);
}

struct Nuisance {
  std::vector<float> e, mu0, mu1;
};

constexpr size_t kMinOverlapRows = 200;  // fewer rows in the overlap: learn from all of them

/// The rows of `index` whose propensity (by `e`) is at least `trim`: where the treated and the
/// controls are alike enough to compare; all of `index` when trim is 0 or too few remain.
Result<std::vector<size_t>> Overlap(const UpliftRows& rows, const std::vector<size_t>& index, const churn::GbmModel& e,
                                    double trim);

std::vector<float> LogOdds(const std::vector<float>& p) {
  std::vector<float> out(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    const double q = std::clamp<double>(p[i], 1e-6, 1 - 1e-6);
    out[i] = static_cast<float>(std::log(q / (1 - q)));
  }
  return out;
}

churn::Dataset Rows(const churn::Dataset& d, const std::vector<size_t>& index, const std::vector<float>& target);

Result<std::vector<size_t>> Overlap(const UpliftRows& rows, const std::vector<size_t>& index, const churn::GbmModel& e,
                                    double trim) {
  if (trim <= 0) return index;
  ASSIGN_OR_RETURN(std::vector<float> p, e.Predict(Rows(rows.data, index, rows.data.y)));
  std::vector<size_t> out;
  for (size_t i = 0; i < index.size(); ++i) {
    if (p[i] >= trim) out.push_back(index[i]);
  }
  return out.size() < kMinOverlapRows ? index : out;
}

/// g: a classifier of the event on the treated rows `index` starting from mu0's log-odds.
Result<churn::GbmModel> FitShift(const UpliftRows& rows, const std::vector<size_t>& index, const churn::GbmModel& mu0,
                           const churn::GbmOptions& options, const std::string& what) {
  std::vector<size_t> fit, stop;
  for (size_t r : index) (HashKey(rows.group[r], kStopSalt) % kStopShare == 0 ? stop : fit).push_back(r);
  if (fit.empty() || stop.empty()) {
    return Status::InvalidArgument(fmt::format("too few treated rows to fit the {} ({} rows)", what, index.size()));
  }
  const churn::Dataset fit_rows = Rows(rows.data, fit, rows.data.y), stop_rows = Rows(rows.data, stop, rows.data.y);
  ASSIGN_OR_RETURN(std::vector<float> p_fit, mu0.Predict(fit_rows));
  ASSIGN_OR_RETURN(std::vector<float> p_stop, mu0.Predict(stop_rows));
  return churn::GbmModel::Train(fit_rows, stop_rows, options, churn::GbmModel::Objective::kLogistic, LogOdds(p_fit),
                          LogOdds(p_stop));
}

Status CrossFit(const UpliftRows& rows, const LearnerOptions& o, Nuisance* out) {
  const size_t n = rows.data.rows();
  out->e.assign(n, 0);
  out->mu0.assign(n, 0);
  out->mu1.assign(n, 0);
  std::vector<int> fold(n);
  for (size_t r = 0; r < n; ++r) fold[r] = static_cast<int>(HashKey(rows.group[r], kFoldSalt) % o.folds);
  for (int k = 0; k < o.folds; ++k) {
    std::vector<size_t> rest, rest_treated, rest_control, held;
    for (size_t r = 0; r < n; ++r) {
      if (fold[r] == k) {
        held.push_back(r);
        continue;
      }
      rest.push_back(r);
      (rows.treated[r] > 0.5f ? rest_treated : rest_control).push_back(r);
    }
    const std::string where = fmt::format(" (cross-fitting fold {} of {})", k + 1, o.folds);
    ASSIGN_OR_RETURN(churn::GbmModel e, FitClassifier(rows, rest, rows.treated, o.nuisance, "propensity model" + where));
    ASSIGN_OR_RETURN(churn::GbmModel mu0, FitClassifier(rows, rest_control, rows.data.y, o.nuisance,
                                                        "control outcome model" + where));
    ASSIGN_OR_RETURN(std::vector<size_t> overlap, Overlap(rows, rest_treated, e, o.trim));
    ASSIGN_OR_RETURN(churn::GbmModel shift, FitShift(rows, overlap, mu0, o.shift, "treated outcome model" + where));
    const churn::Dataset fold_rows = Rows(rows.data, held, rows.data.y);
    ASSIGN_OR_RETURN(std::vector<float> pe, e.Predict(fold_rows));
    ASSIGN_OR_RETURN(std::vector<float> p0, mu0.Predict(fold_rows));
    ASSIGN_OR_RETURN(std::vector<float> p1, shift.Predict(fold_rows, LogOdds(p0)));
    for (size_t i = 0; i < held.size(); ++i) {
      out->e[held[i]] = pe[i];
      out->mu0[held[i]] = p0[i];
      out->mu1[held[i]] = p1[i];
    }
  }
  return Status::OK();
}

/// The pseudo-outcomes; *clipped counts the propensities moved to the bounds.
std::vector<float> PseudoOutcomes(const UpliftRows& rows, const Nuisance& nu, double clip, int64_t* clipped) {
  std::vector<float> psi(rows.data.rows());
  for (size_t r = 0; r < psi.size(); ++r) {
    const double e = std::clamp<double>(nu.e[r], clip, 1 - clip);
    *clipped += e != nu.e[r];
    const double t = rows.treated[r], y = rows.data.y[r];
    psi[r] = static_cast<float>(nu.mu0[r] - nu.mu1[r] + (1 - t) * (y - nu.mu0[r]) / (1 - e) -
                                t * (y - nu.mu1[r]) / e);
  }
  return psi;
}

}  // namespace

namespace {

/// One stage's boosting: at most 400 rounds, stopping 30 rounds after the best; set here in full,
/// not inherited from churn::GbmOptions' defaults.
churn::GbmOptions Stage(double eta, int max_depth, double min_child_weight) {
  churn::GbmOptions o;
  o.eta = eta;
  o.max_depth = max_depth;
  o.min_child_weight = min_child_weight;
  o.max_rounds = 400;
  o.early_stopping_rounds = 30;
  return o;
}

}  // namespace

LearnerOptions::LearnerOptions()
    : nuisance(Stage(0.1, 4, 5)), shift(Stage(0.05, 2, 50)), uplift(Stage(0.05, 3, 100)) {}

Status LearnerOptions::Validate() const {
  if (folds < 2 || folds > 10) return Status::InvalidArgument("--folds must be 2 to 10");
  if (!(clip > 0 && clip < 0.5)) return Status::InvalidArgument("--clip must be in (0, 0.5)");
  if (!(trim >= 0 && trim < 0.5)) return Status::InvalidArgument("--trim must be in [0, 0.5)");
  RETURN_NOT_OK(nuisance.Validate());
  RETURN_NOT_OK(shift.Validate());
  return uplift.Validate();
}

nlohmann::json LearnerOptions::ToJson() const {
  return {{"learner", "dr"}, {"folds", folds}, {"propensity_clip", clip}, {"overlap_trim", trim},
          {"nuisance", nuisance.ToJson()}, {"shift", shift.ToJson()},
          {"uplift", uplift.ToJson()}};
}

std::vector<float> EvaluationWeights(const std::vector<float>& propensity, const std::vector<float>& treated,
                                     double clip) {
  std::vector<float> w(propensity.size());
  for (size_t r = 0; r < w.size(); ++r) {
    const double e = std::clamp<double>(propensity[r], clip, 1 - clip);
    w[r] = static_cast<float>(treated[r] > 0.5f ? 1 / e : 1 / (1 - e));
  }
  return w;
}

Result<std::vector<float>> PredictUplift(const churn::GbmModel& uplift, const churn::GbmModel& p_event, const churn::GbmModel& shift,
                                         const churn::Dataset& data, const EffectModel* effect) {
  ASSIGN_OR_RETURN(std::vector<float> p0, p_event.Predict(data));
  if (effect != nullptr) {
    ASSIGN_OR_RETURN(EffectDrivers drivers, ExtractDrivers(data));
    return EffectUplift(*effect, drivers, p0);
  }
  ASSIGN_OR_RETURN(std::vector<float> p1, shift.Predict(data, LogOdds(p0)));
  std::vector<float> plug_in(p0.size());
  for (size_t r = 0; r < p0.size(); ++r) plug_in[r] = p0[r] - p1[r];
  ASSIGN_OR_RETURN(std::vector<float> u, uplift.Predict(data, plug_in));
  // The uplift is p0 - p1 for some p1 in [0, 1]: an offer cannot keep more than would have left,
  // nor lose more than would have stayed (the regression's corrections are not bounded by that).
  for (size_t r = 0; r < u.size(); ++r) u[r] = std::clamp(u[r], p0[r] - 1.0f, p0[r]);
  return u;
}

Result<EffectModel> FitEffectOnDrivers(const UpliftRows& rows, const TrainedLearner& learner, double trim) {
  ASSIGN_OR_RETURN(EffectDrivers drivers, ExtractDrivers(rows.data));
  ASSIGN_OR_RETURN(std::vector<float> p0, learner.p_event.Predict(rows.data));
  ASSIGN_OR_RETURN(std::vector<float> e, learner.propensity.Predict(rows.data));
  std::vector<bool> use(e.size(), true);
  size_t kept = 0;
  for (size_t r = 0; r < e.size(); ++r) kept += e[r] >= trim;
  if (trim > 0 && kept >= kMinOverlapRows) {
    for (size_t r = 0; r < e.size(); ++r) use[r] = e[r] >= trim;
  }
  return FitEffectModel(drivers, p0, rows.treated, rows.data.y, use);
}

uint64_t HashKey(uint64_t key, uint64_t salt) {
  uint64_t z = key + salt * 0x9e3779b97f4a7c15ULL + 0x9e3779b97f4a7c15ULL;  // splitmix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

UpliftRows Subset(const UpliftRows& rows, const std::vector<bool>& keep) {
  std::vector<size_t> index;
  for (size_t r = 0; r < keep.size(); ++r) {
    if (keep[r]) index.push_back(r);
  }
  UpliftRows out;
  out.data = Rows(rows.data, index, rows.data.y);
  for (size_t r : index) {
    out.treated.push_back(rows.treated[r]);
    out.group.push_back(rows.group[r]);
  }
  return out;
}

Result<TrainedLearner> TrainDrLearner(const UpliftRows& rows, const LearnerOptions& options) {
  RETURN_NOT_OK(options.Validate());
  const auto start = std::chrono::steady_clock::now();
  Nuisance nu;
  RETURN_NOT_OK(CrossFit(rows, options, &nu));
  const double nuisance_s = SecondsSince(start);
  int64_t clipped = 0;
  const std::vector<float> psi = PseudoOutcomes(rows, nu, options.clip, &clipped);
  std::vector<size_t> all(rows.data.rows()), fit, stop, control;
  size_t overlap_rows = 0;
  for (size_t r = 0; r < all.size(); ++r) overlap_rows += nu.e[r] >= options.trim;
  const bool trim = options.trim > 0 && overlap_rows >= kMinOverlapRows;
  for (size_t r = 0; r < all.size(); ++r) {
    all[r] = r;
    if (!trim || nu.e[r] >= options.trim) (HashKey(rows.group[r], kStopSalt) % kStopShare == 0 ? stop : fit).push_back(r);
    if (rows.treated[r] <= 0.5f) control.push_back(r);
  }
  if (fit.empty() || stop.empty()) return Status::InvalidArgument("too few rows to fit the uplift model");
  std::vector<float> plug_in(psi.size());
  for (size_t r = 0; r < psi.size(); ++r) plug_in[r] = nu.mu0[r] - nu.mu1[r];
  auto at = [](const std::vector<float>& v, const std::vector<size_t>& index) {
    std::vector<float> out;
    out.reserve(index.size());
    for (size_t r : index) out.push_back(v[r]);
    return out;
  };
  ASSIGN_OR_RETURN(churn::GbmModel uplift,
                   churn::GbmModel::Train(Rows(rows.data, fit, psi), Rows(rows.data, stop, psi), options.uplift,
                                    churn::GbmModel::Objective::kSquaredError, at(plug_in, fit), at(plug_in, stop)));
  ASSIGN_OR_RETURN(churn::GbmModel p_event,
                   FitClassifier(rows, control, rows.data.y, options.nuisance, "churn model without offer"));
  std::vector<size_t> treated;
  for (size_t r = 0; r < all.size(); ++r) {
    if (rows.treated[r] > 0.5f) treated.push_back(r);
  }
  ASSIGN_OR_RETURN(churn::GbmModel propensity,
                   FitClassifier(rows, all, rows.treated, options.nuisance, "propensity model"));
  ASSIGN_OR_RETURN(std::vector<size_t> treated_overlap, Overlap(rows, treated, propensity, options.trim));
  ASSIGN_OR_RETURN(churn::GbmModel shift, FitShift(rows, treated_overlap, p_event, options.shift, "treated outcome model"));
  double mean_psi = 0;
  for (float v : psi) mean_psi += v;
  nlohmann::json info{{"rows", rows.data.rows()},
                      {"clipped_propensities", clipped},
                      {"clipped_share", rows.data.rows() ? static_cast<double>(clipped) / rows.data.rows() : 0},
                      {"mean_pseudo_outcome", rows.data.rows() ? mean_psi / rows.data.rows() : 0},
                      {"uplift_rounds", uplift.best_iteration() + 1},
                      {"shift_rounds", shift.best_iteration() + 1},
                      {"overlap_rows", trim ? overlap_rows : rows.data.rows()},
                      {"overlap_treated_rows", treated_overlap.size()},
                      {"churn_rounds", p_event.best_iteration() + 1},
                      {"nuisance_seconds", nuisance_s},
                      {"total_seconds", SecondsSince(start)}};
  spdlog::info("retention: DR-learner on {} rows: {} propensities clipped to [{}, {}], {} uplift rounds", rows.data.rows(),
               clipped, options.clip, 1 - options.clip, uplift.best_iteration() + 1);
  return TrainedLearner{std::move(uplift), std::move(p_event), std::move(shift), std::move(propensity), std::move(info)};
}

}  // namespace custlake::retention
