// Maximum-likelihood fits with NLopt.
//
// Parameters are fitted as their logarithms (all are positive) with L-BFGS
// where the model has an analytic gradient (BG/NBD, MBG/NBD) and BOBYQA otherwise,
// from several starting points run coarsely; the best converged start is then
// polished. An optional L2
// penalty (penalty * sum of squared parameters, as in lifetimes) is subtracted
// from the log-likelihood. Standard errors come from a central-difference
// Hessian of the log-likelihood in the natural parameters. A fit that does not
// converge is still returned, with converged = false and the reason in note:
// the caller decides whether that is an error.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "clv/count_model.h"
#include "common/status.h"

namespace custlake::clv {

struct FitOptions {
  int starts = 3;               ///< starting points tried (1..3)
  double penalty = 0;           ///< L2 penalty coefficient; 0 = plain maximum likelihood
  int max_evaluations = 20000;  ///< per start
  Status Validate() const;
};

struct FitResult {
  std::string model;  ///< bgnbd, pnbd, mbgnbd or gamma_gamma
  std::vector<std::string> param_names;
  std::vector<double> params;
  std::vector<double> std_errors;  ///< NaN when the Hessian is not negative definite
  double log_likelihood = 0;       ///< without the penalty
  bool converged = false;
  std::string note;  ///< why it did not converge, or what to watch
  int evaluations = 0;
  double customers = 0;  ///< customers the fit used
  size_t rows = 0;       ///< distinct rows the likelihood summed over
  double seconds = 0;

  nlohmann::json ToJson() const;
};

/// A log-likelihood of the natural parameters.
using LogLikelihoodFn = std::function<double(const std::vector<double>&)>;
/// The same with its gradient (d/dparameter) written into the vector.
using GradientFn = std::function<double(const std::vector<double>&, std::vector<double>*)>;

/// Maximises `ll` from `starts` (natural parameters): with L-BFGS when
/// `gradient` is set, else with BOBYQA. Never fails: a fit that does not
/// converge says so in the result.
FitResult MaximiseLikelihood(const LogLikelihoodFn& ll, const GradientFn& gradient,
                             const std::vector<std::vector<double>>& starts, const FitOptions& options);

/// Fits a count model to the triples.
Result<FitResult> FitCountModel(const CountModel& model, const Triples& data, const FitOptions& options);
/// Fits Gamma-Gamma to the spend of customers with repeat transactions.
Result<FitResult> FitGammaGamma(const SpendPairs& data, const FitOptions& options);

/// Square roots of the diagonal of -H^-1, H the log-likelihood's Hessian at
/// `at` by central differences (of the gradient when there is one); NaN when
/// H is not negative definite.
std::vector<double> StandardErrors(const LogLikelihoodFn& ll, const GradientFn& gradient,
                                   const std::vector<double>& at);

}  // namespace custlake::clv
