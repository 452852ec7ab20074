#include "churn/logistic.h"

#include <algorithm>
#include <cmath>

#include "churn/row_blocks.h"

namespace custlake::churn {

namespace {

double Sigmoid(double z) { return 1 / (1 + std::exp(-std::clamp(z, -40.0, 40.0))); }

/// A row's standardised values: (value - mean) / scale, by a multiplication (a division per value
/// was a third of the fit's time); missing is the mean (0).
class Standardiser {
 public:
  explicit Standardiser(const LogisticModel& m) : mean_(m.mean) {
    for (double s : m.scale) inverse_.push_back(1 / s);
  }
  void Row(const float* row, double* out) const {
    for (size_t c = 0; c < mean_.size(); ++c) out[c] = std::isnan(row[c]) ? 0.0 : (row[c] - mean_[c]) * inverse_[c];
  }

 private:
  std::vector<double> mean_, inverse_;
};

void FitScaling(const Dataset& d, LogisticModel* m) {
  const size_t cols = d.cols();
  m->mean.assign(cols, 0);
  m->scale.assign(cols, 1);
  // One pass over the rows (in order, so each column's sums are the same as column by column).
  std::vector<double> sum(cols, 0), sum_sq(cols, 0);
  std::vector<int64_t> n(cols, 0);
  for (size_t r = 0; r < d.rows(); ++r) {
    const float* row = d.Row(r);
    for (size_t c = 0; c < cols; ++c) {
      const float v = row[c];
      if (std::isnan(v)) continue;
      sum[c] += v;
      sum_sq[c] += double{v} * v;
      ++n[c];
    }
  }
  for (size_t c = 0; c < cols; ++c) {
    if (n[c] == 0) continue;
    m->mean[c] = sum[c] / static_cast<double>(n[c]);
    const double var = sum_sq[c] / static_cast<double>(n[c]) - m->mean[c] * m->mean[c];
    m->scale[c] = var > 1e-12 ? std::sqrt(var) : 1.0;
  }
}

/// Solves A x = b for symmetric positive definite A (k x k, row-major) by Cholesky; false if not SPD.
bool SolveSpd(std::vector<double> a, std::vector<double> b, size_t k, std::vector<double>* x) {
  for (size_t j = 0; j < k; ++j) {
    double d = a[j * k + j];
    for (size_t p = 0; p < j; ++p) d -= a[j * k + p] * a[j * k + p];
    if (d <= 0) return false;
    a[j * k + j] = std::sqrt(d);
    for (size_t i = j + 1; i < k; ++i) {
      double s = a[i * k + j];
      for (size_t p = 0; p < j; ++p) s -= a[i * k + p] * a[j * k + p];
      a[i * k + j] = s / a[j * k + j];
    }
  }
  for (size_t i = 0; i < k; ++i) {  // L y = b
    for (size_t p = 0; p < i; ++p) b[i] -= a[i * k + p] * b[p];
    b[i] /= a[i * k + i];
  }
  for (size_t i = k; i-- > 0;) {  // L^T x = y
    for (size_t p = i + 1; p < k; ++p) b[i] -= a[p * k + i] * b[p];
    b[i] /= a[i * k + i];
  }
  *x = std::move(b);
  return true;
}

// Rows taken together by AddRows: each pass over the Hessian's triangle adds this many rows' terms,
// so the triangle is loaded and stored once per group instead of once per row (the loop's bound).
constexpr size_t kRowsAtOnce = 4;
static_assert(kRowsAtOnce == 4, "AddRows adds rows z0..z3 in each pass");

/// The gradient and the Hessian's lower triangle (parameter 0 the intercept, 1..cols the weights)
/// of the negative log-likelihood over rows [begin, end), added to `g` and `h`.
void AddRows(const Dataset& d, const LogisticModel& m, size_t begin, size_t end, std::vector<double>* g,
             std::vector<double>* h) {
  const size_t k = d.cols() + 1;
  // Row q of a group: z[q] its standardised values (1 first, for the intercept), wz[q] the same times
  // the row's weight p (1 - p). A group past the last row is padded with zeros (adding nothing).
  std::vector<double> z(kRowsAtOnce * k), wz(kRowsAtOnce * k);
  const Standardiser standard(m);
  double* gp = g->data();
  double* hp = h->data();
  for (size_t first = begin; first < end; first += kRowsAtOnce) {
    std::fill(z.begin(), z.end(), 0.0);
    std::fill(wz.begin(), wz.end(), 0.0);
    for (size_t q = 0; q < kRowsAtOnce && first + q < end; ++q) {
      const size_t r = first + q;
      double* zq = &z[q * k];
      zq[0] = 1;
      standard.Row(d.Row(r), zq + 1);
      double eta = m.intercept;
      for (size_t c = 0; c < d.cols(); ++c) eta += m.weights[c] * zq[c + 1];
      const double p = Sigmoid(eta), w = std::max(p * (1 - p), 1e-10), residual = p - d.y[r];
      for (size_t i = 0; i < k; ++i) {
        gp[i] += residual * zq[i];
        wz[q * k + i] = w * zq[i];
      }
    }
    const double *z0 = &z[0], *z1 = &z[k], *z2 = &z[2 * k], *z3 = &z[3 * k];
    for (size_t i = 0; i < k; ++i) {
      const double a0 = wz[i], a1 = wz[k + i], a2 = wz[2 * k + i], a3 = wz[3 * k + i];
      double* hi = hp + i * k;
      for (size_t j = 0; j <= i; ++j) hi[j] += a0 * z0[j] + a1 * z1[j] + a2 * z2[j] + a3 * z3[j];
    }
  }
}

// The rows are summed in this many blocks, whatever the number of threads, so the sums (and the
// model) are the same on every machine.
constexpr size_t kBlocks = 8;

/// One Newton step's gradient and Hessian of the penalised negative log-likelihood;
/// parameter 0 is the intercept, 1..cols the weights. The blocks of rows are summed on up to
/// kBlocks threads, then added in their order.
void GradientAndHessian(const Dataset& d, const LogisticModel& m, double l2, std::vector<double>* g,
                        std::vector<double>* h) {
  const size_t k = d.cols() + 1;
  std::vector<std::vector<double>> block_g(kBlocks, std::vector<double>(k, 0.0));
  std::vector<std::vector<double>> block_h(kBlocks, std::vector<double>(k * k, 0.0));
  ForEachRowBlock(d.rows(), kBlocks, [&](size_t begin, size_t end, size_t b) {
    AddRows(d, m, begin, end, &block_g[b], &block_h[b]);
  });
  g->assign(k, 0);
  h->assign(k * k, 0);
  for (size_t b = 0; b < kBlocks; ++b) {
    for (size_t i = 0; i < k; ++i) (*g)[i] += block_g[b][i];
    for (size_t i = 0; i < k * k; ++i) (*h)[i] += block_h[b][i];
  }
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = 0; j < i; ++j) (*h)[j * k + i] = (*h)[i * k + j];
  }
  for (size_t i = 1; i < k; ++i) {
    (*g)[i] += l2 * m.weights[i - 1];
    (*h)[i * k + i] += l2;
  }
}

}  // namespace

Result<LogisticModel> FitLogistic(const Dataset& train, const LogisticOptions& options) {
  const int64_t positives = train.Positives();
  if (positives == 0 || positives == static_cast<int64_t>(train.rows())) {
    return Status::InvalidArgument("logistic regression needs both labels in the training rows");
  }
  LogisticModel m;
  m.feature_names = train.feature_names;
  FitScaling(train, &m);
  m.weights.assign(train.cols(), 0);
  const double rate = static_cast<double>(positives) / static_cast<double>(train.rows());
  m.intercept = std::log(rate / (1 - rate));
  std::vector<double> g, h, step;
  for (m.iterations = 1; m.iterations <= options.max_iterations; ++m.iterations) {
    GradientAndHessian(train, m, options.l2, &g, &h);
    if (!SolveSpd(h, g, train.cols() + 1, &step)) {
      return Status::Internal("logistic regression: the Hessian is not positive definite");
    }
    double largest = 0;
    m.intercept -= step[0];
    for (size_t c = 0; c < train.cols(); ++c) {
      m.weights[c] -= step[c + 1];
      largest = std::max(largest, std::abs(step[c + 1]));
    }
    if (std::max(largest, std::abs(step[0])) < options.tolerance) break;
  }
  return m;
}

std::vector<float> LogisticModel::Predict(const Dataset& data) const {
  std::vector<float> p(data.rows());
  const Standardiser standard(*this);
  std::vector<double> z(weights.size());
  for (size_t r = 0; r < data.rows(); ++r) {
    standard.Row(data.Row(r), z.data());
    double eta = intercept;
    for (size_t c = 0; c < weights.size(); ++c) eta += weights[c] * z[c];
    p[r] = static_cast<float>(Sigmoid(eta));
  }
  return p;
}

nlohmann::json LogisticModel::ToJson() const {
  return {{"features", feature_names}, {"mean", mean}, {"scale", scale},
          {"weights", weights},        {"intercept", intercept}, {"iterations", iterations}};
}

Result<LogisticModel> LogisticModel::FromJson(const nlohmann::json& j) {
  LogisticModel m;
  try {
    m.feature_names = j.at("features").get<std::vector<std::string>>();
    m.mean = j.at("mean").get<std::vector<double>>();
    m.scale = j.at("scale").get<std::vector<double>>();
    m.weights = j.at("weights").get<std::vector<double>>();
    m.intercept = j.at("intercept").get<double>();
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("the logistic model's JSON: ") + e.what());
  }
  const size_t k = m.feature_names.size();
  if (m.mean.size() != k || m.scale.size() != k || m.weights.size() != k) {
    return Status::Corruption("the logistic model's JSON: vectors of different lengths");
  }
  return m;
}

}  // namespace custlake::churn
