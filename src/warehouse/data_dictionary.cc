#include "warehouse/data_dictionary.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/engine.h"
#include "lake/lake.h"
#include "warehouse/checks.h"
#include "warehouse/model_loader.h"
#include "warehouse/publisher.h"
#include "warehouse/raw_sources.h"
#include "warehouse/segments.h"

namespace custlake::warehouse {
namespace {

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Cell(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return out;
}

/// How a model is built; the reader views (models/views/, query/reader_views.h)
/// are views every query session makes, not tables of the version.
std::string BuiltAs(const Model& m) {
  if (m.file.starts_with("models/views/")) return "reader view (made by every query session)";
  return MaterializationName(m.materialized);
}

std::string CheckText(const ModelCheck& c) {
  if (c.kind == CheckKind::kSql) return c.name + " (SQL)";
  return c.name;
}

/// What a model reads: raw datasets ("raw/sic/customers", or raw.<view> when
/// the lake has no such dataset) and other models.
std::vector<std::string> Upstream(const Model& m, const std::vector<RawLineage>& raw) {
  std::vector<std::string> out;
  for (const std::string& s : m.sources) {
    if (std::find(m.refs.begin(), m.refs.end(), s) != m.refs.end())
      continue;  // a staging view: listed as a ref
    std::string name = "raw." + s;
    for (const RawLineage& r : raw) {
      if (r.view == s) name = r.dataset;
    }
    out.push_back(name);
  }
  for (const std::string& r : m.refs) out.push_back(r);
  return out;
}

/// The lineage lines: origin -> raw dataset, then raw dataset / model -> model.
std::vector<std::string> LineageLines(const std::vector<TableSchema>& tables, const std::vector<RawLineage>& raw) {
  std::vector<std::string> out;
  for (const RawLineage& r : raw) {
    for (const std::string& origin : r.origins) out.push_back(origin + " -> " + r.dataset);
  }
  for (const TableSchema& t : tables) {
    for (const std::string& up : Upstream(*t.model, raw)) out.push_back(up + " -> " + t.model->name);
  }
  return out;
}

}  // namespace

Result<std::vector<TableSchema>> DescribeCurrentVersion(const std::string& lake_root, const std::vector<Model>& models) {
  std::vector<TableSchema> tables;
  for (const Model& m : models) tables.push_back({&m, {}});
  lake::LakeOptions options;
  options.read_only = true;
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root, options));
  ASSIGN_OR_RETURN(auto current, CurrentVersion(lake.get()));
  if (!current) {
    for (TableSchema& t : tables) {
      for (const ModelColumn& c : t.model->columns) t.columns.push_back({c.name, ""});
    }
    return tables;
  }
  ASSIGN_OR_RETURN(auto db, engine::Database::Open(engine::DatabaseOptions{}));
  ASSIGN_OR_RETURN(auto session, db->Connect());
  ASSIGN_OR_RETURN(auto attached, AttachVersion(session.get(), current->path, "wh"));
  (void)attached;
  for (TableSchema& t : tables) {
    ASSIGN_OR_RETURN(auto r, session->Query("SELECT column_name, data_type FROM information_schema.columns WHERE "
                                            "table_catalog = 'wh' AND table_schema = 'main' AND table_name = " +
                                            engine::QuoteLiteral(t.model->name) + " ORDER BY ordinal_position"));
    for (const auto& row : r.rows) t.columns.push_back({row[0], row[1]});
    if (r.rows.empty()) {  // not a table of the version: a staging view, or a reader view (query/reader_views.h)
      for (const ModelColumn& c : t.model->columns) t.columns.push_back({c.name, ""});
    }
  }
  return tables;
}

namespace {

/// The lake, opened read-only, and a snapshot of the raw datasets the models read.
struct ModelInputs {
  std::unique_ptr<lake::Lake> lake;
  std::vector<RawDataset> raw;
};

Result<ModelInputs> SnapshotModelInputs(const std::string& lake_root, const std::vector<Model>& models) {
  std::vector<std::string> views = RawSourceViews(models);
  lake::LakeOptions options;
  options.read_only = true;
  ModelInputs inputs;
  ASSIGN_OR_RETURN(inputs.lake, lake::Lake::Open(lake_root, options));
  ASSIGN_OR_RETURN(inputs.raw, SnapshotRaw(inputs.lake.get(), {views.begin(), views.end()}));
  return inputs;
}

}  // namespace

Result<std::vector<RawLineage>> DescribeRawLineage(const std::string& lake_root, const std::vector<Model>& models) {
  ASSIGN_OR_RETURN(ModelInputs inputs, SnapshotModelInputs(lake_root, models));
  std::vector<RawLineage> out;
  for (const RawDataset& r : inputs.raw) {
    RawLineage l{r.view, r.dataset, {}};
    std::set<std::string> origins;
    for (const auto& [batch, paths] : r.files_by_batch) {
      ASSIGN_OR_RETURN(auto info, inputs.lake->GetBatch(batch));
      if (!info) continue;
      nlohmann::json j = nlohmann::json::parse(info->lineage_json, nullptr, false);
      if (!j.is_object() || !j.contains("source") || !j["source"].is_string()) continue;
      std::string origin = j["source"].get<std::string>();
      if (j.contains("table") && j["table"].is_string()) {
        origin += " table " + j["table"].get<std::string>();
      } else if (j.contains("query") && j["query"].is_string()) {
        std::string q = j["query"].get<std::string>();
        size_t from = q.find(" FROM ");
        if (from != std::string::npos) {
          std::string rest = q.substr(from + 6);
          std::string table = rest.substr(0, rest.find(' '));
          table.erase(std::remove(table.begin(), table.end(), '"'), table.end());
          origin += " table " + table;
        }
      } else if (j.contains("format") && j["format"].is_string()) {
        origin += " (" + j["format"].get<std::string>() + ")";
      }
      origins.insert(origin);
    }
    l.origins.assign(origins.begin(), origins.end());
    out.push_back(std::move(l));
  }
  return out;
}

std::string DataDictionaryMarkdown(const std::vector<TableSchema>& tables, const std::vector<RawLineage>& raw) {
  std::string out = "# custlake warehouse: data dictionary\n\n"
                    "Generated by `custlake docs` from the models compiled into custlake and the published version.\n\n"
                    "## Lineage\n\nFrom the operational source tables and landing folders (the lake's batch lineage) "
                    "through the raw datasets to the models.\n\n```\n";
  for (const std::string& line : LineageLines(tables, raw)) out += line + "\n";
  out += "```\n\n## Tables\n\n| table | built as | grain | description |\n|---|---|---|---|\n";
  for (const TableSchema& t : tables) {
    out += "| [" + t.model->name + "](#" + t.model->name + ") | " + BuiltAs(*t.model) + " | " +
           Cell(t.model->grain) + " | " + Cell(t.model->description) + " |\n";
  }
  for (const TableSchema& t : tables) {
    const Model& m = *t.model;
    out += "\n## " + m.name + "\n\n" + m.description + "\n\n";
    out += "- model file: `" + m.file + "`\n- materialized: " + BuiltAs(m) + "\n";
    if (!m.grain.empty()) out += "- grain: " + m.grain + "\n";
    if (!m.partition_by.empty()) out += "- Parquet export partitioned by month=YYYY-MM (from " + m.partition_by + ")\n";
    out += "- reads: ";
    std::vector<std::string> ups = Upstream(m, raw);
    for (size_t i = 0; i < ups.size(); ++i) out += (i ? ", " : "") + std::string("`") + ups[i] + "`";
    out += "\n\n| column | type | description |\n|---|---|---|\n";
    for (const TableColumn& c : t.columns) {
      const ModelColumn* doc = m.FindColumn(c.name);
      out += "| " + c.name + " | " + c.duckdb_type + " | " + Cell(doc ? doc->description : "(undocumented)") + " |\n";
    }
    if (!m.checks.empty()) {
      out += "\nChecks:\n\n";
      for (const ModelCheck& c : m.checks) {
        out += "- `" + CheckText(c) + "` (" + m.file + ":" + std::to_string(c.line) + ")\n";
      }
    }
  }
  return out;
}

std::string DataDictionaryHtml(const std::vector<TableSchema>& tables, const std::vector<RawLineage>& raw) {
  std::string out =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>custlake data dictionary</title>\n"
      "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;"
      "vertical-align:top}th{background:#f3f3f3}code,pre{background:#f6f6f6}</style></head><body>\n"
      "<h1>custlake warehouse: data dictionary</h1>\n<h2>Lineage</h2>\n<pre>";
  for (const std::string& line : LineageLines(tables, raw)) out += Escape(line) + "\n";
  out += "</pre>\n<h2>Tables</h2>\n<table><tr><th>table</th><th>built as</th><th>grain</th><th>description</th></tr>\n";
  for (const TableSchema& t : tables) {
    out += "<tr><td><a href=\"#" + t.model->name + "\">" + t.model->name + "</a></td><td>" +
           BuiltAs(*t.model) + "</td><td>" + Escape(t.model->grain) + "</td><td>" +
           Escape(t.model->description) + "</td></tr>\n";
  }
  out += "</table>\n";
  for (const TableSchema& t : tables) {
    const Model& m = *t.model;
    out += "<h2 id=\"" + m.name + "\">" + m.name + "</h2>\n<p>" + Escape(m.description) + "</p>\n<p>model file <code>" +
           Escape(m.file) + "</code>, materialized " + BuiltAs(m) + "; reads ";
    std::vector<std::string> ups = Upstream(m, raw);
    for (size_t i = 0; i < ups.size(); ++i) out += (i ? ", " : "") + std::string("<code>") + Escape(ups[i]) + "</code>";
    out += "</p>\n<table><tr><th>column</th><th>type</th><th>description</th></tr>\n";
    for (const TableColumn& c : t.columns) {
      const ModelColumn* doc = m.FindColumn(c.name);
      out += "<tr><td>" + Escape(c.name) + "</td><td>" + Escape(c.duckdb_type) + "</td><td>" +
             Escape(doc ? doc->description : "(undocumented)") + "</td></tr>\n";
    }
    out += "</table>\n";
    if (!m.checks.empty()) {
      out += "<p>Checks:</p><ul>\n";
      for (const ModelCheck& c : m.checks) {
        out += "<li><code>" + Escape(CheckText(c)) + "</code> (" + Escape(m.file) + ":" + std::to_string(c.line) +
               ")</li>\n";
      }
      out += "</ul>\n";
    }
  }
  return out + "</body></html>\n";
}

}  // namespace custlake::warehouse
