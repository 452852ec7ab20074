#include "churn/generic.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>

#include "churn/dataset.h"
#include "churn/logistic.h"
#include "churn/metrics.h"
#include "engine/engine.h"

namespace custlake::churn {

namespace {

constexpr double kNumericShare = 0.95;
constexpr size_t kMaxLevels = 20;
constexpr int kValidationFolds = 5;  // one fold of five = the 20 % validation split

std::string Normalize(const std::string& text) {
  size_t b = text.find_first_not_of(" \t\r\n"), e = text.find_last_not_of(" \t\r\n");
  std::string out = b == std::string::npos ? "" : text.substr(b, e - b + 1);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool IsBlank(const std::string& normalized) {
  static const std::set<std::string> kBlank{"", "na", "n/a", "nan", "null", "none", "?", "-", "--"};
  return kBlank.count(normalized) > 0;
}

/// The table as text, one row per record, and each row's line in the file (CSV) for messages.
struct Table {
  engine::QueryResult result;
  bool csv = true;
  std::string Where(const std::string& input, size_t row) const {
    return csv ? fmt::format("{}:{}", input, row + 2) : fmt::format("{} row {}", input, row + 1);
  }
  std::string Cell(size_t row, size_t col) const { return result.nulls[row][col] ? "" : result.rows[row][col]; }
};

Result<Table> ReadTable(const std::string& input) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(input, ec)) return Status::NotFound(input + ": no such file");
  if (std::filesystem::file_size(input, ec) == 0) return Status::InvalidArgument(input + ": the file is empty");
  Table table;
  table.csv = !input.ends_with(".parquet");
  const std::string sql = table.csv ? "SELECT * FROM read_csv(" + engine::QuoteLiteral(input) +
                                          ", header = true, all_varchar = true)"
                                    : "SELECT * FROM read_parquet(" + engine::QuoteLiteral(input) + ")";
  ASSIGN_OR_RETURN(auto db, engine::Database::Open({}));
  ASSIGN_OR_RETURN(auto session, db->Connect());
  auto result = session->QueryText(sql);
  if (!result.ok()) return result.status().WithContext(input);
  table.result = std::move(*result);
  if (table.result.rows.empty()) return Status::InvalidArgument(input + ": no data rows");
  return table;
}

Result<size_t> FindColumn(const Table& t, const std::string& name, const std::string& input, const std::string& what) {
  for (size_t c = 0; c < t.result.columns.size(); ++c) {
    if (t.result.columns[c] == name) return c;
  }
  return Status::InvalidArgument(fmt::format("{}: no {} column '{}' (columns: {})", input, what, name,
                                             fmt::join(t.result.columns, ", ")));
}

/// 1/0 per row from the label column's two values.
Result<std::vector<float>> EncodeLabel(const Table& t, size_t col, const std::string& input, std::string* positive) {
  static const std::set<std::string> kYes{"yes", "y", "true", "t", "1", "1.0", "churned", "churn"};
  static const std::set<std::string> kNo{"no", "n", "false", "f", "0", "0.0", "stayed", "retained", "active"};
  std::map<std::string, std::string> values;  // normalized -> as written
  for (size_t r = 0; r < t.result.rows.size(); ++r) {
    const std::string v = Normalize(t.Cell(r, col));
    if (IsBlank(v)) return Status::InvalidArgument(fmt::format("{}: the label {} is blank", t.Where(input, r), t.result.columns[col]));
    values.emplace(v, t.Cell(r, col));
  }
  std::vector<std::string> written;
  for (const auto& [v, w] : values) written.push_back("'" + w + "'");
  const std::string label = t.result.columns[col];
  if (values.size() != 2) {
    return Status::InvalidArgument(fmt::format("{}: the label column {} has {} values ({}); it needs exactly two, "
                                               "such as Yes/No", input, label, values.size(), fmt::join(written, ", ")));
  }
  const std::string a = values.begin()->first, b = values.rbegin()->first;
  std::string yes;
  if (kYes.count(a) && kNo.count(b)) yes = a;
  if (kYes.count(b) && kNo.count(a)) yes = b;
  if (yes.empty()) {
    return Status::InvalidArgument(fmt::format("{}: cannot tell which of the label {}'s values {} means churn; use "
                                               "yes/no, true/false or 1/0", input, label, fmt::join(written, " and ")));
  }
  *positive = values[yes];
  std::vector<float> y;
  for (size_t r = 0; r < t.result.rows.size(); ++r) y.push_back(Normalize(t.Cell(r, col)) == yes ? 1.0f : 0.0f);
  return y;
}

/// A column's numbers, or nothing when fewer than 95 % of its non-blank values are numbers.
std::optional<std::vector<float>> NumericColumn(const Table& t, size_t col) {
  std::vector<float> values;
  size_t present = 0, numbers = 0;
  for (size_t r = 0; r < t.result.rows.size(); ++r) {
    const std::string v = Normalize(t.Cell(r, col));
    float x = NAN;
    if (!IsBlank(v)) {
      ++present;
      auto parsed = ParseFeatureValue(v, false);
      if (parsed.ok()) {
        x = *parsed;
        ++numbers;
      }
    }
    values.push_back(x);
  }
  if (present == 0 || static_cast<double>(numbers) < kNumericShare * static_cast<double>(present)) return std::nullopt;
  return values;
}

/// One-hot columns "col=value" for the most frequent values, "(other)" and "(missing)".
void AddCategorical(const Table& t, size_t col, Dataset* d, std::vector<std::vector<float>>* columns) {
  std::map<std::string, int64_t> counts;
  for (size_t r = 0; r < t.result.rows.size(); ++r) {
    std::string v = t.Cell(r, col);
    counts[IsBlank(Normalize(v)) ? "(missing)" : v]++;
  }
  std::vector<std::pair<int64_t, std::string>> ranked;
  for (const auto& [v, n] : counts) ranked.emplace_back(-n, v);
  std::sort(ranked.begin(), ranked.end());
  std::map<std::string, size_t> level;
  for (const auto& [n, v] : ranked) {
    const std::string name = level.size() < kMaxLevels || v == "(missing)" ? v : "(other)";
    if (!level.count(name)) {
      level[name] = columns->size();
      d->feature_names.push_back(t.result.columns[col] + "=" + name);
      columns->emplace_back(t.result.rows.size(), 0.0f);
    }
    level[v] = level[name];
  }
  for (size_t r = 0; r < t.result.rows.size(); ++r) {
    std::string v = t.Cell(r, col);
    (*columns)[level[IsBlank(Normalize(v)) ? "(missing)" : v]][r] = 1.0f;
  }
}

Dataset EncodeFeatures(const Table& t, const std::set<size_t>& skip, nlohmann::json* kinds) {
  Dataset d;
  std::vector<std::vector<float>> columns;
  for (size_t c = 0; c < t.result.columns.size(); ++c) {
    if (skip.count(c)) continue;
    if (auto numbers = NumericColumn(t, c)) {
      d.feature_names.push_back(t.result.columns[c]);
      columns.push_back(std::move(*numbers));
      (*kinds)[t.result.columns[c]] = "numeric";
    } else {
      AddCategorical(t, c, &d, &columns);
      (*kinds)[t.result.columns[c]] = "categorical";
    }
  }
  for (size_t r = 0; r < t.result.rows.size(); ++r) {
    d.ids.push_back(static_cast<int64_t>(r));
    for (const auto& column : columns) d.x.push_back(column[r]);
  }
  return d;
}

uint64_t Fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

/// Row order by content (hash, then text): the same for any order of the same rows.
std::vector<size_t> CanonicalOrder(const Table& t, std::vector<uint64_t>* hashes) {
  std::vector<std::string> texts;
  for (size_t r = 0; r < t.result.rows.size(); ++r) {
    std::string text;
    for (size_t c = 0; c < t.result.columns.size(); ++c) text += t.Cell(r, c) + '\x1f';
    texts.push_back(std::move(text));
    hashes->push_back(Fnv1a(texts.back()));
  }
  std::vector<size_t> order(texts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return (*hashes)[a] != (*hashes)[b] ? (*hashes)[a] < (*hashes)[b] : texts[a] < texts[b];
  });
  return order;
}

/// Fold of each row: stratified, round-robin within each label in canonical order.
std::vector<int> StratifiedFolds(const std::vector<float>& y, const std::vector<size_t>& order, int k) {
  std::vector<int> fold(y.size());
  int next[2] = {0, 0};
  for (size_t r : order) {
    int cls = y[r] > 0.5f;
    fold[r] = next[cls]++ % k;
  }
  return fold;
}

Dataset Subset(const Dataset& d, const std::vector<size_t>& rows) {
  Dataset out;
  out.feature_names = d.feature_names;
  for (size_t r : rows) {
    out.ids.push_back(d.ids[r]);
    out.y.push_back(d.y[r]);
    out.x.insert(out.x.end(), d.Row(r), d.Row(r) + d.cols());
  }
  return out;
}

struct FoldResult {
  Metrics xgboost, logistic;
};

/// Trains on `train` rows (every tenth, by canonical position, held out for early stopping) and
/// scores `test` rows.
Result<FoldResult> FitAndScore(const Dataset& d, const std::vector<size_t>& train, const std::vector<size_t>& test,
                               const GbmOptions& options) {
  std::vector<size_t> fit, stop;
  for (size_t i = 0; i < train.size(); ++i) (i % 10 == 9 ? stop : fit).push_back(train[i]);
  Dataset fit_rows = Subset(d, fit), stop_rows = Subset(d, stop), test_rows = Subset(d, test);
  for (const Dataset* part : {&fit_rows, &stop_rows, &test_rows}) {
    const int64_t positives = part->Positives();
    if (positives == 0 || positives == static_cast<int64_t>(part->rows())) {
      return Status::InvalidArgument("too few rows of each label to split for training and validation");
    }
  }
  ASSIGN_OR_RETURN(GbmModel gbm, GbmModel::Train(fit_rows, stop_rows, options));
  ASSIGN_OR_RETURN(std::vector<float> p, gbm.Predict(test_rows));
  ASSIGN_OR_RETURN(LogisticModel logistic, FitLogistic(Subset(d, train)));
  return FoldResult{Evaluate(p, test_rows.y), Evaluate(logistic.Predict(test_rows), test_rows.y)};
}

/// Rows of fold `k` (test) and the others (train), in canonical order.
std::pair<std::vector<size_t>, std::vector<size_t>> SplitFold(const std::vector<size_t>& order,
                                                              const std::vector<int>& fold, int k) {
  std::vector<size_t> train, test;
  for (size_t r : order) (fold[r] == k ? test : train).push_back(r);
  return {train, test};
}

Result<nlohmann::json> CrossValidate(const Dataset& d, const std::vector<size_t>& order, int k,
                                     const GbmOptions& options) {
  std::vector<int> fold = StratifiedFolds(d.y, order, k);
  std::vector<double> aucs;
  for (int f = 0; f < k; ++f) {
    auto [train, test] = SplitFold(order, fold, f);
    ASSIGN_OR_RETURN(FoldResult r, FitAndScore(d, train, test, options));
    aucs.push_back(r.xgboost.roc_auc);
  }
  const double mean = std::accumulate(aucs.begin(), aucs.end(), 0.0) / k;
  double var = 0;
  for (double a : aucs) var += (a - mean) * (a - mean);
  return nlohmann::json{{"cv_folds", k}, {"cv_roc_auc", aucs}, {"cv_roc_auc_mean", mean},
                        {"cv_roc_auc_std", k > 1 ? std::sqrt(var / (k - 1)) : 0.0}};
}

}  // namespace

Result<nlohmann::json> TrainGeneric(const GenericOptions& options) {
  if (options.label.empty()) return Status::InvalidArgument("--input needs --label COLUMN (the churn label)");
  if (options.cv == 1 || options.cv < 0) return Status::InvalidArgument("--cv must be at least 2 folds");
  ASSIGN_OR_RETURN(Table table, ReadTable(options.input));
  ASSIGN_OR_RETURN(size_t label_col, FindColumn(table, options.label, options.input, "label"));
  std::set<size_t> skip{label_col};
  if (!options.id.empty()) {
    ASSIGN_OR_RETURN(size_t id_col, FindColumn(table, options.id, options.input, "id"));
    skip.insert(id_col);
  }
  std::string positive;
  ASSIGN_OR_RETURN(std::vector<float> y, EncodeLabel(table, label_col, options.input, &positive));
  nlohmann::json kinds = nlohmann::json::object();
  Dataset d = EncodeFeatures(table, skip, &kinds);
  if (d.cols() == 0) return Status::InvalidArgument(options.input + ": no column left to learn from besides the label and id");
  d.y = std::move(y);
  std::vector<uint64_t> hashes;
  std::vector<size_t> order = CanonicalOrder(table, &hashes);
  auto [train, test] = SplitFold(order, StratifiedFolds(d.y, order, kValidationFolds), 0);
  ASSIGN_OR_RETURN(FoldResult validation, FitAndScore(d, train, test, options.gbm));
  nlohmann::json summary{{"verb", "churn train"}, {"input", options.input}, {"label", options.label},
                         {"positive_label", positive}, {"rows", d.rows()}, {"positives", d.Positives()},
                         {"columns", kinds}, {"features", d.feature_names},
                         {"validation_rows", test.size()}, {"roc_auc", validation.xgboost.roc_auc},
                         {"metrics", {{"xgboost", ToJson(validation.xgboost)}, {"logistic", ToJson(validation.logistic)}}}};
  if (options.cv > 1) {
    ASSIGN_OR_RETURN(nlohmann::json cv, CrossValidate(d, order, options.cv, options.gbm));
    summary.update(cv);
  }
  return summary;
}

}  // namespace custlake::churn
