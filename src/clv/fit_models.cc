// The models' fits: data-driven starting points, then MaximiseLikelihood.
#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "clv/fitter.h"

namespace custlake::clv {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Three starts spread around the data's purchase rate (transactions per unit).
std::vector<std::vector<double>> CountStarts(const CountModel& model, double rate, double mean_T) {
  if (model.name == "pnbd") {
    return {{1, 1 / rate, 1, mean_T}, {0.5, 0.5 / rate, 0.5, mean_T / 2}, {2, 2 / rate, 2, 2 * mean_T}};
  }
  return {{1, 1 / rate, 1, 2}, {0.5, 0.5 / rate, 0.5, 1}, {2, 2 / rate, 2, 5}};
}

}  // namespace

Result<FitResult> FitCountModel(const CountModel& model, const Triples& data, const FitOptions& options) {
  RETURN_NOT_OK(options.Validate());
  const auto started = std::chrono::steady_clock::now();
  double n = 0, sum_x = 0, sum_T = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    n += data.count[i];
    sum_x += data.count[i] * data.x[i];
    sum_T += data.count[i] * data.T[i];
  }
  if (n == 0) return Status::InvalidArgument("no customers to fit");
  if (sum_x == 0) {
    return Status::InvalidArgument(fmt::format(
        "none of the {:.0f} customers has a repeat transaction in the calibration period: {} cannot be "
        "fitted; choose a later calibration end",
        n, model.title));
  }
  LogLikelihoodFn ll = [&model, &data](const std::vector<double>& p) {
    return model.log_likelihood({p[0], p[1], p[2], p[3]}, data);
  };
  GradientFn gradient;
  if (model.log_likelihood_gradient != nullptr) {
    gradient = [&model, &data](const std::vector<double>& p, std::vector<double>* g) {
      CountParams natural;
      const double value = model.log_likelihood_gradient({p[0], p[1], p[2], p[3]}, data, &natural);
      g->assign(natural.begin(), natural.end());
      return value;
    };
  }
  FitResult fit = MaximiseLikelihood(ll, gradient, CountStarts(model, sum_x / sum_T, sum_T / n), options);
  fit.model = std::string(model.name);
  fit.param_names.assign(model.param_names.begin(), model.param_names.end());
  fit.customers = n;
  fit.rows = data.size();
  fit.seconds = Seconds(started);
  return fit;
}

Result<FitResult> FitGammaGamma(const SpendPairs& data, const FitOptions& options) {
  RETURN_NOT_OK(options.Validate());
  const auto started = std::chrono::steady_clock::now();
  double n = 0, sum_m = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    n += data.count[i];
    sum_m += data.count[i] * data.m[i];
  }
  if (n < 2)
    return Status::InvalidArgument("Gamma-Gamma needs at least two customers with repeat transactions");
  const double mean_m = sum_m / n;
  LogLikelihoodFn ll = [&data](const std::vector<double>& p) {
    return gamma_gamma::LogLikelihood({p[0], p[1], p[2]}, data);
  };
  FitResult fit =
      MaximiseLikelihood(ll, GradientFn(), {{2, 3, mean_m}, {1, 1, 1}, {5, 2, mean_m / 2}}, options);
  fit.model = "gamma_gamma";
  fit.param_names = {"p", "q", "gamma"};
  fit.customers = n;
  fit.rows = data.size();
  fit.seconds = Seconds(started);
  return fit;
}

nlohmann::json FitResult::ToJson() const {
  nlohmann::json params_json = nlohmann::json::object(), se_json = nlohmann::json::object();
  for (size_t i = 0; i < params.size(); ++i) {
    params_json[param_names[i]] = params[i];
    se_json[param_names[i]] = std::isfinite(std_errors[i]) ? nlohmann::json(std_errors[i]) : nlohmann::json();
  }
  return {{"model", model},
          {"params", params_json},
          {"std_errors", se_json},
          {"log_likelihood", log_likelihood},
          {"converged", converged},
          {"note", note},
          {"customers", static_cast<int64_t>(customers)},
          {"distinct_rows", rows},
          {"evaluations", evaluations},
          {"fit_seconds", seconds}};
}

}  // namespace custlake::clv
