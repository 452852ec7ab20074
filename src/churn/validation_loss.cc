#include "churn/validation_loss.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "churn/row_blocks.h"

namespace custlake::churn {

namespace {

// The rows are taken in this many blocks, whatever the number of threads, so the loss's sum is the
// same on every machine.
constexpr size_t kBlocks = 8;

/// XGBoost's binary:logistic transform of a margin (common::Sigmoid, in float).
float Sigmoid(float x) {
  constexpr float kEps = 1e-16f;
  x = std::min(-x, 88.7f);
  return 1.0f / (std::exp(x) + 1.0f + kEps);
}

/// XGBoost's logloss of one row (EvalRowLogLoss, in float). With a label of exactly 0 or 1 the other
/// term is a zero times a finite logarithm, which changes nothing: one logarithm, not two.
float RowLogLoss(float y, float p) {
  constexpr float kEps = 1e-16f;
  const float q = 1.0f - p;
  if (p < kEps) return -y * std::log(kEps) - (1.0f - y) * std::log(1.0f - kEps);
  if (q < kEps) return -y * std::log(1.0f - kEps) - (1.0f - y) * std::log(kEps);
  if (y == 1.0f) return -std::log(p);
  if (y == 0.0f) return -std::log(q);
  return -y * std::log(p) - (1.0f - y) * std::log(q);
}

template <typename T>
Result<std::vector<T>> Numbers(const nlohmann::json& tree, const char* key, size_t nodes) {
  const auto it = tree.find(key);
  if (it == tree.end() || !it->is_array() || it->size() != nodes) {
    return Status::Corruption(fmt::format("XGBoost's tree without {} numbers in {}", nodes, key));
  }
  std::vector<T> out;
  out.reserve(nodes);
  for (const auto& v : *it) {
    if (v.is_boolean()) {
      out.push_back(static_cast<T>(v.get<bool>()));
    } else if (v.is_number()) {
      out.push_back(v.get<T>());
    } else {
      return Status::Corruption(fmt::format("XGBoost's tree: {} holds {}", key, v.type_name()));
    }
  }
  return out;
}

}  // namespace

Result<XgbTree> ParseOneTree(const std::string& ubjson, size_t features) {
  nlohmann::json model = nlohmann::json::from_ubjson(ubjson, true, false);
  if (model.is_discarded()) return Status::Corruption("XGBoost's model is not UBJSON");
  const nlohmann::json* trees = nullptr;
  try {
    trees = &model.at("learner").at("gradient_booster").at("model").at("trees");
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("XGBoost's model without trees: ") + e.what());
  }
  if (!trees->is_array() || trees->size() != 1) return Status::Corruption("XGBoost's slice is not one tree");
  const nlohmann::json& t = (*trees)[0];
  const size_t nodes = t.contains("left_children") && t["left_children"].is_array() ? t["left_children"].size() : 0;
  if (nodes == 0) return Status::Corruption("XGBoost's tree has no nodes");
  XgbTree tree;
  ASSIGN_OR_RETURN(tree.left, Numbers<int32_t>(t, "left_children", nodes));
  ASSIGN_OR_RETURN(tree.right, Numbers<int32_t>(t, "right_children", nodes));
  ASSIGN_OR_RETURN(tree.feature, Numbers<int32_t>(t, "split_indices", nodes));
  ASSIGN_OR_RETURN(tree.value, Numbers<float>(t, "split_conditions", nodes));
  ASSIGN_OR_RETURN(tree.default_left, Numbers<uint8_t>(t, "default_left", nodes));
  if (t.contains("split_type")) {
    ASSIGN_OR_RETURN(std::vector<int32_t> types, Numbers<int32_t>(t, "split_type", nodes));
    if (std::any_of(types.begin(), types.end(), [](int32_t s) { return s != 0; })) {
      return Status::Corruption("XGBoost's tree has a categorical split");
    }
  }
  // Every node reached once from the root, each split on a feature of the rows: the walk in Leaf ends.
  std::vector<uint8_t> reached(nodes, 0);
  std::vector<int32_t> todo{0};
  while (!todo.empty()) {
    const int32_t n = todo.back();
    todo.pop_back();
    if (n < 0 || static_cast<size_t>(n) >= nodes || reached[n]++) {
      return Status::Corruption(fmt::format("XGBoost's tree: node {} of {} is out of range or reached twice", n, nodes));
    }
    if (tree.left[n] < 0) continue;
    if (tree.feature[n] < 0 || static_cast<size_t>(tree.feature[n]) >= features) {
      return Status::Corruption(fmt::format("XGBoost's tree: node {} splits on feature {} of {}", n, tree.feature[n],
                                            features));
    }
    todo.push_back(tree.left[n]);
    todo.push_back(tree.right[n]);
  }
  return tree;
}

ValidationLoss::ValidationLoss(const Dataset& valid, std::vector<float> margins, Kind kind)
    : valid_(valid), columns_(valid.x.size()), margins_(std::move(margins)), kind_(kind) {
  const size_t rows = valid.rows(), cols = valid.cols();
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) columns_[c * rows + r] = valid.x[r * cols + c];
  }
}

double ValidationLoss::Add(const XgbTree* tree) {
  std::vector<double> sums(kBlocks, 0.0);
  ForEachRowBlock(valid_.rows(), kBlocks, [&](size_t begin, size_t end, size_t b) {
    double sum = 0;
    for (size_t r = begin; r < end; ++r) {
      if (tree != nullptr) margins_[r] += tree->Leaf(columns_.data(), valid_.rows(), r);
      if (kind_ == Kind::kLogLoss) {
        sum += RowLogLoss(valid_.y[r], Sigmoid(margins_[r]));
      } else {
        const float diff = valid_.y[r] - margins_[r];
        sum += diff * diff;
      }
    }
    sums[b] = sum;
  });
  double total = 0;
  for (double s : sums) total += s;
  const double mean = total / static_cast<double>(valid_.rows());
  return kind_ == Kind::kLogLoss ? mean : std::sqrt(mean);
}

}  // namespace custlake::churn
