// The purchase-count models behind one table of functions.
//
// BG/NBD (Fader, Hardie & Lee 2005), Pareto/NBD (Schmittlein, Morrison &
// Colombo 1987) and MBG/NBD (Batislam, Denizel & Filiztekin 2007) each have
// four parameters, named as in the literature: r, alpha, a, b / r, alpha, s,
// beta / r, alpha, a, b. Time is in the summary's unit: t, t_x and T and every
// horizon must use the same one. Each model lives in its own file
// (bgnbd.cc, pnbd.cc, mbgnbd.cc); the functions are pure and thread-safe.
// A function that cannot compute its value returns NaN, which callers turn
// into an error: it never reaches an output.
#pragma once

#include <array>
#include <string_view>

#include "clv/triples.h"
#include "common/status.h"

namespace custlake::clv {

using CountParams = std::array<double, 4>;

struct CountModel {
  std::string_view name;   ///< on the command line: bgnbd, pnbd, mbgnbd
  std::string_view title;  ///< BG/NBD, ...
  std::array<std::string_view, 4> param_names;
  /// Sum over the triples of count * log L(x, t_x, T).
  double (*log_likelihood)(const CountParams&, const Triples&);
  /// log L of one customer.
  double (*customer_log_likelihood)(const CountParams&, double x, double t_x, double T);
  /// E[X(t)]: expected repeat transactions of a new customer in (0, t].
  double (*expected_new)(const CountParams&, double t);
  /// E[Y(t) | x, t_x, T]: expected transactions in the next t.
  double (*expected)(const CountParams&, double x, double t_x, double T, double t);
  /// P(alive | x, t_x, T).
  double (*p_alive)(const CountParams&, double x, double t_x, double T);
  /// P(no transaction in the next t | x, t_x, T): the churn probability.
  double (*p_no_purchase)(const CountParams&, double x, double t_x, double T, double t);
  /// The log-likelihood with its gradient in the natural parameters; null
  /// where the fit uses a derivative-free method instead.
  double (*log_likelihood_gradient)(const CountParams&, const Triples&, CountParams* gradient);
};

extern const CountModel kBgnbd;
extern const CountModel kPnbd;
extern const CountModel kMbgnbd;

/// bgnbd, pnbd or mbgnbd; an error naming them otherwise.
Result<const CountModel*> FindCountModel(std::string_view name);

namespace bgnbd {
/// P(X(t) = n) for a new customer (Fader, Hardie & Lee 2005, eq. 8).
double ProbabilityOfCount(const CountParams& p, double t, int n);
}  // namespace bgnbd

/// Gamma-Gamma spend model (Fader & Hardie, note 025): p, q, gamma.
using SpendParams = std::array<double, 3>;
namespace gamma_gamma {
double LogLikelihood(const SpendParams& p, const SpendPairs& pairs);
/// E[M | x, mean spend m]; the population mean p gamma / (q - 1) when x = 0.
double ExpectedSpend(const SpendParams& p, double x, double m);
}  // namespace gamma_gamma

}  // namespace custlake::clv
