#include "engine/row_stream.h"

#include "engine/engine_internal.h"

#include <duckdb.h>

#include <cstring>
#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <mutex>

namespace custlake::engine {

namespace {

bool IsString(ColumnType t) { return t == ColumnType::kVarchar || t == ColumnType::kBlob; }
bool IsDouble(ColumnType t) { return t == ColumnType::kDouble; }
bool IsDictionary(const ColumnSpec& c) { return c.dictionary && c.type == ColumnType::kVarchar; }

}  // namespace

RowBlock::RowBlock(const std::vector<ColumnSpec>& columns) {
  for (const ColumnSpec& c : columns) {
    types_.push_back(c.type);
    dictionary_.push_back(IsDictionary(c) ? 1 : 0);
  }
  const size_t n = types_.size();
  ints_.resize(n);
  doubles_.resize(n);
  strs_.resize(n);
  valid_.resize(n);
  Reserve(kInitialRows);
  arena_.reserve(16 << 10);
}

// Room for `rows` rows (plus the next row's NULL marks). Blocks start small
// and double up to kRows, so a partition with few rows holds little memory.
void RowBlock::Reserve(size_t rows) {
  fixed_bytes_ = 0;
  for (size_t c = 0; c < types_.size(); c++) {
    valid_[c].resize(rows + 1, 0);
    if (IsString(types_[c])) {
      strs_[c].resize(rows + 1, 0);
      if (dictionary_[c]) ints_[c].resize(rows + 1, 0);
    } else if (IsDouble(types_[c])) {
      doubles_[c].resize(rows + 1, 0);
    } else {
      ints_[c].resize(rows + 1, 0);
    }
    fixed_bytes_ += valid_[c].capacity() + strs_[c].capacity() * sizeof(uint64_t) +
                    doubles_[c].capacity() * sizeof(double) + ints_[c].capacity() * sizeof(int64_t);
  }
  cap_ = rows;
}

void RowBlock::Clear() {
  rows_ = 0;
  counted_ = 0;
  arena_.clear();
  for (auto& v : valid_) v[0] = 0;
}

void RowBlock::SetString(size_t col, std::string_view v) {
  valid_[col][rows_] = 1;
  if (StringDictionary* dict = (*dicts_)[col]) {
    const int32_t index = dict->Index(v);
    ints_[col][rows_] = index;
    if (index >= 0) return;
  }
  strs_[col][rows_] = (static_cast<uint64_t>(arena_.size()) << 32) | static_cast<uint32_t>(v.size());
  arena_.append(v);
}

void RowBlock::EndRow() {
  rows_++;
  if (rows_ == cap_ && cap_ < kRows) Reserve(std::min(kRows, cap_ * 2));
  // Every column of the next row starts NULL; setters mark it valid.
  for (auto& v : valid_) v[rows_] = 0;
}

struct RowStream::Impl {
  duckdb_database db = nullptr;
  duckdb_connection con = nullptr;

  std::vector<ColumnSpec> columns;
  /// The columns' DuckDB types, made once per Produce (an ENUM's may hold
  /// thousands of values) for every COPY's bind, and a kEnum's index type
  /// (UTINYINT..UINTEGER) per column.
  std::vector<duckdb_logical_type> types;
  std::vector<duckdb_type> enum_storage;
  /// Per column: its dictionary for the part being produced (dictionary columns only).
  std::vector<std::unique_ptr<StringDictionary>> dicts;
  std::vector<StringDictionary*> dict_ptrs;
  std::vector<std::unique_ptr<RowBlock>> pool;  ///< every block ever made (kept across batches)
  std::vector<RowBlock*> free_blocks;
  std::map<int64_t, std::vector<RowBlock*>> by_day;  ///< the batch's rows per partition
  std::map<int64_t, RowBlock*> current;              ///< the block being filled per partition

  std::vector<duckdb_connection> extra;  ///< more connections: COPYs of several partitions at once

  size_t budget = SIZE_MAX;  ///< bytes of blocks in use that make the producer spill
  size_t in_use = 0;         ///< footprint of the blocks handed out this part (full ones exact, current ones as taken)
  int part = 0;              ///< the part rows go to now
  CopySqlFn spill_sql;

  ~Impl() {
    SetColumns({});
    for (auto& c : extra) duckdb_disconnect(&c);
    if (con != nullptr) duckdb_disconnect(&con);
    if (db != nullptr) duckdb_close(&db);
  }

  RowBlock* NewBlock() {
    RowBlock* b;
    if (free_blocks.empty()) {
      pool.push_back(std::make_unique<RowBlock>(columns));
      b = pool.back().get();
    } else {
      b = free_blocks.back();
      free_blocks.pop_back();
    }
    b->dicts_ = &dict_ptrs;
    in_use += b->TakeGrowth();
    return b;
  }

  // Every block back to the free list (cleared), keeping at most the
  // budget's worth of blocks in the pool; the dictionaries start again.
  void Recycle() {
    for (auto& d : dicts) {
      if (d) d->Clear();
    }
    by_day.clear();
    current.clear();
    free_blocks.clear();
    size_t kept = 0;
    std::vector<std::unique_ptr<RowBlock>> keep;
    for (auto& b : pool) {
      if (kept + b->footprint() > budget && !keep.empty()) continue;  // freed
      b->Clear();
      kept += b->footprint();
      free_blocks.push_back(b.get());
      keep.push_back(std::move(b));
    }
    pool = std::move(keep);
    in_use = 0;
  }

  void SetColumns(const std::vector<ColumnSpec>& cols) {
    for (auto& t : types) duckdb_destroy_logical_type(&t);
    columns = cols;
    types.clear();
    enum_storage.assign(cols.size(), DUCKDB_TYPE_INVALID);
    dicts.clear();
    dict_ptrs.clear();
    for (size_t i = 0; i < cols.size(); i++) {
      types.push_back(internal::MakeLogicalType(cols[i]));
      if (cols[i].type == ColumnType::kEnum) enum_storage[i] = duckdb_enum_internal_type(types[i]);
      dicts.push_back(IsDictionary(cols[i]) ? std::make_unique<StringDictionary>() : nullptr);
      dict_ptrs.push_back(dicts.back().get());
    }
  }

  // A dictionary column's type in the COPY of a partition of `rows` rows:
  // an ENUM of its values when the dictionary holds every value of the part
  // and the partition has at least 5 rows per value; else nullptr (text).
  duckdb_logical_type DictionaryEnum(size_t col, size_t rows) const {
    const StringDictionary& d = *dicts[col];
    if (d.closed() || d.size() == 0 || d.size() * 5 > rows) return nullptr;
    std::vector<const char*> names;
    names.reserve(d.size());
    for (size_t i = 0; i < d.size(); i++) names.push_back(d.value(i).data());
    return duckdb_create_enum_type(names.data(), names.size());
  }

  template <typename T>
  static void StoreIndexes(T* out, const int64_t* idx, size_t n) {
    for (size_t r = 0; r < n; r++) out[r] = static_cast<T>(idx[r]);
  }

  template <typename T>
  static void StoreIndexes(void* out, duckdb_type storage, const T* idx, size_t n) {
    switch (storage) {
      case DUCKDB_TYPE_UTINYINT: StoreIndexes(static_cast<uint8_t*>(out), idx, n); break;
      case DUCKDB_TYPE_USMALLINT: StoreIndexes(static_cast<uint16_t*>(out), idx, n); break;
      default: StoreIndexes(static_cast<uint32_t*>(out), idx, n); break;
    }
  }

  // Column `c` of block `b` into vector `v`, as its own type (text for a
  // dictionary column: its indexes looked up, its closed part's text as is).
  void FillColumn(const RowBlock* b, size_t c, duckdb_vector v) const {
    const size_t n = b->rows_;
    void* data = duckdb_vector_get_data(v);
    const uint8_t* valid = b->valid_[c].data();
    switch (columns[c].type) {
      case ColumnType::kBoolean: {
        auto* d = static_cast<bool*>(data);
        for (size_t r = 0; r < n; r++) d[r] = b->ints_[c][r] != 0;
        break;
      }
      case ColumnType::kDate: {
        auto* d = static_cast<int32_t*>(data);
        for (size_t r = 0; r < n; r++) d[r] = static_cast<int32_t>(b->ints_[c][r]);
        break;
      }
      case ColumnType::kDouble: std::memcpy(data, b->doubles_[c].data(), n * sizeof(double)); break;
      case ColumnType::kDecimal:
        if (columns[c].width > 9) {
          std::memcpy(data, b->ints_[c].data(), n * sizeof(int64_t));
        } else {
          for (size_t r = 0; r < n; r++) internal::StoreDecimal(data, r, columns[c].width, b->ints_[c][r]);
        }
        break;
      case ColumnType::kVarchar:
      case ColumnType::kBlob: {
        const char* arena = b->arena_.data();
        const StringDictionary* dict = dicts[c].get();  // a dictionary column read as text
        for (size_t r = 0; r < n; r++) {
          if (!valid[r]) continue;
          if (dict != nullptr && b->ints_[c][r] >= 0) {
            const std::string_view s = dict->value(static_cast<size_t>(b->ints_[c][r]));
            duckdb_vector_assign_string_element_len(v, r, s.data(), s.size());
          } else {
            const uint64_t s = b->strs_[c][r];
            duckdb_vector_assign_string_element_len(v, r, arena + (s >> 32), static_cast<idx_t>(s & 0xffffffffu));
          }
        }
        break;
      }
      default: std::memcpy(data, b->ints_[c].data(), n * sizeof(int64_t)); break;
    }
  }

  // `storage`: per column, the index type of an ENUM the COPY reads it as
  // (a kEnum column, or a dictionary column in ENUM form), else INVALID.
  void Fill(const RowBlock* b, const std::vector<duckdb_type>& storage, duckdb_data_chunk out) const {
    const size_t n = b->rows_;
    for (size_t c = 0; c < columns.size(); c++) {
      duckdb_vector v = duckdb_data_chunk_get_vector(out, c);
      if (storage[c] != DUCKDB_TYPE_INVALID) {
        // A NULL row's index is never read.
        StoreIndexes(duckdb_vector_get_data(v), storage[c], b->ints_[c].data(), n);
      } else {
        FillColumn(b, c, v);
      }
      const uint8_t* valid = b->valid_[c].data();
      bool all_valid = true;
      for (size_t r = 0; r < n; r++) all_valid &= valid[r] != 0;
      if (!all_valid) {
        duckdb_vector_ensure_validity_writable(v);
        uint64_t* mask = duckdb_vector_get_validity(v);
        for (size_t r = 0; r < n; r++) {
          if (!valid[r]) duckdb_validity_set_row_invalid(mask, r);
        }
      }
    }
    duckdb_data_chunk_set_size(out, n);
  }
};

namespace {

// One COPY's scan: the blocks of its partition, taken by DuckDB's threads.
struct Scan {
  const std::vector<RowBlock*>* blocks = nullptr;
  std::atomic<size_t> next{0};
  std::vector<duckdb_type> storage;  ///< per column: its ENUM index type in this COPY, else INVALID
};

void Bind(duckdb_bind_info info) {
  auto* impl = static_cast<RowStream::Impl*>(duckdb_bind_get_extra_info(info));
  duckdb_value day_value = duckdb_bind_get_parameter(info, 0);
  const int64_t day = duckdb_get_int64(day_value);
  duckdb_destroy_value(&day_value);
  auto* scan = new Scan();
  auto it = impl->by_day.find(day);
  size_t rows = 0;
  if (it != impl->by_day.end()) {
    scan->blocks = &it->second;
    for (const RowBlock* b : it->second) rows += b->rows();
  }
  duckdb_bind_set_bind_data(info, scan, [](void* p) { delete static_cast<Scan*>(p); });
  scan->storage = impl->enum_storage;
  for (size_t i = 0; i < impl->columns.size(); i++) {
    duckdb_logical_type as_enum = impl->dicts[i] ? impl->DictionaryEnum(i, rows) : nullptr;
    if (as_enum != nullptr) scan->storage[i] = duckdb_enum_internal_type(as_enum);
    // Copies the type.
    duckdb_bind_add_result_column(info, impl->columns[i].name.c_str(), as_enum ? as_enum : impl->types[i]);
    if (as_enum != nullptr) duckdb_destroy_logical_type(&as_enum);
  }
}

void Init(duckdb_init_info info) { duckdb_init_set_max_threads(info, 64); }

void ScanRows(duckdb_function_info info, duckdb_data_chunk output) {
  auto* impl = static_cast<RowStream::Impl*>(duckdb_function_get_extra_info(info));
  auto* scan = static_cast<Scan*>(duckdb_function_get_bind_data(info));
  const size_t i = scan->next.fetch_add(1);
  if (scan->blocks == nullptr || i >= scan->blocks->size()) {
    duckdb_data_chunk_set_size(output, 0);
    return;
  }
  impl->Fill((*scan->blocks)[i], scan->storage, output);
}

Status CopyAll(RowStream::Impl& m, const CopySqlFn& copy_sql);

class Sink : public RowSink {
 public:
  explicit Sink(RowStream::Impl* impl) : impl_(impl) {}
  RowBlock* block(int64_t day) override {
    RowBlock*& b = Current(day);
    if (b == nullptr) b = impl_->NewBlock();
    return b;
  }
  void RowDone(int64_t day) override {
    RowBlock*& b = Current(day);
    impl_->in_use += b->TakeGrowth();  // the arrays or the arena may have grown
    rows_since_spill_++;
    if (b->full()) {
      impl_->by_day[day].push_back(b);
      b = impl_->NewBlock();
    }
  }
  // Over budget, and at least one block's worth of rows to write: with
  // very many partitions their small blocks alone may pass a tiny budget,
  // and a spill every few rows would make no progress.
  bool over_budget() const override {
    return impl_->in_use >= impl_->budget && rows_since_spill_ >= RowBlock::kRows;
  }
  Status Spill() override {
    RowStream::Impl& m = *impl_;
    if (!m.spill_sql) return Status::Internal("RowStream: Spill without a copy_sql");
    for (auto& [day, b] : m.current) {
      if (b->rows() > 0) m.by_day[day].push_back(b);
    }
    m.current.clear();
    last_ = nullptr;
    RETURN_NOT_OK(CopyAll(m, m.spill_sql));
    m.Recycle();
    m.part++;
    rows_since_spill_ = 0;
    return Status::OK();
  }
  int part() const override { return impl_->part; }

 private:
  // The partition's block being filled; the last partition's is kept at
  // hand (a file's rows mostly come day after day).
  RowBlock*& Current(int64_t day) {
    if (last_ == nullptr || day != last_day_) {
      last_ = &impl_->current[day];  // a map's elements stay where they are
      last_day_ = day;
    }
    return *last_;
  }

  RowStream::Impl* impl_;
  size_t rows_since_spill_ = 0;
  RowBlock** last_ = nullptr;
  int64_t last_day_ = 0;
};

}  // namespace

RowStream::RowStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RowStream::~RowStream() = default;

Result<std::unique_ptr<RowStream>> RowStream::Open(const std::string& memory_limit, int threads, int copies) {
  auto impl = std::make_unique<Impl>();
  duckdb_config config;
  if (duckdb_create_config(&config) == DuckDBError) return Status::Internal("duckdb_create_config failed");
  duckdb_set_config(config, "memory_limit", memory_limit.c_str());
  if (threads > 0) duckdb_set_config(config, "threads", std::to_string(threads).c_str());
  duckdb_set_config(config, "preserve_insertion_order", "false");
  duckdb_set_config(config, "autoinstall_known_extensions", "false");
  char* err = nullptr;
  const auto st = duckdb_open_ext(nullptr, &impl->db, config, &err);
  duckdb_destroy_config(&config);
  if (st == DuckDBError) {
    std::string m = err != nullptr ? err : "unknown error";
    duckdb_free(err);
    return Status::Internal("cannot open DuckDB: " + m);
  }
  if (duckdb_connect(impl->db, &impl->con) == DuckDBError) return Status::Internal("cannot connect to DuckDB");
  duckdb_table_function fn = duckdb_create_table_function();
  duckdb_table_function_set_name(fn, "custlake_rows");
  {
    duckdb_logical_type day_type = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    duckdb_table_function_add_parameter(fn, day_type);
    duckdb_destroy_logical_type(&day_type);
  }
  duckdb_table_function_set_extra_info(fn, impl.get(), nullptr);
  duckdb_table_function_set_bind(fn, Bind);
  duckdb_table_function_set_init(fn, Init);
  duckdb_table_function_set_function(fn, ScanRows);
  const auto reg = duckdb_register_table_function(impl->con, fn);
  duckdb_destroy_table_function(&fn);
  if (reg == DuckDBError) return Status::Internal("cannot register custlake_rows()");
  // Small partitions make small COPYs that DuckDB runs on one thread each
  // (one row group): run several at once.
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const unsigned at_once = copies > 0 ? static_cast<unsigned>(copies) : cores;
  for (unsigned i = 1; i < std::min(at_once, 4u); i++) {
    duckdb_connection c = nullptr;
    if (duckdb_connect(impl->db, &c) == DuckDBError) return Status::Internal("cannot connect to DuckDB");
    impl->extra.push_back(c);
  }
  return std::unique_ptr<RowStream>(new RowStream(std::move(impl)));
}

namespace {
Status ExecuteOn(duckdb_connection con, const std::string& sql) {
  duckdb_result result;
  const auto st = duckdb_query(con, sql.c_str(), &result);
  Status out = Status::OK();
  if (st == DuckDBError) {
    const char* e = duckdb_result_error(&result);
    out = Status::SourceError(std::string("DuckDB: ") + (e != nullptr ? e : "unknown error"));
  }
  duckdb_destroy_result(&result);
  return out;
}
}  // namespace

Status RowStream::Execute(const std::string& sql) { return ExecuteOn(impl_->con, sql); }

Status RowStream::Run(const std::vector<ColumnSpec>& columns, const std::function<Status(RowSink*)>& produce,
                      const CopySqlFn& copy_sql, size_t budget_bytes) {
  RETURN_NOT_OK(Produce(columns, produce, copy_sql, budget_bytes));
  return Copy(copy_sql);
}

Status RowStream::Produce(const std::vector<ColumnSpec>& columns, const std::function<Status(RowSink*)>& produce,
                          const CopySqlFn& copy_sql, size_t budget_bytes) {
  Impl& m = *impl_;
  bool same = m.columns.size() == columns.size();
  for (size_t i = 0; same && i < columns.size(); i++) {
    same = columns[i].name == m.columns[i].name && columns[i].type == m.columns[i].type &&
           columns[i].dictionary == m.columns[i].dictionary;
  }
  if (!same) {
    m.pool.clear();
    m.free_blocks.clear();
  }
  m.SetColumns(columns);  // the same blocks fit, but an ENUM's values may differ
  m.budget = budget_bytes;
  m.spill_sql = copy_sql;
  m.part = 0;
  m.Recycle();
  Sink sink(&m);
  RETURN_NOT_OK(produce(&sink));
  for (auto& [day, b] : m.current) {
    if (b->rows() > 0) m.by_day[day].push_back(b);
  }
  m.current.clear();
  return Status::OK();
}

size_t RowStream::pool_bytes() const {
  size_t n = 0;
  for (const auto& b : impl_->pool) n += b->footprint();
  return n;
}

Status RowStream::Copy(const CopySqlFn& copy_sql) { return CopyAll(*impl_, copy_sql); }

namespace {
Status CopyAll(RowStream::Impl& m, const CopySqlFn& copy_sql) {
  const int part = m.part;
  std::vector<int64_t> days;
  for (const auto& [day, blocks] : m.by_day) days.push_back(day);
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first_error = Status::OK();
  auto worker = [&](duckdb_connection con) {
    while (true) {
      const size_t i = next.fetch_add(1);
      if (i >= days.size()) return;
      size_t rows = 0;
      for (const RowBlock* b : m.by_day.at(days[i])) rows += b->rows();
      Status st = ExecuteOn(con, copy_sql(days[i], part, rows));
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.ok()) first_error = st;
        next.store(days.size());
        return;
      }
    }
  };
  std::vector<std::thread> helpers;
  for (size_t i = 0; i < m.extra.size() && i + 1 < days.size(); i++) helpers.emplace_back(worker, m.extra[i]);
  worker(m.con);
  for (auto& t : helpers) t.join();
  RETURN_NOT_OK(first_error);
  return Status::OK();
}
}  // namespace

}  // namespace custlake::engine
