// The generated company's messy landing data, ingested through the
// configuration `custlake init` writes (custlake.toml's [ingest.*] sections
// and the schema files): committed, quarantined (per reason) and duplicate
// counts must equal the generator's truth exactly, and a second run must
// ingest nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "common/config.h"
#include "generate/generator.h"
#include "generate/landing_schemas.h"
#include "ingest/ingest_config.h"
#include "ingest/ingest_test_util.h"
#include "support/status_testing.h"

namespace custlake::ingest {
namespace {

using testing::FreshDir;
using testing::OpenLake;
using testing::QueryDataset;
using testing::WriteFile;

// A project as `custlake init` writes it: custlake.toml and schemas/.
IngestConfig InitProjectConfig(const std::string& dir) {
  WriteFile(dir + "/custlake.toml", Config::DefaultToml("truth"));
  std::filesystem::create_directories(dir + "/schemas");
  WriteFile(dir + "/schemas/usage.json", generate::UsageSchemaJson());
  WriteFile(dir + "/schemas/tickets.json", generate::TicketSchemaJson());
  auto config = LoadIngestConfig(dir + "/custlake.toml");
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return config.ok() ? *config : IngestConfig{};
}

// Quarantined records per reason, from the quarantine rows in the lake.
std::map<std::string, int64_t> ReasonCounts(lake::Lake* lake, const std::string& dataset) {
  std::map<std::string, int64_t> out;
  auto text = QueryDataset(lake, lake::DatasetId::Quarantine(dataset),
                           "SELECT string_agg(reason || '=' || n, ',') FROM (SELECT reason, count(*) AS n FROM t "
                           "GROUP BY ALL)");
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  std::stringstream in(text.ok() ? *text : "");
  for (std::string item; std::getline(in, item, ',');) {
    const size_t eq = item.find('=');
    if (eq != std::string::npos) out[item.substr(0, eq)] = std::stoll(item.substr(eq + 1));
  }
  return out;
}

TEST(IngestTruth, GeneratedLandingMatchesTruth) {
  const std::string dir = FreshDir("truth");
  const IngestConfig config = InitProjectConfig(dir);
  ASSERT_EQ(config.sources.count("usage"), 1u);
  ASSERT_EQ(config.sources.count("tickets"), 1u);
  generate::GeneratorOptions go;
  go.customers = 400;
  go.months = 2;
  go.history_months = 2;
  ASSERT_OK_AND_ASSIGN(auto gen, generate::Generate(go, nullptr, dir + "/landing", dir + "/truth"));
  ASSERT_GT(gen.usage.records_in_files, 1000);
  ASSERT_GT(gen.usage.malformed, 0);
  ASSERT_GT(gen.usage.truncated, 0);
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  IngestOptions opts = IngestOptions::FromConfig(config);
  opts.batch_bytes = 1 << 20;  // several batches

  ASSERT_OK_AND_ASSIGN(auto usage,
                       SourceIngester::Open(lake.get(), SourceSpec{config.sources.at("usage"), std::nullopt}, opts));
  ASSERT_OK_AND_ASSIGN(auto us, usage->RunOnce());
  EXPECT_EQ(us.records, gen.usage.records_in_files);
  EXPECT_EQ(us.committed, gen.usage.committed);
  EXPECT_EQ(us.quarantined, gen.usage.quarantined);
  EXPECT_EQ(us.duplicates, gen.usage.duplicates);
  EXPECT_EQ(us.files, gen.usage.files);
  for (const auto& f : us.file_reports) EXPECT_EQ(f.records, f.committed + f.quarantined + f.duplicates) << f.path;

  // Every quarantine reason matches the generator's category (truth.h):
  // a syntax error (a missing comma too) is malformed_json, a line cut off truncated.
  const std::map<std::string, int64_t> want_usage = {{"malformed_json", gen.usage.malformed},
                                                     {"truncated", gen.usage.truncated},
                                                     {"missing_required", gen.usage.missing_required},
                                                     {"bad_type", gen.usage.bad_type}};
  std::map<std::string, int64_t> got_usage = ReasonCounts(lake.get(), "usage");
  std::erase_if(got_usage, [](const auto& kv) { return kv.second == 0; });
  std::map<std::string, int64_t> want_nonzero = want_usage;
  std::erase_if(want_nonzero, [](const auto& kv) { return kv.second == 0; });
  EXPECT_EQ(got_usage, want_nonzero);

  ASSERT_OK_AND_ASSIGN(auto tickets,
                       SourceIngester::Open(lake.get(), SourceSpec{config.sources.at("tickets"), std::nullopt}, opts));
  ASSERT_OK_AND_ASSIGN(auto ts, tickets->RunOnce());
  EXPECT_EQ(ts.records, gen.tickets.records_in_files);
  EXPECT_EQ(ts.committed, gen.tickets.committed);
  EXPECT_EQ(ts.quarantined, gen.tickets.quarantined);
  EXPECT_EQ(ts.duplicates, 0);
  // A ticket document cut off (alone in its file, or a line of an NDJSON file) is truncated.
  std::map<std::string, int64_t> want_tickets = {{"truncated", gen.tickets.malformed},
                                                 {"missing_required", gen.tickets.missing_required}};
  std::erase_if(want_tickets, [](const auto& kv) { return kv.second == 0; });
  EXPECT_EQ(ReasonCounts(lake.get(), "tickets"), want_tickets);

  // What the lake holds agrees.
  const auto raw_usage = lake::DatasetId::Raw("usage");
  ASSERT_OK_AND_ASSIGN(auto n, QueryDataset(lake.get(), raw_usage, "SELECT count(*) FROM t"));
  EXPECT_EQ(std::stoll(n), gen.usage.committed);
  ASSERT_OK_AND_ASSIGN(auto d, QueryDataset(lake.get(), raw_usage, "SELECT count(DISTINCT event_id) FROM t"));
  EXPECT_EQ(std::stoll(d), gen.usage.committed);
  ASSERT_OK_AND_ASSIGN(auto q, QueryDataset(lake.get(), lake::DatasetId::Quarantine("usage"), "SELECT count(*) FROM t"));
  EXPECT_EQ(std::stoll(q), gen.usage.quarantined);
  // Rows land in their event date's partition; provenance columns are set.
  ASSERT_OK_AND_ASSIGN(auto bad, QueryDataset(lake.get(), raw_usage,
                                              "SELECT count(*) FROM t WHERE CAST(ts AT TIME ZONE 'UTC' AS DATE) <> "
                                              "event_date OR _source_file IS NULL OR _source_line < 1"));
  EXPECT_EQ(bad, "0");
  ASSERT_OK_AND_ASSIGN(auto msgs, QueryDataset(lake.get(), lake::DatasetId::Raw("tickets"),
                                               "SELECT sum(len(messages)) FROM t"));
  EXPECT_GT(std::stoll(msgs), gen.tickets.committed - 1);
  // Messages are a nested Parquet type (LIST<STRUCT>), not JSON text.
  ASSERT_OK_AND_ASSIGN(auto msg_type, QueryDataset(lake.get(), lake::DatasetId::Raw("tickets"),
                                                   "SELECT typeof(messages) FROM t LIMIT 1"));
  EXPECT_EQ(msg_type, "STRUCT(ts VARCHAR, author VARCHAR, body VARCHAR)[]");

  // Exactly once: a second run ingests nothing.
  ASSERT_OK_AND_ASSIGN(auto again, usage->RunOnce());
  EXPECT_EQ(again.files, 0);
  EXPECT_EQ(again.files_skipped, gen.usage.files);
  ASSERT_OK_AND_ASSIGN(auto n2, QueryDataset(lake.get(), raw_usage, "SELECT count(*) FROM t"));
  EXPECT_EQ(n2, n);

  ASSERT_OK_AND_ASSIGN(auto rec, IngestReconciliation(lake.get()));
  EXPECT_EQ(rec["usage"]["records"].get<int64_t>(), gen.usage.records_in_files);
  EXPECT_TRUE(rec["usage"]["balanced"].get<bool>());
}

}  // namespace
}  // namespace custlake::ingest
