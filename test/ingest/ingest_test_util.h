// Helpers shared by the ingest integration tests: the contract schemas of
// the generated landing data, a fresh lake, and lake queries.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "ingest/ingester.h"
#include "lake/lake.h"

namespace custlake::ingest::testing {

Schema UsageSchema();
Schema TicketSchema();
SourceSpec UsageSource(const std::string& landing);
SourceSpec TicketSource(const std::string& landing);
/// A fresh folder under the temp dir.
std::string FreshDir(const std::string& name);
/// Opens (creating) a lake without fsync (tests of logic, not durability).
Result<std::unique_ptr<lake::Lake>> OpenLake(const std::string& root, lake::FailPointHook hook = {});
/// Runs SQL over the committed files of a dataset as view `t`; first column of the first row.
Result<std::string> QueryDataset(lake::Lake* lake, const lake::DatasetId& ds, const std::string& sql);

/// Writes `content` to `path` (binary, replacing it).
void WriteFile(const std::string& path, const std::string& content);
/// A gzip / zstd stream of `data`.
std::string Gzip(const std::string& data);
std::string Zstd(const std::string& data);

}  // namespace custlake::ingest::testing
