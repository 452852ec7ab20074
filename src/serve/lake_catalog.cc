#include "serve/lake_catalog.h"

#include <map>
#include <set>

#include "lake/layout.h"
#include "lake/metastore.h"
#include "query/reader_views.h"
#include "warehouse/data_dictionary.h"

namespace custlake::serve {

namespace {

using engine::QuoteIdent;

/// "raw.usage" -> ("raw", "usage"); "dim_customer" (a warehouse view in main) -> ("warehouse", "dim_customer").
std::pair<std::string, std::string> SplitView(const std::string& view) {
  const size_t dot = view.find('.');
  if (dot == std::string::npos) return {"warehouse", view};
  return {view.substr(0, dot), view.substr(dot + 1)};
}

/// The SQL relation of a view the session lists.
std::string Relation(const std::string& view) {
  auto [schema, name] = SplitView(view);
  return schema == "warehouse" ? QuoteIdent(name) : QuoteIdent(schema) + "." + QuoteIdent(name);
}

const warehouse::Model* FindModel(const std::vector<warehouse::Model>& models, const std::string& name) {
  for (const auto& model : models) {
    if (model.name == name) return &model;
  }
  return nullptr;
}

std::string ColumnDescription(const warehouse::Model* model, const std::string& column) {
  if (model == nullptr) return "";
  for (const auto& c : model->columns) {
    if (c.name == column) return c.description;
  }
  return "";
}

/// Row counts of every view in one query.
Result<std::map<std::string, int64_t>> RowCounts(query::LakeSession* session) {
  std::string sql;
  for (const query::ViewInfo& view : session->views()) {
    sql += (sql.empty() ? "" : " UNION ALL ") + std::string("SELECT ") + engine::QuoteLiteral(view.name) +
           " AS view, count(*) AS n FROM " + Relation(view.name);
  }
  std::map<std::string, int64_t> counts;
  if (sql.empty()) return counts;
  ASSIGN_OR_RETURN(auto result, session->Run(sql));
  for (const auto& row : result.rows) counts[row[0]] = std::stoll(row[1]);
  return counts;
}

}  // namespace

Result<nlohmann::json> Catalog(ApiContext& ctx, DashboardRun& run) {
  ASSIGN_OR_RETURN(const std::vector<warehouse::Model>* models, ctx.Models());
  query::LakeSession* session = run.session();
  ASSIGN_OR_RETURN(const std::vector<warehouse::Model> reader_views, query::ReaderViewModels());
  ASSIGN_OR_RETURN(auto counts, RowCounts(session));
  ASSIGN_OR_RETURN(auto columns, session->Run("SELECT table_schema, table_name, column_name, data_type "
                                              "FROM information_schema.columns WHERE table_catalog = 'memory' "
                                              "ORDER BY table_schema, table_name, ordinal_position"));
  std::map<std::string, nlohmann::json> columns_of;  // view name -> columns
  for (const auto& row : columns.rows) {
    const std::string view = row[0] == "main" ? row[1] : row[0] + "." + row[1];
    columns_of[view].push_back({{"name", row[2]}, {"type", row[3]}});
  }
  nlohmann::json tables = nlohmann::json::array();
  for (const query::ViewInfo& view : session->views()) {
    auto [schema, name] = SplitView(view.name);
    const warehouse::Model* model = schema == "warehouse" ? FindModel(*models, name) : nullptr;
    if (!model && schema == "warehouse") model = FindModel(reader_views, name);  // fact_customer_scores
    nlohmann::json cols = columns_of.count(view.name) ? columns_of[view.name] : nlohmann::json::array();
    for (auto& col : cols) col["description"] = ColumnDescription(model, col["name"].get<std::string>());
    tables.push_back({{"schema", schema},
                      {"name", name},
                      {"dataset", view.dataset},
                      {"files", view.files},
                      {"rows", counts.count(view.name) ? nlohmann::json(counts[view.name]) : nlohmann::json()},
                      {"description", model ? model->description
                                            : (schema == "raw" ? "raw dataset " : "quarantined records of ") +
                                                  view.dataset},
                      {"grain", model ? model->grain : ""},
                      {"columns", std::move(cols)}});
  }
  return nlohmann::json{{"tables", std::move(tables)}};
}

Result<nlohmann::json> TableDetail(DashboardRun& run, const std::string& name) {
  query::LakeSession* session = run.session();
  std::string view;
  for (const query::ViewInfo& v : session->views()) {
    auto [schema, table] = SplitView(v.name);
    if (schema + "." + table == name) view = v.name;
  }
  if (view.empty()) {
    return Status::NotFound("no table " + name + ": give <schema>.<name> as GET /api/catalog lists them "
                            "(raw.usage, warehouse.dim_customer)");
  }
  ASSIGN_OR_RETURN(auto sample, session->Run("SELECT * FROM " + Relation(view) + " LIMIT 20"));
  ASSIGN_OR_RETURN(auto summary, session->Run("SELECT column_name AS column, "
                                              "CAST(round(null_percentage * count / 100) AS BIGINT) AS nulls, "
                                              "approx_unique AS distinct, min, max FROM (SUMMARIZE " +
                                              Relation(view) + ")"));
  nlohmann::json stats = ObjectRows(summary);
  return nlohmann::json{{"table", name}, {"sample", ResultJson(sample)}, {"stats", std::move(stats)}};
}

Result<nlohmann::json> Lineage(ApiContext& ctx) {
  ASSIGN_OR_RETURN(const std::vector<warehouse::Model>* models, ctx.Models());
  ASSIGN_OR_RETURN(auto raw, warehouse::DescribeRawLineage(ctx.options.lake_root, *models));
  nlohmann::json nodes = nlohmann::json::array();
  std::set<std::pair<std::string, std::string>> edges;
  std::set<std::string> seen;
  auto node = [&](const std::string& id, const std::string& kind, const std::string& label) {
    if (seen.insert(id).second) nodes.push_back({{"id", id}, {"kind", kind}, {"label", label}});
  };
  for (const warehouse::RawLineage& r : raw) {
    node("raw." + r.view, "raw", r.dataset);
    for (const std::string& origin : r.origins) {
      node("source:" + origin, "source", origin);
      edges.insert({"source:" + origin, "raw." + r.view});
    }
  }
  for (const warehouse::Model& model : *models) {
    node(model.name, model.IsView() ? "staging" : "model", model.name);
    for (const std::string& source : model.sources) {
      const bool is_model = FindModel(*models, source) != nullptr;
      if (!is_model) node("raw." + source, "raw", "raw." + source);
      edges.insert({is_model ? source : "raw." + source, model.name});
    }
    for (const std::string& ref : model.refs) edges.insert({ref, model.name});
  }
  nlohmann::json edge_list = nlohmann::json::array();
  for (const auto& [from, to] : edges) edge_list.push_back({{"from", from}, {"to", to}});
  return nlohmann::json{{"nodes", std::move(nodes)}, {"edges", std::move(edge_list)}};
}

namespace {

nlohmann::json RunsJson(const std::vector<lake::RunInfo>& runs) {
  nlohmann::json out = nlohmann::json::array();
  for (const lake::RunInfo& r : runs) {
    out.push_back({{"run_id", r.run_id},
                   {"verb", r.verb},
                   {"status", std::string(lake::RunStatusName(r.status))},
                   {"started_at", r.started_at},
                   {"ended_at", r.ended_at},
                   {"error", r.error}});
  }
  return out;
}

nlohmann::json BatchesJson(const std::vector<lake::BatchInfo>& batches) {
  nlohmann::json out = nlohmann::json::array();
  for (const lake::BatchInfo& b : batches) {
    out.push_back({{"batch_id", b.batch_id},
                   {"dataset", b.dataset.ToString()},
                   {"state", std::string(lake::BatchStateName(b.state))},
                   {"started_at", b.started_at},
                   {"ended_at", b.ended_at},
                   {"rows", b.row_count},
                   {"files", b.file_count},
                   {"bytes", b.byte_count},
                   {"quarantined", b.quarantined_count},
                   {"error", b.error}});
  }
  return out;
}

/// Quarantine counts by dataset and reason, each with up to 3 sample records.
Result<nlohmann::json> QuarantineJson(lake::Metastore* metastore, DashboardRun& run) {
  ASSIGN_OR_RETURN(auto counts, metastore->ListQuarantine());
  std::map<std::pair<std::string, std::string>, int64_t> totals;
  for (const lake::QuarantineCount& q : counts) totals[{q.dataset.name, q.reason}] += q.record_count;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [key, count] : totals) {
    const std::string view = "quarantine." + query::ViewName(key.first);
    nlohmann::json samples = nlohmann::json::array();
    if (run.session()->HasView(view)) {
      ASSIGN_OR_RETURN(auto rows, run.session()->RunWithParams(
                                      "SELECT _source_file, _source_line, detail, raw FROM " + Relation(view) +
                                          " WHERE reason = CAST($1 AS VARCHAR) ORDER BY _source_file, _source_line LIMIT 3",
                                      {key.second}));
      samples = ObjectRows(rows);
    }
    out.push_back({{"dataset", key.first}, {"reason", key.second}, {"count", count}, {"samples", samples}});
  }
  return out;
}

}  // namespace

Result<nlohmann::json> Pipeline(ApiContext& ctx, DashboardRun& run) {
  lake::MetastoreOptions read_only;
  read_only.read_only = true;
  ASSIGN_OR_RETURN(auto metastore,
                   lake::Metastore::Open(lake::Layout(ctx.options.lake_root).MetastorePath(), read_only));
  ASSIGN_OR_RETURN(auto runs, metastore->ListRuns(50));
  ASSIGN_OR_RETURN(auto batches, metastore->ListBatches(std::nullopt, std::nullopt, 50));
  nlohmann::json body{{"runs", RunsJson(runs)}, {"batches", BatchesJson(batches)}};
  ASSIGN_OR_RETURN(body["quarantine"], QuarantineJson(metastore.get(), run));
  // The checks of the newest build that ran them (its summary lists each with its result).
  body["checks"] = nlohmann::json::array();
  for (const lake::RunInfo& r : runs) {
    if (r.verb != "build") continue;
    nlohmann::json summary = nlohmann::json::parse(r.summary_json, nullptr, false);
    if (summary.is_object() && summary.contains("checks") && summary["checks"].contains("checks")) {
      body["checks"] = summary["checks"]["checks"];
      body["checks_run_id"] = r.run_id;
      break;
    }
  }
  ASSIGN_OR_RETURN(auto datasets, metastore->DatasetSummary());
  body["freshness"] = nlohmann::json::array();
  for (const lake::DatasetStats& d : datasets) {
    body["freshness"].push_back({{"dataset", d.dataset.ToString()},
                                 {"last_commit_at", d.last_commit_at},
                                 {"rows", d.row_count},
                                 {"files", d.file_count},
                                 {"batches", d.batch_count}});
  }
  return body;
}

}  // namespace custlake::serve
