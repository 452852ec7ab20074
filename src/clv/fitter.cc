#include "clv/fitter.h"

#include <fmt/format.h>
#include <nlopt.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

namespace custlake::clv {
namespace {

constexpr double kLogBound = 15;  // parameters kept in [e^-15, e^15]

struct Objective {
  const LogLikelihoodFn* ll;
  const GradientFn* gradient;  // empty: derivative-free
  double penalty;
  int evaluations = 0;
  std::vector<double> natural, natural_gradient;
};

double PenalisedLogLikelihood(unsigned n, const double* log_params, double* grad, void* data) {
  auto* o = static_cast<Objective*>(data);
  ++o->evaluations;
  double sq = 0;
  for (unsigned i = 0; i < n; ++i) {
    o->natural[i] = std::exp(log_params[i]);
    sq += o->natural[i] * o->natural[i];
  }
  double value = 0;
  if (grad != nullptr) {
    value = (*o->gradient)(o->natural, &o->natural_gradient) - o->penalty * sq;
    // d/d(log p) = p d/dp.
    for (unsigned i = 0; i < n; ++i) {
      grad[i] = o->natural[i] * (o->natural_gradient[i] - 2 * o->penalty * o->natural[i]);
    }
  } else {
    value = (*o->ll)(o->natural) - o->penalty * sq;
  }
  // BOBYQA needs finite values: a region where the likelihood cannot be
  // computed is made very unattractive instead.
  return std::isfinite(value) ? value : -1e300;
}

std::string_view NloptReason(nlopt_result code) {
  switch (code) {
    case NLOPT_MAXEVAL_REACHED:
      return "it reached the evaluation limit";
    case NLOPT_ROUNDOFF_LIMITED:
      return "round-off errors stopped it";
    case NLOPT_FAILURE:
    case NLOPT_INVALID_ARGS:
    case NLOPT_OUT_OF_MEMORY:
      return "the optimiser failed";
    case NLOPT_FORCED_STOP:
      return "it was stopped";
    default:
      return "";
  }
}

struct StartOutcome {
  std::vector<double> params;
  double value = -std::numeric_limits<double>::infinity();
  std::string failure;  // "" = converged
};

// How tightly one run converges: the first start runs to the tight tolerance at
// once; when more starts are needed they run coarsely and the best is polished.
struct Tolerance {
  double xtol_rel, ftol_abs, initial_step;
};
constexpr Tolerance kCoarse{1e-3, 1e-2, 0.5};
constexpr Tolerance kPolish{1e-10, 1e-11, 0.01};
constexpr Tolerance kDirect{1e-10, 1e-11, 0.5};  // the first start, run to the end at once

// L-BFGS may stop on round-off at the maximum itself; that is convergence
// when the gradient there is negligible against the likelihood.
bool FlatAt(Objective* o, std::vector<double> x, double value) {
  std::vector<double> g(x.size());
  PenalisedLogLikelihood(static_cast<unsigned>(x.size()), x.data(), g.data(), o);
  double norm = 0;
  for (double v : g) norm = std::max(norm, std::fabs(v));
  return norm <= 1e-6 * std::max(1.0, std::fabs(value));
}

StartOutcome RunStart(Objective* objective, const std::vector<double>& start, const FitOptions& options,
                      const Tolerance& tolerance) {
  const unsigned n = static_cast<unsigned>(start.size());
  const bool with_gradient = static_cast<bool>(*objective->gradient);
  nlopt_opt opt = nlopt_create(with_gradient ? NLOPT_LD_LBFGS : NLOPT_LN_BOBYQA, n);
  std::vector<double> lower(n, -kLogBound), upper(n, kLogBound), x(n);
  nlopt_set_lower_bounds(opt, lower.data());
  nlopt_set_upper_bounds(opt, upper.data());
  nlopt_set_max_objective(opt, PenalisedLogLikelihood, objective);
  nlopt_set_xtol_rel(opt, tolerance.xtol_rel);
  nlopt_set_ftol_abs(opt, tolerance.ftol_abs);
  nlopt_set_maxeval(opt, options.max_evaluations);
  nlopt_set_initial_step1(opt, tolerance.initial_step);
  for (unsigned i = 0; i < n; ++i) x[i] = std::log(start[i]);
  StartOutcome out;
  const nlopt_result code = nlopt_optimize(opt, x.data(), &out.value);
  nlopt_destroy(opt);
  out.params.resize(n);
  for (unsigned i = 0; i < n; ++i) out.params[i] = std::exp(x[i]);
  const bool roundoff_at_maximum =
      code == NLOPT_ROUNDOFF_LIMITED && with_gradient && FlatAt(objective, x, out.value);
  if ((code < 0 && !roundoff_at_maximum) || code == NLOPT_MAXEVAL_REACHED)
    out.failure = std::string(NloptReason(code));
  if (out.value <= -1e299) out.failure = "the log-likelihood could not be computed at any point it tried";
  for (unsigned i = 0; i < n && out.failure.empty(); ++i) {
    if (std::fabs(x[i]) > kLogBound - 0.01) {
      out.failure = fmt::format("parameter {} ran to its bound ({:g}): the data do not identify the model",
                                i + 1, out.params[i]);
    }
  }
  return out;
}

// Better = converged before not, then the higher penalised likelihood.
bool Better(const StartOutcome& a, const StartOutcome& b) {
  if (a.failure.empty() != b.failure.empty()) return a.failure.empty();
  return a.value > b.value;
}

}  // namespace

Status FitOptions::Validate() const {
  if (starts < 1 || starts > 3)
    return Status::InvalidArgument(fmt::format("--starts {}: give 1, 2 or 3", starts));
  if (!(penalty >= 0) || !std::isfinite(penalty)) {
    return Status::InvalidArgument(fmt::format("--penalty {}: give a number >= 0", penalty));
  }
  if (max_evaluations < 10) return Status::InvalidArgument("the evaluation limit must be at least 10");
  return Status::OK();
}

namespace {

// Standard errors from the Hessian of the penalised likelihood at `at`.
std::vector<double> PenalisedStandardErrors(const LogLikelihoodFn& ll, const GradientFn& gradient,
                                            const std::vector<double>& at, double penalty) {
  LogLikelihoodFn penalised = [&](const std::vector<double>& p) {
    double sq = 0;
    for (double v : p) sq += v * v;
    return ll(p) - penalty * sq;
  };
  GradientFn penalised_gradient;
  if (gradient) {
    penalised_gradient = [&](const std::vector<double>& p, std::vector<double>* g) {
      double value = gradient(p, g);
      for (size_t i = 0; i < p.size(); ++i) {
        value -= penalty * p[i] * p[i];
        (*g)[i] -= 2 * penalty * p[i];
      }
      return value;
    };
  }
  return StandardErrors(penalised, penalised_gradient, at);
}

bool AnyNan(const std::vector<double>& values) {
  return std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); });
}

}  // namespace

FitResult MaximiseLikelihood(const LogLikelihoodFn& ll, const GradientFn& gradient,
                             const std::vector<std::vector<double>>& starts, const FitOptions& options) {
  const size_t n = starts.front().size();
  Objective objective{&ll, &gradient, options.penalty, 0, std::vector<double>(n), std::vector<double>(n)};
  // The first start straight to the tight tolerance. When it converges to a
  // proper maximum (a negative definite Hessian there), that is the fit.
  StartOutcome best = RunStart(&objective, starts.front(), options, kDirect);
  std::vector<double> std_errors = PenalisedStandardErrors(ll, gradient, best.params, options.penalty);
  const bool clean = best.failure.empty() && !AnyNan(std_errors);
  // Otherwise the other starts, coarsely, and the best of all polished.
  const size_t tries = std::min(starts.size(), static_cast<size_t>(std::max(options.starts, 1)));
  bool moved = false;
  for (size_t i = 1; i < tries && !clean; ++i) {
    StartOutcome outcome = RunStart(&objective, starts[i], options, kCoarse);
    if (Better(outcome, best)) best = std::move(outcome), moved = true;
  }
  if (moved) {
    if (best.failure.empty()) best = RunStart(&objective, best.params, options, kPolish);
    std_errors = PenalisedStandardErrors(ll, gradient, best.params, options.penalty);
  }
  FitResult fit;
  fit.params = best.params;
  fit.converged = best.failure.empty();
  fit.note = fit.converged ? "" : "did not converge: " + best.failure;
  fit.evaluations = objective.evaluations;
  fit.log_likelihood = ll(fit.params);
  fit.std_errors = std::move(std_errors);
  if (fit.converged && AnyNan(fit.std_errors))
    fit.note = "the Hessian is not negative definite: standard errors unknown";
  return fit;
}

}  // namespace custlake::clv
