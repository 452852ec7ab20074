// `custlake docs`: the data dictionary of the warehouse, as Markdown and as a
// self-contained HTML page: every table with its description, grain, how it
// is built, its columns (type and description), its checks, and lineage from
// the raw datasets through the models to the facts.
//
// Also DescribeCurrentVersion, which reads the column types of the published
// version (export-ddl uses it too). Pure apart from that read; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "warehouse/export_ddl.h"
#include "warehouse/model.h"

namespace custlake::warehouse {

/// Column names and DuckDB types of every model's table in the current
/// version of the lake at `lake_root`; types are "" when no version is published.
Result<std::vector<TableSchema>> DescribeCurrentVersion(const std::string& lake_root, const std::vector<Model>& models);

std::string DataDictionaryMarkdown(const std::vector<TableSchema>& tables);
std::string DataDictionaryHtml(const std::vector<TableSchema>& tables);

}  // namespace custlake::warehouse
