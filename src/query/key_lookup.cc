#include "query/key_lookup.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

namespace custlake::query {
using engine::QuoteIdent;
using nlohmann::json;

namespace {

/// The integer types a key (or a cast of $1) may have, with their ranges.
struct IntegerRange {
  int64_t min, max;
};
std::optional<IntegerRange> RangeOf(const std::string& type) {
  if (type == "BIGINT") return IntegerRange{std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  if (type == "INTEGER") return IntegerRange{std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
  if (type == "SMALLINT") return IntegerRange{std::numeric_limits<int16_t>::min(), std::numeric_limits<int16_t>::max()};
  if (type == "TINYINT") return IntegerRange{std::numeric_limits<int8_t>::min(), std::numeric_limits<int8_t>::max()};
  if (type == "UINTEGER") return IntegerRange{0, std::numeric_limits<uint32_t>::max()};
  if (type == "USMALLINT") return IntegerRange{0, std::numeric_limits<uint16_t>::max()};
  if (type == "UTINYINT") return IntegerRange{0, std::numeric_limits<uint8_t>::max()};
  return std::nullopt;
}

bool IsNullOrEmpty(const json& node, const char* key) {
  if (!node.contains(key)) return true;
  const json& v = node[key];
  return v.is_null() || (v.is_array() && v.empty()) || (v.is_string() && v.get<std::string>().empty());
}

/// A plain column reference without an alias: its one name, or "".
std::string PlainColumn(const json& e) {
  if (!e.is_object() || e.value("class", "") != "COLUMN_REF" || !IsNullOrEmpty(e, "alias")) return "";
  if (!e.contains("column_names") || !e["column_names"].is_array() || e["column_names"].size() != 1) return "";
  return e["column_names"][0].is_string() ? e["column_names"][0].get<std::string>() : "";
}

/// `$1`, or CAST($1 AS <integer type>): the cast's type ("" for none); nullopt otherwise.
std::optional<std::string> FirstParameter(const json& e) {
  if (!e.is_object() || !IsNullOrEmpty(e, "alias")) return std::nullopt;
  if (e.value("class", "") == "PARAMETER") {
    if (e.value("type", "") == "VALUE_PARAMETER" && e.value("identifier", "") == "1") return std::string();
    return std::nullopt;
  }
  if (e.value("class", "") != "CAST" || e.value("try_cast", true) || !e.contains("child") ||
      !e.contains("cast_type") || !e["cast_type"].is_object() || !IsNullOrEmpty(e["cast_type"], "type_info")) {
    return std::nullopt;
  }
  const std::string type = e["cast_type"].value("id", "");
  auto inner = FirstParameter(e["child"]);
  if (!inner || !inner->empty() || !RangeOf(type)) return std::nullopt;
  return type;
}

/// One ORDER BY item as SQL, or "" when it is not a plain column.
std::string OrderItem(const json& order) {
  const std::string column = order.contains("expression") ? PlainColumn(order["expression"]) : "";
  if (column.empty()) return "";
  std::string sql = QuoteIdent(column);
  const std::string direction = order.value("type", "");
  if (direction == "ASCENDING") {
    sql += " ASC";
  } else if (direction == "DESCENDING") {
    sql += " DESC";
  } else if (direction != "ORDER_DEFAULT") {
    return "";
  }
  const std::string nulls = order.value("null_order", "");
  if (nulls == "NULLS FIRST" || nulls == "NULLS_FIRST") {
    sql += " NULLS FIRST";
  } else if (nulls == "NULLS LAST" || nulls == "NULLS_LAST") {
    sql += " NULLS LAST";
  } else if (nulls != "ORDER_DEFAULT") {
    return "";
  }
  return sql;
}

/// The node's parts other than the select list, FROM, WHERE and modifiers are all empty.
bool NothingElse(const json& node) {
  static const std::set<std::string> kKnown = {"type", "modifiers", "cte_map", "select_list", "from_table",
                                               "where_clause", "group_expressions", "group_sets",
                                               "aggregate_handling", "having", "sample", "qualify"};
  for (const auto& [key, value] : node.items()) {
    if (!kKnown.count(key) && !(value.is_null() || (value.is_array() && value.empty()))) return false;
  }
  if (node.value("aggregate_handling", "") != "STANDARD_HANDLING") return false;
  if (!IsNullOrEmpty(node, "group_expressions") || !IsNullOrEmpty(node, "group_sets") ||
      !IsNullOrEmpty(node, "having") || !IsNullOrEmpty(node, "sample") || !IsNullOrEmpty(node, "qualify")) {
    return false;
  }
  return !node.contains("cte_map") || IsNullOrEmpty(node["cte_map"], "map");
}

/// FROM one base table of main (or unqualified), no alias or sample: fills the shape's table.
bool ReadTable(const json& from, LookupShape* shape) {
  if (!from.is_object() || from.value("type", "") != "BASE_TABLE" || !IsNullOrEmpty(from, "alias") ||
      !IsNullOrEmpty(from, "sample") || !IsNullOrEmpty(from, "column_name_alias") ||
      !IsNullOrEmpty(from, "at_clause") || !IsNullOrEmpty(from, "catalog_name")) {
    return false;
  }
  const std::string schema = from.value("schema_name", "");
  shape->table_name = from.value("table_name", "");
  if (shape->table_name.empty() || (!schema.empty() && schema != "main")) return false;
  shape->table = (schema.empty() ? "" : QuoteIdent(schema) + ".") + QuoteIdent(shape->table_name);
  return true;
}

/// WHERE key = $1 (either side; $1 may be cast to an integer type): fills the key and cast.
bool ReadKeyFilter(const json& where, LookupShape* shape) {
  if (!where.is_object() || where.value("class", "") != "COMPARISON" || where.value("type", "") != "COMPARE_EQUAL" ||
      !IsNullOrEmpty(where, "alias") || !where.contains("left") || !where.contains("right")) {
    return false;
  }
  for (const auto& [column_side, param_side] : {std::pair{"left", "right"}, std::pair{"right", "left"}}) {
    const std::string key = PlainColumn(where[column_side]);
    const auto cast = FirstParameter(where[param_side]);
    if (!key.empty() && cast) {
      shape->key = key;
      shape->cast_type = *cast;
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<LookupShape> ParseLookupShape(const std::string& text) {
  const json doc = json::parse(text, nullptr, false);
  if (!doc.is_object() || doc.value("error", true) || !doc.contains("statements") || !doc["statements"].is_array() ||
      doc["statements"].size() != 1) {
    return std::nullopt;
  }
  const json& node = doc["statements"][0].value("node", json());
  if (!node.is_object() || node.value("type", "") != "SELECT_NODE" || !NothingElse(node)) return std::nullopt;
  LookupShape shape;
  if (!ReadTable(node.value("from_table", json()), &shape)) return std::nullopt;
  if (!ReadKeyFilter(node.value("where_clause", json()), &shape)) return std::nullopt;
  if (!node.contains("select_list") || !node["select_list"].is_array() || node["select_list"].empty()) {
    return std::nullopt;
  }
  for (const json& item : node["select_list"]) {
    std::string column = PlainColumn(item);
    if (column.empty()) return std::nullopt;
    shape.columns.push_back(std::move(column));
  }
  const json modifiers = node.value("modifiers", json::array());
  if (!modifiers.is_array() || modifiers.size() > 1) return std::nullopt;
  for (const json& modifier : modifiers) {
    if (modifier.value("type", "") != "ORDER_MODIFIER" || !modifier.contains("orders") ||
        !modifier["orders"].is_array()) {
      return std::nullopt;
    }
    for (const json& order : modifier["orders"]) {
      std::string item = OrderItem(order);
      if (item.empty()) return std::nullopt;
      shape.order.push_back(std::move(item));
    }
  }
  return shape;
}

std::string SnapshotSql(const LookupShape& shape) {
  const std::string key = QuoteIdent(shape.key);
  std::string sql = "SELECT " + key;
  for (const std::string& column : shape.columns) sql += ", " + QuoteIdent(column);
  sql += " FROM " + shape.table + " WHERE " + key + " IS NOT NULL";
  sql += " ORDER BY " + key;
  for (const std::string& item : shape.order) sql += ", " + item;
  return sql;
}

bool IsCanonicalInteger(const std::string& value, const std::string& type) {
  const auto range = RangeOf(type);
  if (!range || value.empty()) return false;
  int64_t v = 0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, v);
  return ec == std::errc() && ptr == end && std::to_string(v) == value && v >= range->min && v <= range->max;
}

KeyLookupCache::KeyLookupCache(int64_t budget_bytes, std::function<bool(const std::string&)> is_warehouse_table,
                               Connector connect)
    : budget_bytes_(budget_bytes), is_warehouse_table_(std::move(is_warehouse_table)), connect_(std::move(connect)) {}

KeyLookupCache::~KeyLookupCache() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    stopping_ = true;
    // Interrupted again until it ends: an interrupt between two of its queries would be missed.
    while (building_) {
      if (build_session_ != nullptr) build_session_->Interrupt();
      built_.wait_for(lock, std::chrono::milliseconds(20));
    }
  }
  if (builder_.joinable()) builder_.join();
}

void KeyLookupCache::WaitForBuilds() {
  std::unique_lock<std::mutex> lock(mu_);
  built_.wait(lock, [this] { return !building_; });
}

void KeyLookupCache::Finish(const std::string& sql, std::shared_ptr<const Snapshot> snapshot) {
  std::lock_guard<std::mutex> lock(mu_);
  building_ = false;
  Entry& entry = entries_[sql];
  entry.state = snapshot ? State::kReady : State::kNone;
  entry.snapshot = std::move(snapshot);
  built_.notify_all();
}

void KeyLookupCache::BuildOffPath(const std::string& sql) {
  std::shared_ptr<const Snapshot> snapshot;
  auto session = connect_();
  if (session.ok()) {
    engine::Session* own = session->get();
    bool go;
    {
      std::lock_guard<std::mutex> lock(mu_);
      go = !stopping_;
      if (go) build_session_ = own;
    }
    if (go) {
      const auto stopped = [] { return Status::Cancelled("the generation's database is going"); };
      Reader read;
      read.run = [&](const std::string& query, int64_t max_rows) -> Result<engine::QueryResult> {
        if (stopping_) return stopped();
        return own->QueryReadOnly(query, max_rows);
      };
      read.stream = [&](const std::string& query, const auto& on_columns, const auto& on_chunk) {
        if (stopping_) return stopped();
        return own->ForEachTextChunk(query, on_columns, [&](const engine::TextChunk& chunk) {
          return stopping_ ? stopped() : on_chunk(chunk);
        });
      };
      snapshot = Build(sql, read);
      std::lock_guard<std::mutex> lock(mu_);
      build_session_ = nullptr;
    }
  }
  if (session.ok()) session->reset();  // the session goes before the build is marked done
  Finish(sql, std::move(snapshot));
}

int64_t KeyLookupCache::bytes_held() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_held_;
}

std::optional<engine::QueryResult> KeyLookupCache::Answer(const std::string& sql,
                                                          const std::vector<std::optional<std::string>>& params,
                                                          int64_t max_rows, const Reader& read) {
  if (budget_bytes_ <= 0 || params.size() != 1 || !params[0] || sql.size() > kMaxStatementBytes) return std::nullopt;
  std::shared_ptr<const Snapshot> snapshot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(sql);
    if (it != entries_.end()) {
      if (it->second.state != State::kReady) return std::nullopt;
      snapshot = it->second.snapshot;
    } else {
      // One build at a time (the budget left is known); meanwhile others run the normal way.
      if (entries_.size() >= kMaxStatements || building_ || stopping_) return std::nullopt;
      entries_[sql].state = State::kBuilding;
      building_ = true;
      if (connect_) {
        // Off the request path: this lookup runs the normal way. The last thread has ended
        // its build (building_ was false): joining it waits at most for its return.
        if (builder_.joinable()) builder_.join();
        builder_ = std::thread([this, sql] { BuildOffPath(sql); });
        return std::nullopt;
      }
    }
  }
  if (!snapshot) {
    snapshot = Build(sql, read);
    Finish(sql, snapshot);
    if (!snapshot) return std::nullopt;
  }
  return Lookup(*snapshot, *params[0], max_rows);
}

int64_t KeyLookupCache::Snapshot::bytes() const {
  int64_t total = static_cast<int64_t>(sizeof(*this) + keys.capacity() * 8 + starts.capacity() * 4);
  for (const LookupColumn& column : values) total += column.bytes();
  return total;
}

bool KeyLookupCache::TakeShape(const engine::QueryResult& shape, Snapshot* snapshot) {
  if (shape.columns.empty() || shape.types.size() != shape.columns.size() || shape.kinds.size() != shape.columns.size()) {
    return false;
  }
  snapshot->key_type = shape.types[0];
  if (!RangeOf(snapshot->key_type)) return false;
  snapshot->columns.assign(shape.columns.begin() + 1, shape.columns.end());
  snapshot->types.assign(shape.types.begin() + 1, shape.types.end());
  snapshot->kinds.assign(shape.kinds.begin() + 1, shape.kinds.end());
  for (const std::string& type : snapshot->types) snapshot->values.emplace_back(type);
  return true;
}

bool KeyLookupCache::AddChunk(const engine::TextChunk& chunk, Snapshot* snapshot) {
  if (chunk.values.size() != snapshot->values.size() + 1) return false;
  for (size_t r = 0; r < chunk.rows; ++r) {
    const std::string_view text = chunk.values[0][r];
    int64_t key = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), key);
    if (ec != std::errc() || ptr != text.data() + text.size() || chunk.nulls[0][r]) return false;
    if (snapshot->keys.empty() || snapshot->keys.back() != key) {
      if (!snapshot->keys.empty() && snapshot->keys.back() > key) return false;  // not in key order
      snapshot->keys.push_back(key);
      snapshot->starts.push_back(static_cast<uint32_t>(snapshot->rows));
    }
    for (size_t c = 0; c < snapshot->values.size(); ++c) {
      snapshot->values[c].Append(chunk.values[c + 1][r], chunk.nulls[c + 1][r]);
    }
    if (++snapshot->rows >= std::numeric_limits<uint32_t>::max()) return false;
  }
  return true;
}

std::shared_ptr<const KeyLookupCache::Snapshot> KeyLookupCache::Build(const std::string& sql, const Reader& read) {
  auto json_text = read.run("SELECT json_serialize_sql(" + engine::QuoteLiteral(sql) + ")", 1);
  if (!json_text.ok()) return nullptr;
  const std::optional<LookupShape> shape = ParseLookupShape(json_text->Scalar());
  if (!shape || !is_warehouse_table_(shape->table_name)) return nullptr;
  int64_t left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left = budget_bytes_ - bytes_held_;
  }
  // One query, read a chunk at a time (a chunk's text is what reading costs), stopped
  // as soon as the copy is over the budget.
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->cast_type = shape->cast_type;
  snapshot->ordered = !shape->order.empty();
  const Status read_all = read.stream(
      SnapshotSql(*shape),
      [&](const engine::QueryResult& columns) {
        const bool taken = columns.columns.size() == shape->columns.size() + 1 && TakeShape(columns, snapshot.get());
        return taken ? Status::OK() : Status::InvalidArgument("not a table the copy can hold (the key is no integer)");
      },
      [&](const engine::TextChunk& chunk) {
        if (!AddChunk(chunk, snapshot.get())) return Status::InvalidArgument("rows the copy cannot hold");
        if (snapshot->bytes() > left) return Status::Cancelled("over the lookup memory budget");
        return Status::OK();
      });
  if (!read_all.ok()) return nullptr;
  snapshot->starts.push_back(static_cast<uint32_t>(snapshot->rows));
  for (LookupColumn& column : snapshot->values) {
    column.Finish();
    if (column.overflowed()) return nullptr;
  }
  snapshot->keys.shrink_to_fit();
  snapshot->starts.shrink_to_fit();
  const int64_t bytes = snapshot->bytes();
  std::lock_guard<std::mutex> lock(mu_);
  if (bytes > budget_bytes_ - bytes_held_) return nullptr;
  bytes_held_ += bytes;
  return snapshot;
}

std::optional<engine::QueryResult> KeyLookupCache::Lookup(const Snapshot& snapshot, const std::string& value,
                                                          int64_t max_rows) const {
  if (!IsCanonicalInteger(value, snapshot.key_type)) return std::nullopt;
  if (!snapshot.cast_type.empty() && !IsCanonicalInteger(value, snapshot.cast_type)) return std::nullopt;
  engine::QueryResult result;
  result.columns = snapshot.columns;
  result.types = snapshot.types;
  result.kinds = snapshot.kinds;
  const int64_t key = std::stoll(value);
  auto it = std::lower_bound(snapshot.keys.begin(), snapshot.keys.end(), key);
  if (it == snapshot.keys.end() || *it != key) return result;
  const size_t i = static_cast<size_t>(it - snapshot.keys.begin());
  const uint32_t begin = snapshot.starts[i], end = snapshot.starts[i + 1];
  const int64_t count = end - begin;
  if ((!snapshot.ordered && count > 1) || (max_rows >= 0 && count > max_rows)) return std::nullopt;
  for (uint32_t row = begin; row < end; ++row) {
    std::vector<std::string> texts;
    std::vector<bool> nulls;
    texts.reserve(snapshot.values.size());
    nulls.reserve(snapshot.values.size());
    for (const LookupColumn& column : snapshot.values) {
      texts.push_back(column.Text(row));
      nulls.push_back(column.IsNull(row));
    }
    result.rows.push_back(std::move(texts));
    result.nulls.push_back(std::move(nulls));
  }
  return result;
}

}  // namespace custlake::query
