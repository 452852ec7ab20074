// A feature matrix: one row per customer (per cutoff, when several cutoffs'
// rows are stacked for training), float features row-major with NaN for a
// missing value (XGBoost's convention), and the 0/1 labels.
//
// ComputeFeatures runs the feature model's statements for a list of cutoffs (all
// in one pass) or for one, over the current warehouse version, attached read-only
// as `custlake query` attaches it, so features see exactly what readers see.
//
// Plain values; not thread-safe while being appended to.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "churn/feature_model.h"
#include "common/status.h"
#include "engine/engine.h"

namespace custlake::churn {

struct Dataset {
  std::vector<std::string> feature_names;
  std::vector<int64_t> ids;   ///< customer_id per row
  std::vector<float> x;       ///< rows() x cols(), row-major, NaN = missing
  std::vector<float> y;       ///< label per row (0/1)

  size_t rows() const { return ids.size(); }
  size_t cols() const { return feature_names.size(); }
  const float* Row(size_t i) const { return x.data() + i * cols(); }
  float At(size_t row, const std::string& feature) const;
  /// Index of `feature`, -1 if absent.
  int Column(const std::string& feature) const;
  /// Room for `rows` rows of `cols` features, so appending up to them copies nothing already held.
  void Reserve(size_t rows, size_t cols);
  /// Adds `other`'s rows (same features, else InvalidArgument).
  Status Append(const Dataset& other);
  /// Positive labels.
  int64_t Positives() const;
  /// At most `max_rows` rows, evenly spread: every k-th row from the first (all when there are
  /// no more than max_rows), in order. Deterministic.
  Dataset EveryKth(size_t max_rows) const;
};

/// The current warehouse version, attached read-only (with its segment files) in an
/// in-memory DuckDB, each table a view (as `custlake query` sees them), in UTC: the one
/// published version the features read, whatever builds commit meanwhile. The views and
/// the feature model's scratch tables live in a compressed in-memory catalog.
/// Trusted SQL only (the embedded feature model): it is not a sandbox.
class FeatureSession {
 public:
  /// DuckDB's memory for the features unless told otherwise, as `custlake query`'s: enough for a
  /// million customers' shares without spilling (past it DuckDB keeps fewer of the warehouse's blocks
  /// cached, then spills).
  static constexpr const char* kDefaultMemoryLimit = "2GB";
  /// NotFound (saying to run `custlake build`) when the lake has no warehouse yet. `memory_limit`
  /// ("4GB"; "" = DuckDB's default, 80 % of the machine's memory) caps DuckDB's memory; past it
  /// DuckDB spills to a private folder in the system's temporary directory, removed on destruction.
  static Result<std::unique_ptr<FeatureSession>> Open(const std::string& lake_root,
                                                      const std::string& memory_limit = kDefaultMemoryLimit);
  ~FeatureSession();
  engine::Session* session() { return session_.get(); }
  /// Another connection, set up as session()'s is (for work on several threads).
  Result<std::unique_ptr<engine::Session>> Connect();
  int64_t warehouse_version() const { return warehouse_version_; }
  /// The folder DuckDB spills to ("" without a memory limit); it exists only once DuckDB spilled.
  const std::string& spill_dir() const { return spill_dir_; }

 private:
  FeatureSession() = default;
  std::string spill_dir_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Session> session_;
  int64_t warehouse_version_ = 0;
};

/// The feature model's rows for each of `cutoffs` (one Dataset per cutoff, in their order): the
/// customers active at its end, ordered by customer_id. One pass computes them all (the activity
/// facts of a share of the customers read once); a cutoff's rows are the same as when it is computed
/// alone. A step that runs per share runs in several shares (ranges of customer_id holding equal
/// numbers of the current customers) on several connections at once, each with one DuckDB thread.
/// Each cutoff's rows are counted first, then streamed from DuckDB chunk by chunk into float matrices
/// allocated once (no copy of the whole table), then ordered by customer, the cutoffs in parallel;
/// the scratch tables are dropped.
Result<std::vector<Dataset>> ComputeFeatures(FeatureSession* session, const FeatureModel& model,
                                             const std::vector<std::string>& cutoffs, int horizon_days);
/// The same for one cutoff.
Result<Dataset> ComputeFeatures(FeatureSession* session, const FeatureModel& model, const std::string& cutoff,
                                int horizon_days);

/// A text value as a feature: "" or NULL is missing (NaN); otherwise a number, or an error.
Result<float> ParseFeatureValue(const std::string& text, bool is_null);

/// The first and last day of data in the current warehouse version: the first usage
/// event's day and the newest activity's day ("" when the warehouse holds none).
struct DataRange {
  std::string first_usage_day;
  std::string last_day;
};
Result<DataRange> WarehouseDataRange(FeatureSession* session);

}  // namespace custlake::churn
