// Standard errors from a central-difference Hessian of the log-likelihood.
#include <cmath>
#include <limits>

#include "clv/fitter.h"

namespace custlake::clv {
namespace {

using Matrix = std::vector<std::vector<double>>;

Matrix NumericalHessian(const LogLikelihoodFn& ll, const std::vector<double>& at) {
  const size_t n = at.size();
  std::vector<double> h(n), p = at;
  for (size_t i = 0; i < n; ++i) h[i] = 1e-4 * std::fabs(at[i]);
  auto f = [&](size_t i, double di, size_t j, double dj) {
    p = at;
    p[i] += di * h[i];
    p[j] += dj * h[j];
    return ll(p);
  };
  const double f0 = ll(at);
  Matrix H(n, std::vector<double>(n));
  for (size_t i = 0; i < n; ++i) {
    H[i][i] = (f(i, 1, i, 0) - 2 * f0 + f(i, -1, i, 0)) / (h[i] * h[i]);
    for (size_t j = 0; j < i; ++j) {
      H[i][j] = H[j][i] =
          (f(i, 1, j, 1) - f(i, 1, j, -1) - f(i, -1, j, 1) + f(i, -1, j, -1)) / (4 * h[i] * h[j]);
    }
  }
  return H;
}

// Cholesky factor L of A (lower); false when A is not positive definite.
bool Cholesky(const Matrix& A, Matrix* L) {
  const size_t n = A.size();
  *L = Matrix(n, std::vector<double>(n, 0));
  for (size_t j = 0; j < n; ++j) {
    double d = A[j][j];
    for (size_t k = 0; k < j; ++k) d -= (*L)[j][k] * (*L)[j][k];
    if (!(d > 0)) return false;
    (*L)[j][j] = std::sqrt(d);
    for (size_t i = j + 1; i < n; ++i) {
      double v = A[i][j];
      for (size_t k = 0; k < j; ++k) v -= (*L)[i][k] * (*L)[j][k];
      (*L)[i][j] = v / (*L)[j][j];
    }
  }
  return true;
}

// Diagonal of A^-1 from A = L L^T: (A^-1)_ii = |L^-1 e_i|^2.
std::vector<double> InverseDiagonal(const Matrix& L) {
  const size_t n = L.size();
  std::vector<double> diag(n, 0), y(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t r = 0; r < n; ++r) {
      double v = r == i ? 1.0 : 0.0;
      for (size_t k = 0; k < r; ++k) v -= L[r][k] * y[k];
      y[r] = v / L[r][r];
    }
    for (size_t r = 0; r < n; ++r) diag[i] += y[r] * y[r];
  }
  return diag;
}

// Central differences of an analytic gradient: 2n evaluations instead of 2n^2.
Matrix HessianFromGradient(const GradientFn& gradient, const std::vector<double>& at) {
  const size_t n = at.size();
  Matrix H(n, std::vector<double>(n));
  std::vector<double> p = at, up(n), down(n);
  for (size_t j = 0; j < n; ++j) {
    const double h = 1e-5 * std::fabs(at[j]);
    p[j] = at[j] + h;
    gradient(p, &up);
    p[j] = at[j] - h;
    gradient(p, &down);
    p[j] = at[j];
    for (size_t i = 0; i < n; ++i) H[i][j] = (up[i] - down[i]) / (2 * h);
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < i; ++j) H[i][j] = H[j][i] = (H[i][j] + H[j][i]) / 2;
  }
  return H;
}

std::vector<double> ErrorsFromHessian(Matrix H) {
  for (auto& row : H) {
    for (double& v : row) v = -v;
  }
  Matrix L;
  if (!Cholesky(H, &L)) return std::vector<double>(H.size(), std::numeric_limits<double>::quiet_NaN());
  std::vector<double> se = InverseDiagonal(L);
  for (double& v : se) v = std::sqrt(v);
  return se;
}

}  // namespace

std::vector<double> StandardErrors(const LogLikelihoodFn& ll, const GradientFn& gradient,
                                   const std::vector<double>& at) {
  return ErrorsFromHessian(gradient ? HessianFromGradient(gradient, at) : NumericalHessian(ll, at));
}

}  // namespace custlake::clv
