#include "warehouse/export_ddl.h"

#include <cctype>

namespace custlake::warehouse {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Quote(const std::string& ident, Dialect d) {
  return d == Dialect::kTrino ? "\"" + ident + "\"" : "`" + ident + "`";
}

/// A string literal: '' doubles a quote in Trino; Hive and Spark escape with a backslash.
std::string Literal(const std::string& text, Dialect d = Dialect::kTrino) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += d == Dialect::kTrino ? "''" : "\\'";
    } else if (c == '\\' && d != Dialect::kTrino) {
      out += "\\\\";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string Schema(const std::string& name, Dialect d) {
  return (d == Dialect::kTrino ? "CREATE SCHEMA IF NOT EXISTS " : "CREATE DATABASE IF NOT EXISTS ") + name + ";\n";
}

/// CREATE EXTERNAL TABLE (or its dialect's form) over Parquet files under `location`.
/// `partitions`: the folder keys and their DuckDB types (VARCHAR, DATE).
std::string ExternalTable(const std::string& qualified, const std::string& schema, const std::string& table,
                          const std::vector<TableColumn>& columns, const std::vector<TableColumn>& partitions,
                          const Model* doc, Dialect d, const std::string& location) {
  std::string cols, out;
  for (const TableColumn& c : columns) {
    const ModelColumn* described = doc ? doc->FindColumn(c.name) : nullptr;
    cols += std::string(cols.empty() ? "" : ",\n") + "  " + Quote(c.name, d) + " " + MapType(c.duckdb_type, d);
    if (described && d != Dialect::kTrino) cols += " COMMENT " + Literal(described->description, d);
  }
  std::string comment = doc ? doc->description : "";
  std::string parts_typed, parts_named, parts_array;
  for (const TableColumn& p : partitions) {
    parts_typed +=
        std::string(parts_typed.empty() ? "" : ", ") + Quote(p.name, d) + " " + MapType(p.duckdb_type, d);
    parts_named += std::string(parts_named.empty() ? "" : ", ") + Quote(p.name, d);
    parts_array += std::string(parts_array.empty() ? "" : ", ") + Literal(p.name);
  }
  switch (d) {
    case Dialect::kHive:
      out += "CREATE EXTERNAL TABLE IF NOT EXISTS " + qualified + " (\n" + cols + "\n)\n";
      if (!comment.empty()) out += "COMMENT " + Literal(comment, d) + "\n";
      if (!partitions.empty()) out += "PARTITIONED BY (" + parts_typed + ")\n";
      out += "STORED AS PARQUET\nLOCATION " + Literal(location) + ";\n";
      if (!partitions.empty()) out += "MSCK REPAIR TABLE " + qualified + ";\n";
      break;
    case Dialect::kSpark:
      for (const TableColumn& p : partitions)
        cols += ",\n  " + Quote(p.name, d) + " " + MapType(p.duckdb_type, d);
      out += "CREATE TABLE IF NOT EXISTS " + qualified + " (\n" + cols + "\n)\nUSING PARQUET\n";
      if (!partitions.empty()) out += "PARTITIONED BY (" + parts_named + ")\n";
      if (!comment.empty()) out += "COMMENT " + Literal(comment, d) + "\n";
      out += "LOCATION " + Literal(location) + ";\n";
      if (!partitions.empty()) out += "MSCK REPAIR TABLE " + qualified + ";\n";
      break;
    case Dialect::kTrino:
    case Dialect::kDuckDb:
      for (const TableColumn& p : partitions)
        cols += ",\n  " + Quote(p.name, d) + " " + MapType(p.duckdb_type, d);
      out += "CREATE TABLE IF NOT EXISTS " + qualified + " (\n" + cols + "\n)\n";
      if (!comment.empty()) out += "COMMENT " + Literal(comment) + "\n";
      out += "WITH (format = 'PARQUET', external_location = " + Literal(location) +
             (partitions.empty() ? "" : ", partitioned_by = ARRAY[" + parts_array + "]") + ");\n";
      if (!partitions.empty()) {
        out += "CALL system.sync_partition_metadata(" + Literal(schema) + ", " + Literal(table) + ", 'ADD');\n";
      }
      break;
  }
  return out;
}

/// The lake batch that committed a raw row: the <batch> of its part-<batch>-<n> file.
std::string BatchIdFromPath(Dialect d) {
  std::string path = d == Dialect::kTrino ? "\"$path\"" : d == Dialect::kSpark ? "input_file_name()" : "INPUT__FILE__NAME";
  return "CAST(regexp_extract(" + path + ", 'part-([0-9]+)-', 1) AS BIGINT)";
}

std::string CreateView(const std::string& name, Dialect d) {
  return std::string(d == Dialect::kHive ? "CREATE VIEW IF NOT EXISTS " : "CREATE OR REPLACE VIEW ") + name +
         " AS ";
}

/// raw.<view>_files over the dataset's folder; raw.<view> adding _batch_id (custlake query's raw.<view>,
/// every version an incremental import kept); raw.<view>_current for a lastmodified import (the latest
/// version per merge key, custlake query's raw.<view>_current).
std::string RawDatasetDdl(const RawTableSchema& r, Dialect d, const std::string& prefix) {
  std::string files = r.view + "_files";
  std::vector<TableColumn> partitions;
  for (size_t i = 0; i < r.partition_keys.size(); ++i) {
    partitions.push_back(
        {r.partition_keys[i], i < r.partition_types.size() ? r.partition_types[i] : "VARCHAR"});
  }
  std::string out = "-- " + r.dataset + ": custlake query's raw." + r.view + "\n";
  out += ExternalTable("raw." + Quote(files, d), "raw", files, r.columns, partitions, nullptr, d,
                       prefix + "/" + r.dataset + "/");
  out += CreateView("raw." + Quote(r.view, d), d) + "SELECT *, " + BatchIdFromPath(d) + " AS " +
         Quote("_batch_id", d) + " FROM raw." + Quote(files, d) + ";\n";
  if (r.merge_key.empty()) return out;
  std::string columns, keys;
  for (const TableColumn& c : r.columns) columns += Quote(c.name, d) + ", ";
  for (const TableColumn& p : partitions) columns += Quote(p.name, d) + ", ";
  columns += Quote("_batch_id", d);
  for (const std::string& k : r.merge_key) keys += (keys.empty() ? "" : ", ") + Quote(k, d);
  out += "-- the latest version of each " + keys + " by " + r.check_column + ": custlake query's raw." +
         r.view + "_current\n";
  out += CreateView("raw." + Quote(r.view + "_current", d), d) + "SELECT " + columns +
         " FROM (SELECT *, row_number() OVER (PARTITION BY " + keys + " ORDER BY " +
         Quote(r.check_column, d) + " DESC) AS " + Quote("_rn", d) + " FROM raw." + Quote(r.view, d) + ") " +
         Quote("latest", d) + " WHERE " + Quote("_rn", d) + " = 1;\n";
  return out;
}

}  // namespace

std::string MapType(const std::string& duckdb_type, Dialect d) {
  std::string t = Upper(duckdb_type);
  bool trino = d == Dialect::kTrino;
  if (t.size() > 2 && t.compare(t.size() - 2, 2, "[]") == 0) {
    std::string inner = MapType(duckdb_type.substr(0, duckdb_type.size() - 2), d);
    return trino ? "ARRAY(" + inner + ")" : "ARRAY<" + inner + ">";
  }
  if (t.rfind("STRUCT(", 0) == 0 && t.back() == ')') {
    // STRUCT(a VARCHAR, b BIGINT): fields at depth 0, each "name TYPE".
    std::string body = duckdb_type.substr(7, duckdb_type.size() - 8), fields, field;
    int depth = 0;
    auto flush = [&] {
      size_t b = field.find_first_not_of(' ');
      if (b == std::string::npos) return;
      field = field.substr(b);
      size_t space = field.find(' ');
      std::string name = field.substr(0, space), type = MapType(field.substr(space + 1), d);
      fields += std::string(fields.empty() ? "" : ", ") + name + (trino ? " " : ":") + type;
      field.clear();
    };
    for (char c : body) {
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if (c == ',' && depth == 0) {
        flush();
      } else {
        field += c;
      }
    }
    flush();
    return trino ? "ROW(" + fields + ")" : "STRUCT<" + fields + ">";
  }
  if (t == "VARCHAR" || t == "JSON" || t == "UUID") return trino ? "VARCHAR" : "STRING";
  if (t == "BIGINT" || t == "UBIGINT" || t == "HUGEINT") return "BIGINT";
  if (t == "INTEGER" || t == "UINTEGER") return trino ? "INTEGER" : "INT";
  if (t == "SMALLINT" || t == "TINYINT") return t;
  if (t == "DOUBLE") return "DOUBLE";
  if (t == "FLOAT" || t == "REAL") return trino ? "REAL" : "FLOAT";
  if (t == "BOOLEAN") return "BOOLEAN";
  if (t == "DATE") return "DATE";
  if (t.rfind("TIMESTAMP", 0) == 0) return "TIMESTAMP";  // Parquet stores UTC instants
  if (t.rfind("DECIMAL", 0) == 0) return t;
  if (t == "BLOB") return trino ? "VARBINARY" : "BINARY";
  return trino ? "VARCHAR" : "STRING";
}

Result<std::string> ExportDdl(const std::vector<TableSchema>& tables, const std::vector<RawTableSchema>& raw,
                              Dialect d, const std::string& location, const std::string& schema) {
  std::string prefix = location;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  const char* name = d == Dialect::kHive ? "Hive" : d == Dialect::kTrino ? "Trino (Hive connector)" : "Spark SQL";
  std::string models_schema = schema + "_models";
  std::string out =
      "-- custlake warehouse, " + std::string(name) +
      " dialect. Generated by `custlake export-ddl`.\n"
      "-- 1. " +
      schema +
      ": external tables over the Parquet export (facts partitioned by month=YYYY-MM).\n"
      "-- 2. raw: external tables over every raw dataset, views adding _batch_id (and the latest version of\n"
      "--    lastmodified imports), named as custlake query names them.\n"
      "-- 3. " +
      models_schema + ": the models, rebuilt by this engine from raw (session time zone UTC).\n\n";

  out += "-- 1. The warehouse's Parquet export\n" + Schema(schema, d) + "\n";
  for (const TableSchema& table : tables) {
    const Model& m = *table.model;
    if (m.IsView()) continue;  // staging views have no export; section 3 defines them
    out += "-- " + m.name + (m.grain.empty() ? "" : " (grain: " + m.grain + ")") + "\n";
    std::vector<TableColumn> partitions;
    if (!m.partition_by.empty()) partitions.push_back({"month", "VARCHAR"});
    out += ExternalTable(schema + "." + Quote(m.name, d), schema, m.name, table.columns, partitions, &m, d,
                         prefix + "/warehouse/" + m.name + "/") + "\n";
  }

  out += "-- 2. The raw zone: every raw dataset of the lake\n" + Schema("raw", d) + "\n";
  for (const RawTableSchema& r : raw) out += RawDatasetDdl(r, d, prefix) + "\n";

  out += "-- 3. The models, in build order (custlake builds them incrementally; here each is a full rebuild)\n" +
         Schema(models_schema, d) + "USE " + models_schema + ";\n\n";
  for (const TableSchema& table : tables) {
    const Model& m = *table.model;
    ASSIGN_OR_RETURN(std::string sql, ExpandMacros(m.source_sql, d, m.file, m.sql_line));
    out += "-- model " + m.name + " (" + m.file + ")\n";
    std::string target = Quote(m.name, d);
    if (m.IsView()) {
      out += std::string(d == Dialect::kHive ? "CREATE VIEW IF NOT EXISTS " : "CREATE OR REPLACE VIEW ") +
             target + " AS\n" + sql + ";\n\n";
      continue;
    }
    switch (d) {
      case Dialect::kHive: out += "CREATE TABLE " + target + " STORED AS PARQUET AS\n"; break;
      case Dialect::kSpark: out += "CREATE TABLE " + target + " USING PARQUET AS\n"; break;
      case Dialect::kTrino:
      case Dialect::kDuckDb: out += "CREATE TABLE " + target + " WITH (format = 'PARQUET') AS\n"; break;
    }
    out += sql + ";\n\n";
  }
  return out;
}

}  // namespace custlake::warehouse
