#include "retention/generic.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <chrono>
#include <cstring>
#include <tuple>
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

const std::vector<std::string> kOne{"1", "1.0", "true", "t"}, kZero{"0", "0.0", "false", "f"};
const std::vector<std::string> kYes{"yes", "y"}, kNo{"no", "n"};

std::string LowerText(const std::string& col) {
  return "coalesce(lower(trim(CAST(" + engine::QuoteIdent(col) + " AS VARCHAR))), '')";
}

std::string InList(const std::vector<std::string>& a, const std::vector<std::string>& b = {}) {
  std::vector<std::string> all = a;
  all.insert(all.end(), b.begin(), b.end());
  return "(" + Quoted(all) + ")";
}

/// A binary column read as a number in the scan (1, 0, or 2 for a value that is neither: 1/0,
/// true/false, and yes/no for the treatment), so the file is scanned once as numbers; the values
/// themselves are read again only for an error's message.
class BinaryColumn {
 public:
  BinaryColumn(std::string col, std::string what, bool allow_yes_no)
      : col_(std::move(col)), what_(std::move(what)), allow_yes_no_(allow_yes_no) {}

  /// The column as a DOUBLE: 1, 0 or 2 (neither).
  std::string Code() const {
    const std::string v = LowerText(col_);
    return "CAST(CASE WHEN " + v + " IN " + Ones() +
           " THEN 1 WHEN " + v + " IN " + Zeros() +
           " THEN 0 ELSE 2 END AS DOUBLE)";
  }

  /// 1 or 0 for a code; a 2 is remembered for Check().
  float Read(double code) {
    if (code == 1) {
      ++ones_;
      return 1.0f;
    }
    if (code == 0) ++zeros_;
    else bad_ = true;
    return 0.0f;
  }

  /// After the rows: a value that is not binary, or only one of the two values, is an error naming
  /// the file and the column, with the values there are (read again from `source`: errors only).
  Status Check(engine::Session* s, const std::string& source, const std::string& input) const {
    if (!bad_ && ones_ > 0 && zeros_ > 0) return Status::OK();
    const std::string v = LowerText(col_);
    std::vector<std::string> values;
    auto distinct = s->Query("SELECT DISTINCT " + v + " AS v FROM " + source + " ORDER BY v LIMIT 12");
    if (distinct.ok()) {
      for (const auto& row : distinct->rows) values.push_back(row[0]);
    }
    if (bad_) {
      std::string first;
      auto q = s->Query("SELECT " + v + " FROM " + source + " WHERE " + v + " NOT IN " +
                        Ones() + " AND " + v + " NOT IN " +
                        Zeros() + " LIMIT 1");
      if (q.ok()) first = q->Scalar();
      return Status::InvalidArgument(fmt::format(
          "{}: the {} column '{}' is not binary: its values include {} ({}); it must hold 0/1 or true/false{}", input,
          what_, col_, first.empty() ? "a blank" : "'" + first + "'", Quoted(values),
          allow_yes_no_ ? " (or yes/no)" : ""));
    }
    return Status::InvalidArgument(fmt::format(
        "{}: the {} column '{}' has one value ({}): uplift needs {}", input, what_, col_, Quoted(values),
        what_ == "treatment" ? "treated and control rows (an experiment with a control group)"
                             : "rows where the outcome happened and rows where it did not"));
  }

 private:
  /// The texts read as 1 and as 0, as SQL lists.
  std::string Ones() const { return InList(kOne, allow_yes_no_ ? kYes : std::vector<std::string>{}); }
  std::string Zeros() const { return InList(kZero, allow_yes_no_ ? kNo : std::vector<std::string>{}); }

  std::string col_, what_;
  bool allow_yes_no_;
  bool bad_ = false;
  int64_t ones_ = 0, zeros_ = 0;
};

struct Loaded {
  UpliftRows rows;
  std::vector<bool> train;  ///< per row
  std::vector<std::string> features, ignored;
};

/// The group of a row as two exact DOUBLEs (the high and low 32 bits): an integer id is its own group
/// (as the warehouse's customer ids are, so the export's rows fall in the same folds); any other text
/// is hashed.
std::pair<std::string, std::string> GroupHalves(const std::string& id) {
  const std::string v = "coalesce(CAST(" + engine::QuoteIdent(id) + " AS VARCHAR), '')";
  const std::string g = "coalesce(TRY_CAST(" + v + " AS BIGINT)::HUGEINT, hash(" + v + ")::HUGEINT)";
  const std::string u = "(CASE WHEN " + g + " < 0 THEN " + g + " + 18446744073709551616 ELSE " + g + " END)";
  return {"CAST(" + u + " // 4294967296 AS DOUBLE)", "CAST(" + u + " % 4294967296 AS DOUBLE)"};
}

std::string SplitText(const std::string& col) {
  return "coalesce(CAST(" + engine::QuoteIdent(col) + " AS VARCHAR), '')";
}

/// The split column as a DOUBLE: 1 train, 0 validation (or valid, test), 2 anything else.
std::string SplitCode(const std::string& col) {
  const std::string v = "lower(" + SplitText(col) + ")";
  return "CAST(CASE WHEN " + v + " = 'train' THEN 1 WHEN " + v +
         " IN ('validation', 'valid', 'test') THEN 0 ELSE 2 END AS DOUBLE)";
}

Status SplitError(engine::Session* s, const std::string& source, const std::string& input, const std::string& col) {
  auto q = s->Query("SELECT " + SplitText(col) + " FROM " + source + " WHERE " + SplitCode(col) + " = 2 LIMIT 1");
  return Status::InvalidArgument(fmt::format("{}: the split column '{}' holds '{}'; its values must be 'train' or "
                                             "'validation'", input, col, q.ok() ? q->Scalar() : "?"));
}

/// The rows' canonical order: by their group (with --id), then their values. DuckDB's parallel reader
/// does not give a file's rows in the same order every time, and the boosters' row subsampling and
/// quantile sketches follow the order, so without it two runs on the same file fitted different
/// models. Without --id a row's group (its fold) is its position in this order, and the seeded 70/30
/// split (without --split-column) is drawn from it here.
std::vector<size_t> CanonicalOrder(const GenericOptions& o, Loaded* loaded) {
  UpliftRows& rows = loaded->rows;
  const size_t n = rows.data.rows(), cols = rows.data.cols();
  const bool drawn_here = o.id.empty() && o.split_column.empty();
  std::vector<size_t> order(n);
  for (size_t r = 0; r < n; ++r) order[r] = r;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (!o.id.empty() && rows.group[a] != rows.group[b]) return rows.group[a] < rows.group[b];
    const auto key = [&](size_t r) {  // the split only where it does not come from the reading order
      return std::tuple(drawn_here ? false : static_cast<bool>(loaded->train[r]), rows.treated[r], rows.data.y[r]);
    };
    if (key(a) != key(b)) return key(a) < key(b);
    return std::memcmp(rows.data.Row(a), rows.data.Row(b), cols * sizeof(float)) < 0;
  });
  if (o.id.empty()) {
    for (size_t i = 0; i < n; ++i) {
      rows.group[order[i]] = i;
      if (drawn_here) loaded->train[order[i]] = HashKey(i, static_cast<uint64_t>(o.seed)) % 10 < 7;
    }
  }
  return order;
}

/// The rows of `order` for which train[r] == want, in that order.
UpliftRows Take(const Loaded& loaded, const std::vector<size_t>& order, bool want) {
  const UpliftRows& rows = loaded.rows;
  const size_t cols = rows.data.cols();
  UpliftRows out;
  out.data.feature_names = rows.data.feature_names;
  for (size_t r : order) {
    if (loaded.train[r] != want) continue;
    out.data.x.insert(out.data.x.end(), rows.data.Row(r), rows.data.Row(r) + cols);
    out.data.y.push_back(rows.data.y[r]);
    out.data.ids.push_back(rows.data.ids[r]);
    out.treated.push_back(rows.treated[r]);
    out.group.push_back(rows.group[r]);
  }
  return out;
}

/// One scan of the file, every column read as a number (no text per value): the treatment and
/// outcome as codes checked as the rows arrive, the group's two halves, the split, then the features.
Result<Loaded> Load(engine::Session* s, const GenericOptions& o) {
  ASSIGN_OR_RETURN(std::vector<Column> columns, DescribeFile(s, o.input));
  RETURN_NOT_OK(RequireColumn(columns, o.treatment, o.input, "treatment"));
  RETURN_NOT_OK(RequireColumn(columns, o.outcome, o.input, "outcome"));
  if (!o.id.empty()) RETURN_NOT_OK(RequireColumn(columns, o.id, o.input, "id"));
  if (!o.split_column.empty()) RETURN_NOT_OK(RequireColumn(columns, o.split_column, o.input, "split-column"));
  BinaryColumn treatment(o.treatment, "treatment", true), outcome(o.outcome, "outcome", false);
  Loaded out;
  const auto [group_high, group_low] = o.id.empty() ? std::pair<std::string, std::string>{"0.0::DOUBLE", "0.0::DOUBLE"}
                                                    : GroupHalves(o.id);
  std::string sql = "SELECT " + treatment.Code() + ", " + outcome.Code() + ", " + group_high + ", " + group_low + ", " +
                    (o.split_column.empty() ? std::string("1.0::DOUBLE") : SplitCode(o.split_column));
  constexpr size_t kLeading = 5;
  for (const Column& c : columns) {
    if (c.name == o.treatment || c.name == o.outcome || c.name == o.id || c.name == o.split_column) continue;
    if (!IsNumericType(c.type)) {
      out.ignored.push_back(c.name);
      continue;
    }
    out.features.push_back(c.name);
    sql += ", CAST(" + engine::QuoteIdent(c.name) + " AS DOUBLE)";
  }
  const std::string source = Source(o.input);
  sql += " FROM " + source;
  if (out.features.empty()) return Status::InvalidArgument(o.input + ": no numeric feature columns besides the treatment and outcome");
  out.rows.data.feature_names = out.features;
  bool bad_split = false;
  int64_t row_no = 0;
  const size_t features = out.features.size();
  auto on_chunk = [&](size_t n, const std::vector<const double*>& col) -> Status {
    auto& x = out.rows.data.x;
    const size_t at = x.size();
    x.resize(at + n * features);
    for (size_t r = 0; r < n; ++r, ++row_no) {
      out.rows.treated.push_back(treatment.Read(col[0][r]));
      out.rows.data.y.push_back(outcome.Read(col[1][r]));
      const uint64_t group = o.id.empty() ? static_cast<uint64_t>(row_no)
                                          : (static_cast<uint64_t>(col[2][r]) << 32) | static_cast<uint64_t>(col[3][r]);
      out.rows.group.push_back(group);
      out.rows.data.ids.push_back(row_no);
      bool train = HashKey(group, static_cast<uint64_t>(o.seed)) % 10 < 7;
      if (!o.split_column.empty()) {
        train = col[4][r] == 1;
        bad_split = bad_split || col[4][r] == 2;
      }
      out.train.push_back(train);
      float* row = x.data() + at + r * features;
      for (size_t c = 0; c < features; ++c) {
        const double v = col[kLeading + c][r];
        row[c] = std::isfinite(v) ? static_cast<float>(v) : NAN;  // NULL (NaN) and infinities: missing
      }
    }
    return Status::OK();
  };
  RETURN_NOT_OK(s->ForEachDoubleChunk(sql, [](const std::vector<std::string>&) { return Status::OK(); }, on_chunk)
                    .WithContext(o.input));
  RETURN_NOT_OK(treatment.Check(s, source, o.input));
  RETURN_NOT_OK(outcome.Check(s, source, o.input));
  if (bad_split) return SplitError(s, source, o.input, o.split_column);
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
  db.reset();
  const double read_s = SecondsSince(start);
  const std::vector<size_t> order = CanonicalOrder(options, &loaded);
  const UpliftRows train = Take(loaded, order, true), valid = Take(loaded, order, false);
  const size_t all_rows = loaded.rows.data.rows();
  loaded.rows = UpliftRows{};  // the file's rows, now in `train` and `valid`: not kept twice while training
  if (train.data.rows() == 0 || valid.data.rows() == 0) {
    return Status::InvalidArgument(fmt::format("{}: {} training and {} validation rows; both are needed", options.input,
                                               train.data.rows(), valid.data.rows()));
  }
  const auto train_start = std::chrono::steady_clock::now();
  LearnerOptions learner_options = options.learner;
  learner_options.refit = false;  // no model is kept: the folds' models predict, the refits are not needed
  ASSIGN_OR_RETURN(TrainedLearner learner, TrainDrLearner(train, learner_options));
  const double train_s = SecondsSince(train_start);
  const auto predict_start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::vector<float> uplift, PredictUpliftFromFolds(learner, valid.data));
  const double predict_s = SecondsSince(predict_start);
  const UpliftMetrics m = EvaluateUplift(uplift, valid.treated, valid.data.y);
  nlohmann::json metrics = ToJson(m);
  metrics.erase("qini_curve");
  metrics.erase("uplift_curve");
  return nlohmann::json{{"verb", "retention train"},
                        {"input", options.input},
                        {"rows", all_rows},
                        {"train_rows", train.data.rows()},
                        {"validation_rows", valid.data.rows()},
                        {"split", options.split_column.empty() ? "seeded 70/30" : "column " + options.split_column},
                        {"features", loaded.features},
                        {"ignored_columns", loaded.ignored},
                        {"learner", learner_options.ToJson()},
                        {"training", learner.info},
                        {"qini_coefficient", m.qini_coefficient},
                        {"auuc", m.auuc},
                        {"validation", metrics},
                        {"timings", {{"read_seconds", read_s}, {"train_seconds", train_s},
                                     {"predict_seconds", predict_s}, {"total_seconds", SecondsSince(start)}}}};
}

}  // namespace custlake::retention
