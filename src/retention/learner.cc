#include "retention/learner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <optional>
#include <thread>

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
/// A model's probabilities for a dataset's rows: one booster's, or the mean of the folds'.
using Predictor = std::function<Result<std::vector<float>>(const churn::Dataset&)>;

Predictor Of(const churn::GbmModel& m) {
  return [&m](const churn::Dataset& d) { return m.Predict(d); };
}

/// The mean of `models`' probabilities (the cross-fitting folds' models of one kind).
Predictor MeanOf(std::vector<const churn::GbmModel*> models) {
  return [models](const churn::Dataset& d) -> Result<std::vector<float>> {
    std::vector<float> mean(d.rows(), 0);
    for (const churn::GbmModel* m : models) {
      ASSIGN_OR_RETURN(std::vector<float> p, m->Predict(d));
      for (size_t r = 0; r < p.size(); ++r) mean[r] += p[r] / static_cast<float>(models.size());
    }
    return mean;
  };
}

std::vector<float> LogOdds(const std::vector<float>& p) {
  std::vector<float> out(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    const double q = std::clamp<double>(p[i], 1e-6, 1 - 1e-6);
    out[i] = static_cast<float>(std::log(q / (1 - q)));
  }
  return out;
}

churn::Dataset Rows(const churn::Dataset& d, const std::vector<size_t>& index, const std::vector<float>& target);

Result<std::vector<size_t>> Overlap(const UpliftRows& rows, const std::vector<size_t>& index, const Predictor& e,
                                    double trim) {
  if (trim <= 0) return index;
  ASSIGN_OR_RETURN(std::vector<float> p, e(Rows(rows.data, index, rows.data.y)));
  std::vector<size_t> out;
  for (size_t i = 0; i < index.size(); ++i) {
    if (p[i] >= trim) out.push_back(index[i]);
  }
  return out.size() < kMinOverlapRows ? index : out;
}

/// g: a classifier of the event on the treated rows `index` starting from mu0's log-odds.
Result<churn::GbmModel> FitShift(const UpliftRows& rows, const std::vector<size_t>& index, const Predictor& mu0,
                           const churn::GbmOptions& options, const std::string& what) {
  std::vector<size_t> fit, stop;
  for (size_t r : index) (HashKey(rows.group[r], kStopSalt) % kStopShare == 0 ? stop : fit).push_back(r);
  if (fit.empty() || stop.empty()) {
    return Status::InvalidArgument(fmt::format("too few treated rows to fit the {} ({} rows)", what, index.size()));
  }
  const churn::Dataset fit_rows = Rows(rows.data, fit, rows.data.y), stop_rows = Rows(rows.data, stop, rows.data.y);
  ASSIGN_OR_RETURN(std::vector<float> p_fit, mu0(fit_rows));
  ASSIGN_OR_RETURN(std::vector<float> p_stop, mu0(stop_rows));
  return churn::GbmModel::Train(fit_rows, stop_rows, options, churn::GbmModel::Objective::kLogistic, LogOdds(p_fit),
                          LogOdds(p_stop));
}

/// One booster's fit (and what it predicts right after), named for the timings.
struct Job {
  std::string name;
  std::function<Status()> run;
};

/// Runs `jobs` on up to `workers` threads (each job one booster, independent of the others); the
/// first failed job's status in job order. Appends each job's name and wall seconds to `timings`.
Status RunConcurrently(const std::vector<Job>& jobs, int workers, nlohmann::json* timings) {
  std::vector<Status> status(jobs.size(), Status::OK());
  std::vector<double> seconds(jobs.size(), 0);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t j; (j = next++) < jobs.size();) {
      const auto start = std::chrono::steady_clock::now();
      status[j] = jobs[j].run();
      seconds[j] = SecondsSince(start);
    }
  };
  std::vector<std::thread> threads;
  for (int w = 1; w < std::min<int>(workers, static_cast<int>(jobs.size())); ++w) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  for (size_t j = 0; j < jobs.size(); ++j) timings->push_back({{"step", jobs[j].name}, {"seconds", seconds[j]}});
  for (const Status& st : status) RETURN_NOT_OK(st);
  return Status::OK();
}

/// The boosters the learner fits, in the order they can run: the nuisance models first (both
/// folds' propensity and control outcome models and their refits on every row, independent of one
/// another), then the shifts that start from them, then the uplift regression.
struct Boosters {
  struct Fold {
    std::vector<size_t> rest, rest_treated, rest_control, held, overlap;
    std::optional<churn::GbmModel> e, mu0, shift;
  };
  std::vector<Fold> folds;
  std::optional<churn::GbmModel> propensity, p_event, shift;
  std::vector<size_t> treated_overlap;
};

/// Fits the cross-fitting folds' models and the refits on every row, concurrently where they do not
/// depend on each other (`workers` boosters at a time, one thread each); fills out-of-fold e, mu0, mu1
/// and each step's wall seconds.
Status FitNuisance(const UpliftRows& rows, const LearnerOptions& o, int workers, Boosters* b, Nuisance* out,
                   nlohmann::json* timings) {
  const size_t n = rows.data.rows();
  out->e.assign(n, 0);
  out->mu0.assign(n, 0);
  out->mu1.assign(n, 0);
  churn::GbmOptions nuisance = o.nuisance, shift = o.shift;
  if (workers > 1) nuisance.threads = shift.threads = 1;  // parallel across boosters, not within one
  b->folds.resize(o.folds);
  std::vector<size_t> all(n), control, treated;
  for (size_t r = 0; r < n; ++r) {
    all[r] = r;
    (rows.treated[r] > 0.5f ? treated : control).push_back(r);
    auto& f = b->folds[HashKey(rows.group[r], kFoldSalt) % o.folds];
    f.held.push_back(r);
  }
  for (int k = 0; k < o.folds; ++k) {
    for (int other = 0; other < o.folds; ++other) {
      if (other == k) continue;
      for (size_t r : b->folds[other].held) {
        b->folds[k].rest.push_back(r);
        (rows.treated[r] > 0.5f ? b->folds[k].rest_treated : b->folds[k].rest_control).push_back(r);
      }
    }
    for (auto* v : {&b->folds[k].rest, &b->folds[k].rest_treated, &b->folds[k].rest_control}) std::sort(v->begin(), v->end());
  }
  auto where = [&](int k) { return fmt::format(" (cross-fitting fold {} of {})", k + 1, o.folds); };
  std::vector<Job> first;
  for (int k = 0; k < o.folds; ++k) {
    Boosters::Fold& f = b->folds[k];
    first.push_back({"propensity" + where(k), [&, k] {
      ASSIGN_OR_RETURN(f.e, FitClassifier(rows, f.rest, rows.treated, nuisance, "propensity model" + where(k)));
      return Status::OK();
    }});
    first.push_back({"control outcome" + where(k), [&, k] {
      ASSIGN_OR_RETURN(f.mu0, FitClassifier(rows, f.rest_control, rows.data.y, nuisance,
                                            "control outcome model" + where(k)));
      return Status::OK();
    }});
  }
  if (o.refit) {
    first.push_back({"control outcome (refit on every row)", [&] {
      ASSIGN_OR_RETURN(b->p_event, FitClassifier(rows, control, rows.data.y, nuisance, "churn model without offer"));
      return Status::OK();
    }});
    first.push_back({"propensity (refit on every row)", [&] {
      ASSIGN_OR_RETURN(b->propensity, FitClassifier(rows, all, rows.treated, nuisance, "propensity model"));
      return Status::OK();
    }});
  }
  RETURN_NOT_OK(RunConcurrently(first, workers, timings));
  std::vector<Job> second;
  for (int k = 0; k < o.folds; ++k) {
    Boosters::Fold& f = b->folds[k];
    second.push_back({"shift and out-of-fold predictions" + where(k), [&, k] {
      ASSIGN_OR_RETURN(f.overlap, Overlap(rows, f.rest_treated, Of(*f.e), o.trim));
      const std::vector<size_t>& overlap = f.overlap;
      ASSIGN_OR_RETURN(f.shift, FitShift(rows, overlap, Of(*f.mu0), shift, "treated outcome model" + where(k)));
      const churn::Dataset fold_rows = Rows(rows.data, f.held, rows.data.y);
      ASSIGN_OR_RETURN(std::vector<float> pe, f.e->Predict(fold_rows));
      ASSIGN_OR_RETURN(std::vector<float> p0, f.mu0->Predict(fold_rows));
      ASSIGN_OR_RETURN(std::vector<float> p1, f.shift->Predict(fold_rows, LogOdds(p0)));
      for (size_t i = 0; i < f.held.size(); ++i) {  // the folds' rows are disjoint: no two jobs write one row
        out->e[f.held[i]] = pe[i];
        out->mu0[f.held[i]] = p0[i];
        out->mu1[f.held[i]] = p1[i];
      }
      return Status::OK();
    }});
  }
  // g on every treated row of the overlap: from the refitted e and mu0, or from the folds' means.
  std::vector<const churn::GbmModel*> fold_e, fold_mu0;
  for (const Boosters::Fold& f : b->folds) {
    fold_e.push_back(&*f.e);
    fold_mu0.push_back(&*f.mu0);
  }
  const Predictor e_all = o.refit ? Of(*b->propensity) : MeanOf(fold_e);
  const Predictor mu0_all = o.refit ? Of(*b->p_event) : MeanOf(fold_mu0);
  second.push_back({"shift on every treated overlap row", [&] {
    ASSIGN_OR_RETURN(b->treated_overlap, Overlap(rows, treated, e_all, o.trim));
    ASSIGN_OR_RETURN(b->shift, FitShift(rows, b->treated_overlap, mu0_all, shift, "treated outcome model"));
    return Status::OK();
  }});
  return RunConcurrently(second, workers, timings);
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
          {"uplift", uplift.ToJson()}, {"refit", refit}};
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

Result<std::vector<float>> PredictUpliftFromFolds(const TrainedLearner& learner, const churn::Dataset& data) {
  if (learner.folds.empty()) return PredictUplift(learner.uplift, learner.p_event, learner.shift, data);
  std::vector<const churn::GbmModel*> mu0;
  for (const FoldModels& f : learner.folds) mu0.push_back(&f.mu0);
  ASSIGN_OR_RETURN(std::vector<float> p0, MeanOf(mu0)(data));
  ASSIGN_OR_RETURN(std::vector<float> p1, learner.shift.Predict(data, LogOdds(p0)));
  std::vector<float> plug_in(p0.size());
  for (size_t r = 0; r < p0.size(); ++r) plug_in[r] = p0[r] - p1[r];
  ASSIGN_OR_RETURN(std::vector<float> u, learner.uplift.Predict(data, plug_in));
  for (size_t r = 0; r < u.size(); ++r) u[r] = std::clamp(u[r], p0[r] - 1.0f, p0[r]);  // as PredictUplift
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
  const int workers = options.nuisance.threads > 0 ? options.nuisance.threads
                                                   : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  Nuisance nu;
  Boosters b;
  nlohmann::json steps = nlohmann::json::array();
  RETURN_NOT_OK(FitNuisance(rows, options, workers, &b, &nu, &steps));
  const double nuisance_s = SecondsSince(start);
  int64_t clipped = 0;
  const std::vector<float> psi = PseudoOutcomes(rows, nu, options.clip, &clipped);
  std::vector<size_t> fit, stop;
  size_t overlap_rows = 0;
  for (size_t r = 0; r < psi.size(); ++r) overlap_rows += nu.e[r] >= options.trim;
  const bool trim = options.trim > 0 && overlap_rows >= kMinOverlapRows;
  for (size_t r = 0; r < psi.size(); ++r) {
    if (!trim || nu.e[r] >= options.trim) (HashKey(rows.group[r], kStopSalt) % kStopShare == 0 ? stop : fit).push_back(r);
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
  const auto uplift_start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(churn::GbmModel uplift,
                   churn::GbmModel::Train(Rows(rows.data, fit, psi), Rows(rows.data, stop, psi), options.uplift,
                                    churn::GbmModel::Objective::kSquaredError, at(plug_in, fit), at(plug_in, stop)));
  steps.push_back({{"step", "uplift (pseudo-outcome regression)"}, {"seconds", SecondsSince(uplift_start)}});
  std::vector<FoldModels> folds;
  if (!options.refit) {  // the first fold's models stand in the refits' places; predictions use every fold's
    auto copy = [](const churn::GbmModel& m) -> Result<churn::GbmModel> {
      ASSIGN_OR_RETURN(std::string json, m.Save());
      return churn::GbmModel::Load(json, m.feature_names());
    };
    for (size_t k = 1; k < b.folds.size(); ++k) folds.push_back({std::move(*b.folds[k].mu0)});
    ASSIGN_OR_RETURN(churn::GbmModel mu0, copy(*b.folds[0].mu0));
    folds.insert(folds.begin(), {std::move(mu0)});
    b.p_event = std::move(b.folds[0].mu0);
    b.propensity = std::move(b.folds[0].e);
  }
  double mean_psi = 0;
  for (float v : psi) mean_psi += v;
  nlohmann::json info{{"rows", rows.data.rows()},
                      {"clipped_propensities", clipped},
                      {"clipped_share", rows.data.rows() ? static_cast<double>(clipped) / rows.data.rows() : 0},
                      {"mean_pseudo_outcome", rows.data.rows() ? mean_psi / rows.data.rows() : 0},
                      {"uplift_rounds", uplift.best_iteration() + 1},
                      {"shift_rounds", b.shift->best_iteration() + 1},
                      {"overlap_rows", trim ? overlap_rows : rows.data.rows()},
                      {"overlap_treated_rows", b.treated_overlap.size()},
                      {"churn_rounds", b.p_event->best_iteration() + 1},
                      {"propensity_rounds", b.propensity->best_iteration() + 1},
                      {"boosters_at_once", workers},
                      {"refit", options.refit},
                      {"nuisance_seconds", nuisance_s},
                      {"steps", steps},
                      {"total_seconds", SecondsSince(start)}};
  spdlog::info("retention: DR-learner on {} rows: {} propensities clipped to [{}, {}], {} uplift rounds", rows.data.rows(),
               clipped, options.clip, 1 - options.clip, uplift.best_iteration() + 1);
  return TrainedLearner{std::move(uplift), std::move(*b.p_event), std::move(*b.shift), std::move(*b.propensity),
                        std::move(info), std::move(folds)};
}

}  // namespace custlake::retention
