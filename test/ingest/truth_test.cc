// The generated company's messy landing data, ingested: committed,
// quarantined and duplicate counts must equal the generator's truth exactly,
// and a second run must ingest nothing.
#include <gtest/gtest.h>

#include "generate/generator.h"
#include "ingest/ingest_test_util.h"
#include "support/status_testing.h"

namespace custlake::ingest {
namespace {

using testing::FreshDir;
using testing::OpenLake;
using testing::QueryDataset;

TEST(IngestTruth, GeneratedLandingMatchesTruth) {
  const std::string dir = FreshDir("truth");
  generate::GeneratorOptions go;
  go.customers = 400;
  go.months = 2;
  go.history_months = 2;
  ASSERT_OK_AND_ASSIGN(auto gen, generate::Generate(go, nullptr, dir + "/landing", dir + "/truth"));
  ASSERT_GT(gen.usage.records_in_files, 1000);
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  IngestOptions opts;
  opts.batch_bytes = 1 << 20;  // several batches

  ASSERT_OK_AND_ASSIGN(auto usage, SourceIngester::Open(lake.get(), testing::UsageSource(dir + "/landing"), opts));
  ASSERT_OK_AND_ASSIGN(auto us, usage->RunOnce());
  EXPECT_EQ(us.records, gen.usage.records_in_files);
  EXPECT_EQ(us.committed, gen.usage.committed);
  EXPECT_EQ(us.quarantined, gen.usage.quarantined);
  EXPECT_EQ(us.duplicates, gen.usage.duplicates);
  EXPECT_EQ(us.files, gen.usage.files);
  for (const auto& f : us.file_reports) EXPECT_EQ(f.records, f.committed + f.quarantined + f.duplicates) << f.path;

  ASSERT_OK_AND_ASSIGN(auto tickets, SourceIngester::Open(lake.get(), testing::TicketSource(dir + "/landing"), opts));
  ASSERT_OK_AND_ASSIGN(auto ts, tickets->RunOnce());
  EXPECT_EQ(ts.records, gen.tickets.records_in_files);
  EXPECT_EQ(ts.committed, gen.tickets.committed);
  EXPECT_EQ(ts.quarantined, gen.tickets.quarantined);
  EXPECT_EQ(ts.duplicates, 0);

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
