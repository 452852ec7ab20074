#include "churn/dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>

#include <unistd.h>

#include "churn/row_blocks.h"
#include "lake/lake.h"
#include "warehouse/publisher.h"
#include "warehouse/segments.h"

namespace custlake::churn {

float Dataset::At(size_t row, const std::string& feature) const {
  int c = Column(feature);
  return c < 0 ? std::numeric_limits<float>::quiet_NaN() : Row(row)[c];
}

int Dataset::Column(const std::string& feature) const {
  for (size_t i = 0; i < feature_names.size(); ++i) {
    if (feature_names[i] == feature) return static_cast<int>(i);
  }
  return -1;
}

void Dataset::Reserve(size_t rows, size_t cols) {
  ids.reserve(rows);
  x.reserve(rows * cols);
  y.reserve(rows);
}

Status Dataset::Append(const Dataset& other) {
  if (ids.empty() && feature_names.empty()) feature_names = other.feature_names;
  if (other.feature_names != feature_names) return Status::InvalidArgument("datasets with different features");
  ids.insert(ids.end(), other.ids.begin(), other.ids.end());
  x.insert(x.end(), other.x.begin(), other.x.end());
  y.insert(y.end(), other.y.begin(), other.y.end());
  return Status::OK();
}

int64_t Dataset::Positives() const {
  int64_t n = 0;
  for (float v : y) n += v > 0.5f;
  return n;
}

Dataset Dataset::EveryKth(size_t max_rows) const {
  if (rows() <= max_rows) return *this;
  const size_t step = max_rows == 0 ? rows() : (rows() + max_rows - 1) / max_rows;
  Dataset out;
  out.feature_names = feature_names;
  for (size_t r = 0; r < rows() && out.rows() < max_rows; r += step) {
    out.ids.push_back(ids[r]);
    out.x.insert(out.x.end(), Row(r), Row(r) + cols());
    out.y.push_back(y[r]);
  }
  return out;
}

Result<float> ParseFeatureValue(const std::string& text, bool is_null) {
  if (is_null || text.empty()) return std::numeric_limits<float>::quiet_NaN();
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    return Status::InvalidArgument("not a finite number: '" + text + "'");
  }
  return static_cast<float>(v);
}

namespace {

Status CheckColumns(const std::vector<std::string>& columns, const FeatureModel& model) {
  std::vector<std::string> expected{"customer_id", "cutoff", "label"};
  for (const FeatureInfo& f : model.features) expected.push_back(f.name);
  if (columns != expected) {
    return Status::InvalidArgument(fmt::format(
        "{}: the SELECT returns columns ({}) but the header declares customer_id, cutoff, label and the features ({}); "
        "keep the `-- feature` lines in the SELECT's order",
        model.path, fmt::join(columns, ", "), fmt::join(expected, ", ")));
  }
  return Status::OK();
}

/// The SELECT with every column as DOUBLE, in its order and with its names (the cutoff as days since
/// 1970), so its rows cross into C++ as numbers, not text.
std::string AsDoubles(const std::string& select) {
  return "SELECT COLUMNS(*)::DOUBLE FROM (SELECT * REPLACE (CAST(date_diff('day', DATE '1970-01-01', cutoff) AS "
         "DOUBLE) AS cutoff) FROM (" +
         select + "))";
}

/// The largest whole number a double holds exactly (2^53): customer ids up to it cross as DOUBLE.
constexpr double kExactIntegers = 9007199254740992.0;

/// Appends a chunk of rows (every column a double) to the datasets of their cutoffs
/// (`cutoff_days[i]`, days since 1970, is `out[i]`'s): each row's id and label first, then the
/// features column by column into the rows' places.
Status AppendChunk(size_t rows, const std::vector<const double*>& columns, const FeatureModel& model,
                   const std::vector<std::string>& cutoffs, const std::vector<double>& cutoff_days,
                   std::vector<Dataset>* out) {
  if (rows == 0) return Status::OK();
  std::vector<size_t> which(rows), at(rows);
  for (size_t r = 0; r < rows; ++r) {
    const auto cutoff = std::find(cutoff_days.begin(), cutoff_days.end(), columns[1][r]);
    if (cutoff == cutoff_days.end()) {
      return Status::Internal(fmt::format("{}: a row for a cutoff ({} days since 1970) that was not asked for",
                                          model.path, columns[1][r]));
    }
    which[r] = static_cast<size_t>(cutoff - cutoff_days.begin());
    Dataset* d = &(*out)[which[r]];
    const double id = columns[0][r];
    if (!(std::abs(id) <= kExactIntegers) || id != std::floor(id)) {
      return Status::InvalidArgument(fmt::format("{}: customer_id {} at cutoff {} is not a whole number up to 2^53",
                                                 model.path, id, cutoffs[which[r]]));
    }
    at[r] = d->rows();
    d->ids.push_back(static_cast<int64_t>(id));
    d->y.push_back(columns[2][r] == 1.0 ? 1.0f : 0.0f);
  }
  const size_t cols = out->front().cols();  // every dataset has the model's features
  std::vector<float*> place(rows);
  for (Dataset& d : *out) d.x.resize(d.rows() * cols);
  for (size_t r = 0; r < rows; ++r) place[r] = (*out)[which[r]].x.data() + at[r] * cols;
  bool infinite = false;
  for (size_t c = 0; c < cols; ++c) {
    const double* values = columns[c + 3];
    for (size_t r = 0; r < rows; ++r) {
      infinite |= std::isinf(values[r]);
      place[r][c] = static_cast<float>(values[r]);  // NaN (NULL) is a missing value
    }
  }
  for (size_t r = 0; r < rows && infinite; ++r) {
    for (size_t c = 0; c < cols; ++c) {
      if (!std::isinf(columns[c + 3][r])) continue;
      return Status::InvalidArgument(fmt::format("{}: feature {} of customer {} at cutoff {}: not a finite number: {}",
                                                 model.path, out->front().feature_names[c], (*out)[which[r]].ids[at[r]],
                                                 cutoffs[which[r]], columns[c + 3][r]));
    }
  }
  return Status::OK();
}

/// Puts a cutoff's rows in customer_id order (the feature query's rows come in DuckDB's order, which
/// depends on its threads): the same rows always train the same model. A row's values move with it.
/// A customer with two rows at the cutoff is an error of the feature SQL (a join that fanned out).
Status SortByCustomer(Dataset* d, const std::string& where) {
  if (!std::is_sorted(d->ids.begin(), d->ids.end())) {
    std::vector<size_t> order(d->rows());
    for (size_t r = 0; r < order.size(); ++r) order[r] = r;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d->ids[a] < d->ids[b]; });
    Dataset sorted;
    sorted.feature_names = d->feature_names;
    sorted.Reserve(d->rows(), d->cols());
    for (size_t r : order) {
      sorted.ids.push_back(d->ids[r]);
      sorted.y.push_back(d->y[r]);
      sorted.x.insert(sorted.x.end(), d->Row(r), d->Row(r) + d->cols());
    }
    *d = std::move(sorted);
  }
  if (auto twice = std::adjacent_find(d->ids.begin(), d->ids.end()); twice != d->ids.end()) {
    return Status::InvalidArgument(fmt::format("{}: customer {} has two rows at one cutoff", where, *twice));
  }
  return Status::OK();
}

/// The conditions choosing the shares of the customers a per-share step runs in: ranges of
/// customer_id, each holding as many of the current customers (dim_customer) as the others, together
/// every value. A range is a comparison of the column with constants, which DuckDB's scans apply
/// before reading the other columns (a hash of the id would be computed on every row). One share per
/// `kCustomersPerShare` customers and at least four per connection: the running shares' aggregates
/// are what the step holds in memory. One share of all when there is no customer.
constexpr int64_t kCustomersPerShare = 62500;
Result<std::vector<std::string>> ShareConditions(engine::Session* session, int at_once) {
  ASSIGN_OR_RETURN(engine::QueryResult customers,
                   session->Query("SELECT count(*) FROM dim_customer WHERE is_current AND customer_id IS NOT NULL"));
  const int64_t n = customers.rows.empty() ? 0 : std::stoll(customers.rows[0][0]);
  const int64_t count = std::max<int64_t>(4 * at_once, (n + kCustomersPerShare - 1) / kCustomersPerShare);
  std::vector<std::string> fractions;
  for (int64_t k = 1; k < count; ++k) fractions.push_back(fmt::format("{}/{}", k, count));
  ASSIGN_OR_RETURN(engine::QueryResult bounds, session->Query(fmt::format(
      "SELECT typeof(b), CAST(b AS VARCHAR) FROM (SELECT unnest(quantile_disc(customer_id, [{}])) AS b "
      "FROM dim_customer WHERE is_current) WHERE b IS NOT NULL ORDER BY b",
      fmt::join(fractions, ", "))));
  if (n == 0 || bounds.rows.size() != fractions.size()) return std::vector<std::string>{"true"};
  std::vector<std::string> literals;
  for (const auto& row : bounds.rows) literals.push_back(fmt::format("CAST({} AS {})", engine::QuoteLiteral(row[1]), row[0]));
  std::vector<std::string> out{"customer_id < " + literals.front()};
  for (size_t k = 1; k < literals.size(); ++k) {
    out.push_back(fmt::format("customer_id >= {} AND customer_id < {}", literals[k - 1], literals[k]));
  }
  out.push_back("customer_id >= " + literals.back());
  return out;
}

/// A step run for every share of the customers: its table made empty, then each share's rows added,
/// `at_once` shares at a time on connections of their own. DuckDB runs each with one thread: a
/// query on one thread spends less CPU than on several, and the shares keep every core busy.
Status RunPerShare(FeatureSession* session, const FeatureStep& step) {
  RETURN_NOT_OK(session->session()->Execute(step.ForShare("false", false)));
  // One connection per core, at most 8.
  const int at_once = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  ASSIGN_OR_RETURN(const std::vector<std::string> conditions, ShareConditions(session->session(), at_once));
  RETURN_NOT_OK(session->session()->Execute("SET threads = 1"));
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  Status failed = Status::OK();
  auto work = [&]() {
    auto fail = [&](const Status& s) {
      std::lock_guard<std::mutex> lock(mu);
      if (failed.ok()) failed = s;
      stop = true;
    };
    auto con = session->Connect();
    if (!con.ok()) return fail(con.status());
    for (size_t k = next++; k < conditions.size() && !stop; k = next++) {
      Status s = (*con)->Execute(step.ForShare(conditions[k], true));
      if (!s.ok()) return fail(s.WithContext(fmt::format("the share of the customers where {}", conditions[k])));
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < at_once; ++t) threads.emplace_back(work);
  for (std::thread& t : threads) t.join();
  Status reset = session->session()->Execute("RESET threads");
  RETURN_NOT_OK(failed);
  return reset;
}

/// The model's steps in order (each making its scratch table), then `rows` (streaming the SELECT);
/// the scratch tables are dropped in the end, whatever happened.
Status RunSteps(FeatureSession* session, const FeatureModel& model, const RenderedFeatures& rendered,
                const std::function<Status()>& rows) {
  Status out = Status::OK();
  size_t made = 0;
  for (; made < rendered.steps.size() && out.ok(); ++made) {
    const FeatureStep& step = rendered.steps[made];
    out = step.per_share ? RunPerShare(session, step) : session->session()->Execute(step.sql);
    if (!out.ok()) out = out.WithContext(fmt::format("{}:{} (the step {})", model.path, step.line, step.table));
  }
  if (out.ok()) out = rows();
  while (made-- > 0) {
    Status dropped = session->session()->Execute("DROP TABLE IF EXISTS " + engine::QuoteIdent(rendered.steps[made].table));
    if (out.ok()) out = dropped;
  }
  return out;
}

}  // namespace

FeatureSession::~FeatureSession() {
  session_.reset();
  db_.reset();
  if (!spill_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(spill_dir_, ignored);
  }
}

Result<std::unique_ptr<FeatureSession>> FeatureSession::Open(const std::string& lake_root,
                                                             const std::string& memory_limit) {
  lake::LakeOptions options;
  options.read_only = true;
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root, options));
  ASSIGN_OR_RETURN(auto version, warehouse::CurrentVersion(lake.get()));
  if (!version) return Status::NotFound("the lake has no warehouse to learn churn from yet; run `custlake build` first");
  std::unique_ptr<FeatureSession> fs(new FeatureSession());
  fs->warehouse_version_ = version->version;
  engine::DatabaseOptions db_options;
  // Rows in any order: ComputeFeatures orders each cutoff's rows itself, so DuckDB need not hold
  // rows back to keep their order.
  db_options.settings["preserve_insertion_order"] = "false";
  if (!memory_limit.empty()) {
    std::error_code error;
    const auto tmp = std::filesystem::temp_directory_path(error);
    if (error) return Status::IOError("no temporary directory to spill to: " + error.message());
    static std::atomic<int> sessions{0};  // a folder of its own for each session of the process
    fs->spill_dir_ = (tmp / fmt::format("custlake-features-{}-{}", ::getpid(), sessions++)).string();
    db_options.memory_limit = memory_limit;
    db_options.temp_directory = fs->spill_dir_;
  }
  ASSIGN_OR_RETURN(fs->db_, engine::Database::Open(db_options));
  ASSIGN_OR_RETURN(fs->session_, fs->db_->Connect());
  // The views and the feature model's scratch tables, compressed like a database file's.
  RETURN_NOT_OK(fs->session_->Execute("ATTACH ':memory:' AS scratch (COMPRESS)"));
  RETURN_NOT_OK(fs->session_->Execute("USE scratch"));
  RETURN_NOT_OK(warehouse::AttachVersion(fs->session_.get(), version->path, "warehouse").status());
  ASSIGN_OR_RETURN(engine::QueryResult tables,
                   fs->session_->Query("SELECT table_name FROM information_schema.tables WHERE table_catalog = "
                                       "'warehouse' AND table_schema = 'main' AND NOT starts_with(table_name, '_')"));
  for (const auto& row : tables.rows) {
    RETURN_NOT_OK(fs->session_->Execute("CREATE VIEW main." + engine::QuoteIdent(row[0]) +
                                        " AS SELECT * FROM warehouse.main." + engine::QuoteIdent(row[0])));
  }
  RETURN_NOT_OK(fs->session_->Execute("SET TimeZone = 'UTC'"));
  return fs;
}

Result<std::unique_ptr<engine::Session>> FeatureSession::Connect() {
  ASSIGN_OR_RETURN(auto con, db_->Connect());
  RETURN_NOT_OK(con->Execute("USE scratch"));
  RETURN_NOT_OK(con->Execute("SET TimeZone = 'UTC'"));
  return con;
}

Result<std::vector<Dataset>> ComputeFeatures(FeatureSession* session, const FeatureModel& model,
                                             const std::vector<std::string>& cutoffs, int horizon_days) {
  ASSIGN_OR_RETURN(RenderedFeatures rendered, model.Render(cutoffs, horizon_days));
  const std::string where = fmt::format("{} at cutoffs {}", model.path, fmt::join(cutoffs, ", "));
  std::vector<double> cutoff_days;
  for (const std::string& cutoff : cutoffs) {
    ASSIGN_OR_RETURN(std::chrono::sys_days day, ParseDay(cutoff, "the cutoff"));
    cutoff_days.push_back(static_cast<double>(day.time_since_epoch().count()));
  }
  std::vector<Dataset> out(cutoffs.size());
  for (Dataset& d : out) d.feature_names = model.FeatureNames();
  Status rows = Status::OK();  // an error of the rows (not the query's)
  Status run = RunSteps(session, model, rendered, [&]() {
    // The rows of each cutoff first (DuckDB counts them without computing the features: 0.08 s at
    // 1 M customers), so each cutoff's rows are allocated once, not grown chunk by chunk.
    ASSIGN_OR_RETURN(engine::QueryResult counts,
                     session->session()->Query("SELECT CAST(cutoff AS VARCHAR), count(*) FROM (" + rendered.select +
                                               ") GROUP BY ALL"));
    for (const auto& row : counts.rows) {
      const auto cutoff = std::find(cutoffs.begin(), cutoffs.end(), row[0]);
      if (cutoff != cutoffs.end()) out[cutoff - cutoffs.begin()].Reserve(std::stoull(row[1]), model.features.size());
    }
    return session->session()->ForEachDoubleChunk(
        AsDoubles(rendered.select),
        [&](const std::vector<std::string>& names) { return rows = CheckColumns(names, model); },
        [&](size_t n, const std::vector<const double*>& columns) {
          return rows = AppendChunk(n, columns, model, cutoffs, cutoff_days, &out);
        });
  });
  RETURN_NOT_OK(rows);
  if (!run.ok()) return run.WithContext(where);
  // Each cutoff's rows ordered on a core of its own.
  std::vector<Status> sorted(out.size());
  ForEachRowBlock(out.size(), out.size(), [&](size_t i, size_t, size_t) {
    sorted[i] = SortByCustomer(&out[i], fmt::format("{} at cutoff {}", model.path, cutoffs[i]));
  });
  for (const Status& s : sorted) RETURN_NOT_OK(s);
  return out;
}

Result<Dataset> ComputeFeatures(FeatureSession* session, const FeatureModel& model, const std::string& cutoff,
                                int horizon_days) {
  ASSIGN_OR_RETURN(std::vector<Dataset> one, ComputeFeatures(session, model, std::vector<std::string>{cutoff}, horizon_days));
  return std::move(one.front());
}

Result<DataRange> WarehouseDataRange(FeatureSession* session) {
  ASSIGN_OR_RETURN(engine::QueryResult result, session->session()->Query(
      "SELECT CAST(min(CASE WHEN activity_type = 'usage' THEN occurred_at END) AS DATE)::VARCHAR, "
      "CAST(max(occurred_at) AS DATE)::VARCHAR FROM fact_customer_activity"));
  DataRange range;
  if (!result.rows.empty() && !result.nulls[0][0]) range.first_usage_day = result.rows[0][0];
  if (!result.rows.empty() && !result.nulls[0][1]) range.last_day = result.rows[0][1];
  return range;
}

}  // namespace custlake::churn
