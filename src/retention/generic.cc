#include "retention/generic.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <chrono>
#include <filesystem>
#include <optional>
#include <set>

#include "engine/engine.h"
#include "retention/uplift_metrics.h"

namespace custlake::retention {

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Column {
  std::string name, type;
};

std::string Source(const std::string& input) {
  return input.ends_with(".parquet") ? "read_parquet(" + engine::QuoteLiteral(input) + ")"
                                     : "read_csv(" + engine::QuoteLiteral(input) + ", header = true)";
}

bool IsNumericType(const std::string& type) {
  static const std::set<std::string> kNumeric{"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                                              "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "BOOLEAN"};
  return kNumeric.count(type) > 0 || type.starts_with("DECIMAL");
}

Result<std::vector<Column>> DescribeFile(engine::Session* s, const std::string& input) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(input, ec)) return Status::NotFound(input + ": no such file");
  if (std::filesystem::file_size(input, ec) == 0) return Status::InvalidArgument(input + ": the file is empty");
  auto described = s->Query("DESCRIBE SELECT * FROM " + Source(input));
  if (!described.ok()) return described.status().WithContext(input);
  std::vector<Column> out;
  for (const auto& row : described->rows) out.push_back({row[0], row[1]});
  return out;
}

Status RequireColumn(const std::vector<Column>& columns, const std::string& name, const std::string& input,
                     const std::string& what) {
  for (const Column& c : columns) {
    if (c.name == name) return Status::OK();
  }
  std::vector<std::string> names;
  for (const Column& c : columns) names.push_back(c.name);
  return Status::InvalidArgument(fmt::format("{}: no {} column '{}' (columns: {}); name it with --{}", input, what,
                                             name, fmt::join(names, ", "), what));
}

std::string Quoted(const std::vector<std::string>& values) {
  std::vector<std::string> q;
  for (const auto& v : values) q.push_back("'" + v + "'");
  return fmt::format("{}", fmt::join(q, ", "));
}

/// A binary column's values as read (lower-case, trimmed; NULL as ""), checked while the rows are
/// read, so the file is scanned once: 1/0, true/false (and yes/no for the treatment).
class BinaryValues {
 public:
  BinaryValues(std::string col, std::string what, bool allow_yes_no)
      : col_(std::move(col)), what_(std::move(what)), allow_yes_no_(allow_yes_no) {}

  /// 1 or 0 for `v`; a value that is neither is remembered for Check().
  float Read(std::string_view v) {
    static const std::set<std::string, std::less<>> kOne{"1", "1.0", "true", "t"}, kZero{"0", "0.0", "false", "f"};
    static const std::set<std::string, std::less<>> kYes{"yes", "y"}, kNo{"no", "n"};
    const bool one = kOne.count(v) || (allow_yes_no_ && kYes.count(v));
    const bool zero = !one && (kZero.count(v) || (allow_yes_no_ && kNo.count(v)));
    if (seen_.size() < kKept && !seen_.count(v)) seen_.emplace(v);
    if (!one && !zero && !bad_) bad_ = std::string(v);
    (one ? ones_ : zeros_) += one || zero;
    return one ? 1.0f : 0.0f;
  }

  /// After the rows: a value that is not binary, or only one of the two values, is an error naming
  /// the file and the column.
  Status Check(const std::string& input) const {
    std::vector<std::string> values(seen_.begin(), seen_.end());
    if (bad_) {
      return Status::InvalidArgument(fmt::format(
          "{}: the {} column '{}' is not binary: its values include {} ({}); it must hold 0/1 or true/false{}", input,
          what_, col_, bad_->empty() ? "a blank" : "'" + *bad_ + "'", Quoted(values),
          allow_yes_no_ ? " (or yes/no)" : ""));
    }
    if (ones_ == 0 || zeros_ == 0) {
      return Status::InvalidArgument(fmt::format(
          "{}: the {} column '{}' has one value ({}): uplift needs {}", input, what_, col_, Quoted(values),
          what_ == "treatment" ? "treated and control rows (an experiment with a control group)"
                               : "rows where the outcome happened and rows where it did not"));
    }
    return Status::OK();
  }

 private:
  static constexpr size_t kKept = 12;  // distinct values kept for the messages
  std::string col_, what_;
  bool allow_yes_no_;
  std::set<std::string, std::less<>> seen_;
  std::optional<std::string> bad_;  ///< the first value that is not binary
  int64_t ones_ = 0, zeros_ = 0;
};

std::string LowerText(const std::string& col) {
  return "coalesce(lower(trim(CAST(" + engine::QuoteIdent(col) + " AS VARCHAR))), '')";
}

/// A feature's value as DuckDB prints a DOUBLE: parsed as a double and rounded to float, as
/// churn::ParseFeatureValue does (without its string copy); "" (missing) and non-finite values are NaN.
float FeatureValue(std::string_view v) {
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !std::isfinite(d)) return NAN;
  return static_cast<float>(d);
}

struct Loaded {
  UpliftRows rows;
  std::vector<bool> train;  ///< per row
  std::vector<std::string> features, ignored;
};

/// An integer id is its own group (as the warehouse's customer ids are, so the export's rows fall in the
/// same folds); any other text is hashed.
uint64_t GroupOf(std::string_view id) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
  if (ec == std::errc() && end == id.data() + id.size()) return static_cast<uint64_t>(value);
  return std::hash<std::string_view>{}(id);
}

Status CheckSplitValue(std::string_view v, const std::string& input, const std::string& col, bool* train) {
  std::string lower(v);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "train") {
    *train = true;
  } else if (lower == "validation" || lower == "valid" || lower == "test") {
    *train = false;
  } else {
    return Status::InvalidArgument(fmt::format("{}: the split column '{}' holds '{}'; its values must be 'train' or "
                                               "'validation'", input, col, v));
  }
  return Status::OK();
}

Result<Loaded> Load(engine::Session* s, const GenericOptions& o) {
  ASSIGN_OR_RETURN(std::vector<Column> columns, DescribeFile(s, o.input));
  RETURN_NOT_OK(RequireColumn(columns, o.treatment, o.input, "treatment"));
  RETURN_NOT_OK(RequireColumn(columns, o.outcome, o.input, "outcome"));
  if (!o.id.empty()) RETURN_NOT_OK(RequireColumn(columns, o.id, o.input, "id"));
  if (!o.split_column.empty()) RETURN_NOT_OK(RequireColumn(columns, o.split_column, o.input, "split-column"));
  BinaryValues treatment(o.treatment, "treatment", true), outcome(o.outcome, "outcome", false);
  Loaded out;
  // One scan of the file: the treatment and outcome are checked as the rows arrive.
  std::string sql = "SELECT concat_ws(chr(31), " + LowerText(o.treatment) + ", " + LowerText(o.outcome) + ", " +
                    (o.id.empty() ? std::string("''") : "coalesce(CAST(" + engine::QuoteIdent(o.id) + " AS VARCHAR), '')") +
                    ", " + (o.split_column.empty() ? std::string("''") : "coalesce(CAST(" + engine::QuoteIdent(o.split_column) + " AS VARCHAR), '')");
  for (const Column& c : columns) {
    if (c.name == o.treatment || c.name == o.outcome || c.name == o.id || c.name == o.split_column) continue;
    if (!IsNumericType(c.type)) {
      out.ignored.push_back(c.name);
      continue;
    }
    out.features.push_back(c.name);
    sql += ", coalesce(CAST(CAST(" + engine::QuoteIdent(c.name) + " AS DOUBLE) AS VARCHAR), '')";
  }
  sql += ") FROM " + Source(o.input);
  if (out.features.empty()) return Status::InvalidArgument(o.input + ": no numeric feature columns besides the treatment and outcome");
  out.rows.data.feature_names = out.features;
  Status parsed = Status::OK();
  int64_t row_no = 0;
  std::vector<std::string_view> v;
  RETURN_NOT_OK(s->ForEachString(sql, [&](std::string_view packed) {
    if (!parsed.ok()) return;
    v.clear();
    for (size_t from = 0;;) {
      size_t to = packed.find('\x1f', from);
      v.push_back(packed.substr(from, to == std::string_view::npos ? std::string_view::npos : to - from));
      if (to == std::string_view::npos) break;
      from = to + 1;
    }
    out.rows.treated.push_back(treatment.Read(v[0]));
    out.rows.data.y.push_back(outcome.Read(v[1]));
    const uint64_t group = o.id.empty() ? static_cast<uint64_t>(row_no) : GroupOf(v[2]);
    out.rows.group.push_back(group);
    out.rows.data.ids.push_back(row_no);
    bool train = HashKey(group, static_cast<uint64_t>(o.seed)) % 10 < 7;
    if (!o.split_column.empty()) parsed = CheckSplitValue(v[3], o.input, o.split_column, &train);
    out.train.push_back(train);
    for (size_t c = 4; c < v.size(); ++c) out.rows.data.x.push_back(FeatureValue(v[c]));
    ++row_no;
  }).WithContext(o.input));
  RETURN_NOT_OK(treatment.Check(o.input));
  RETURN_NOT_OK(outcome.Check(o.input));
  RETURN_NOT_OK(parsed);
  if (out.rows.data.rows() == 0) return Status::InvalidArgument(o.input + ": no data rows");
  return out;
}

}  // namespace

Result<nlohmann::json> TrainGeneric(const GenericOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  RETURN_NOT_OK(options.learner.Validate());
  ASSIGN_OR_RETURN(auto db, engine::Database::Open({}));
  ASSIGN_OR_RETURN(auto session, db->Connect());
  ASSIGN_OR_RETURN(Loaded loaded, Load(session.get(), options));
  session.reset();
  const double read_s = SecondsSince(start);
  const UpliftRows train = Subset(loaded.rows, loaded.train);
  std::vector<bool> is_validation(loaded.train.size());
  for (size_t r = 0; r < is_validation.size(); ++r) is_validation[r] = !loaded.train[r];
  const UpliftRows valid = Subset(loaded.rows, is_validation);
  if (train.data.rows() == 0 || valid.data.rows() == 0) {
    return Status::InvalidArgument(fmt::format("{}: {} training and {} validation rows; both are needed", options.input,
                                               train.data.rows(), valid.data.rows()));
  }
  const auto train_start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(TrainedLearner learner, TrainDrLearner(train, options.learner));
  const double train_s = SecondsSince(train_start);
  const auto predict_start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::vector<float> uplift, PredictUplift(learner.uplift, learner.p_event, learner.shift, valid.data));
  const double predict_s = SecondsSince(predict_start);
  const UpliftMetrics m = EvaluateUplift(uplift, valid.treated, valid.data.y);
  nlohmann::json metrics = ToJson(m);
  metrics.erase("qini_curve");
  metrics.erase("uplift_curve");
  return nlohmann::json{{"verb", "retention train"},
                        {"input", options.input},
                        {"rows", loaded.rows.data.rows()},
                        {"train_rows", train.data.rows()},
                        {"validation_rows", valid.data.rows()},
                        {"split", options.split_column.empty() ? "seeded 70/30" : "column " + options.split_column},
                        {"features", loaded.features},
                        {"ignored_columns", loaded.ignored},
                        {"learner", options.learner.ToJson()},
                        {"training", learner.info},
                        {"qini_coefficient", m.qini_coefficient},
                        {"auuc", m.auuc},
                        {"validation", metrics},
                        {"timings", {{"read_seconds", read_s}, {"train_seconds", train_s},
                                     {"predict_seconds", predict_s}, {"total_seconds", SecondsSince(start)}}}};
}

}  // namespace custlake::retention
