#include "retention/regressor.h"

#include <fmt/format.h>
#include <xgboost/c_api.h>

#include <limits>

namespace custlake::retention {

namespace {

Status XgbStatus(int rc, const char* what) {
  if (rc == 0) return Status::OK();
  return Status::Internal(fmt::format("XGBoost {}: {}", what, XGBGetLastError()));
}

#define XGB_OK(call, what) RETURN_NOT_OK(XgbStatus((call), (what)))

class Matrix {
 public:
  ~Matrix() {
    if (handle_) XGDMatrixFree(handle_);
  }
  static Result<std::unique_ptr<Matrix>> From(const churn::Dataset& d, bool with_labels,
                                               const std::vector<float>& margin) {
    auto m = std::make_unique<Matrix>();
    XGB_OK(XGDMatrixCreateFromMat(d.x.data(), d.rows(), d.cols(), std::numeric_limits<float>::quiet_NaN(),
                                  &m->handle_),
           "DMatrix");
    if (with_labels) XGB_OK(XGDMatrixSetFloatInfo(m->handle_, "label", d.y.data(), d.rows()), "targets");
    if (!margin.empty()) {
      if (margin.size() != d.rows()) return Status::Internal("a base margin per row is needed");
      XGB_OK(XGDMatrixSetFloatInfo(m->handle_, "base_margin", margin.data(), d.rows()), "base margin");
    }
    return m;
  }
  DMatrixHandle handle() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

Status SetParams(BoosterHandle b, const churn::GbmOptions& o, bool logistic) {
  const std::vector<std::pair<std::string, std::string>> params{
      {"objective", logistic ? "binary:logistic" : "reg:squarederror"},
      {"eval_metric", logistic ? "logloss" : "rmse"},
      {"tree_method", "hist"},
      {"verbosity", "0"},
      {"eta", fmt::format("{}", o.eta)},
      {"max_depth", std::to_string(o.max_depth)},
      {"min_child_weight", fmt::format("{}", o.min_child_weight)},
      {"subsample", fmt::format("{}", o.subsample)},
      {"colsample_bytree", fmt::format("{}", o.colsample_bytree)},
      {"lambda", fmt::format("{}", o.lambda)},
      {"seed", std::to_string(o.seed)},
  };
  for (const auto& [name, value] : params) XGB_OK(XGBoosterSetParam(b, name.c_str(), value.c_str()), name.c_str());
  if (o.threads > 0) XGB_OK(XGBoosterSetParam(b, "nthread", std::to_string(o.threads).c_str()), "nthread");
  return Status::OK();
}

Result<double> ValidationLoss(const char* eval, bool logistic) {
  const std::string text(eval), key = logistic ? "valid-logloss:" : "valid-rmse:";
  size_t at = text.find(key);
  if (at == std::string::npos) return Status::Internal("XGBoost evaluation without " + key + " " + text);
  return std::stod(text.substr(at + key.size()));
}

}  // namespace

struct Regressor::Booster {
  BoosterHandle handle = nullptr;
  ~Booster() {
    if (handle) XGBoosterFree(handle);
  }
};

Regressor::Regressor(std::unique_ptr<Booster> booster, size_t features)
    : booster_(std::move(booster)), features_(features) {}
Regressor::Regressor(Regressor&&) noexcept = default;
Regressor& Regressor::operator=(Regressor&&) noexcept = default;
Regressor::~Regressor() = default;

Result<Regressor> Regressor::Train(const churn::Dataset& train, const churn::Dataset& valid,
                                   const churn::GbmOptions& options, Objective objective,
                                   const std::vector<float>& train_margin, const std::vector<float>& valid_margin) {
  RETURN_NOT_OK(options.Validate());
  if (train.rows() == 0 || valid.rows() == 0) return Status::InvalidArgument("no training or validation rows");
  const bool logistic = objective == Objective::kLogistic;
  ASSIGN_OR_RETURN(auto dtrain, Matrix::From(train, true, train_margin));
  ASSIGN_OR_RETURN(auto dvalid, Matrix::From(valid, true, valid_margin));
  DMatrixHandle both[2] = {dtrain->handle(), dvalid->handle()};
  const char* names[2] = {"train", "valid"};
  auto full = std::make_unique<Booster>();
  XGB_OK(XGBoosterCreate(both, 2, &full->handle), "create");
  RETURN_NOT_OK(SetParams(full->handle, options, logistic));
  double best = std::numeric_limits<double>::infinity();
  int best_iteration = 0;
  for (int iteration = 0; iteration < options.max_rounds; ++iteration) {
    XGB_OK(XGBoosterUpdateOneIter(full->handle, iteration, dtrain->handle()), "training round");
    const char* eval = nullptr;
    XGB_OK(XGBoosterEvalOneIter(full->handle, iteration, both, names, 2, &eval), "evaluation");
    ASSIGN_OR_RETURN(double rmse, ValidationLoss(eval, logistic));
    if (rmse < best) {
      best = rmse;
      best_iteration = iteration;
    } else if (iteration - best_iteration >= options.early_stopping_rounds) {
      break;
    }
  }
  auto kept = std::make_unique<Booster>();
  XGB_OK(XGBoosterSlice(full->handle, 0, best_iteration + 1, 1, &kept->handle), "slice to the best round");
  Regressor model(std::move(kept), train.cols());
  model.best_iteration_ = best_iteration;
  model.best_rmse_ = best;
  return model;
}

Result<Regressor> Regressor::Load(const std::string& model_json, size_t features) {
  auto booster = std::make_unique<Booster>();
  XGB_OK(XGBoosterCreate(nullptr, 0, &booster->handle), "create");
  XGB_OK(XGBoosterLoadModelFromBuffer(booster->handle, model_json.data(), model_json.size()), "load model");
  return Regressor(std::move(booster), features);
}

Result<std::string> Regressor::Save() const {
  bst_ulong length = 0;
  const char* bytes = nullptr;
  XGB_OK(XGBoosterSaveModelToBuffer(booster_->handle, R"({"format": "json"})", &length, &bytes), "save model");
  return std::string(bytes, length);
}

Result<std::vector<float>> Regressor::Predict(const churn::Dataset& data, const std::vector<float>& margin) const {
  if (data.cols() != features_) {
    return Status::InvalidArgument(fmt::format("the uplift model has {} features, the data {}", features_, data.cols()));
  }
  if (data.rows() == 0) return std::vector<float>{};
  ASSIGN_OR_RETURN(auto matrix, Matrix::From(data, false, margin));
  const char* config =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* out = nullptr;
  XGB_OK(XGBoosterPredictFromDMatrix(booster_->handle, matrix->handle(), config, &shape, &dims, &out), "predict");
  return std::vector<float>(out, out + data.rows());
}

}  // namespace custlake::retention
