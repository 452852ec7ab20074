// Nested values end up as nested Parquet types (LIST<STRUCT> for tickets'
// messages), declared or inferred; values that do not fit the declared type
// are quarantined with the path that does not fit, never turned into NULL.
#include <gtest/gtest.h>

#include <filesystem>

#include "generate/generator.h"
#include "ingest/ingest_test_util.h"
#include "support/status_testing.h"

namespace custlake::ingest {
namespace {

namespace fs = std::filesystem;
using testing::FreshDir;
using testing::OpenLake;
using testing::QueryDataset;
using testing::WriteFile;

const auto kTickets = lake::DatasetId::Raw("tickets");

TEST(IngestNested, DeclaredNestedTypeIsParquetListOfStruct) {
  const std::string dir = FreshDir("nested_declared");
  fs::create_directories(dir + "/landing/tickets");
  WriteFile(dir + "/landing/tickets/a.json", R"([
  {"ticket_id": 1, "customer_id": 7, "opened_at": "2025-02-01T10:00:00Z",
   "messages": [{"ts": "2025-02-01T10:00:00Z", "author": "customer", "body": "hi"},
                {"ts": "2025-02-01T11:00:00Z", "body": "no author here"}]},
  {"ticket_id": 2, "customer_id": 7, "opened_at": "2025-02-01T12:00:00Z",
   "messages": [{"ts": "2025-02-01T12:00:00Z", "author": "agent", "body": "x", "mood": "happy"}]},
  {"ticket_id": 3, "customer_id": 7, "opened_at": "2025-02-01T13:00:00Z",
   "messages": {"ts": "2025-02-01T13:00:00Z", "author": "agent", "body": "not a list"}},
  {"ticket_id": 4, "customer_id": 7, "opened_at": "2025-02-01T14:00:00Z", "messages": null},
  {"ticket_id": 5, "customer_id": 7, "opened_at": "2025-02-01T15:00:00Z",
   "messages": [{"ts": "2025-02-01T15:00:00Z", "author": ["a", "b"], "body": 42}]}
]
)");
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), testing::TicketSource(dir + "/landing"), {}));
  ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
  EXPECT_EQ(st.records, 5);
  EXPECT_EQ(st.committed, 3);  // 1, 4 and 5 (VARCHAR keeps any value's text); 2 and 3 below
  EXPECT_EQ(st.quarantined, 2);
  ASSERT_OK_AND_ASSIGN(auto type, QueryDataset(lake.get(), kTickets, "SELECT typeof(messages) FROM t LIMIT 1"));
  EXPECT_EQ(type, "STRUCT(ts VARCHAR, author VARCHAR, body VARCHAR)[]");
  ASSERT_OK_AND_ASSIGN(auto missing_key, QueryDataset(lake.get(), kTickets,
                                                      "SELECT len(messages) || ':' || coalesce(messages[2].author, 'NULL') "
                                                      "|| ':' || messages[2].body FROM t WHERE ticket_id = 1"));
  EXPECT_EQ(missing_key, "2:NULL:no author here");  // a missing key is NULL, the rest is kept
  ASSERT_OK_AND_ASSIGN(auto coerced, QueryDataset(lake.get(), kTickets,
                                                  "SELECT messages[1].author || '|' || messages[1].body FROM t WHERE ticket_id = 5"));
  EXPECT_EQ(coerced, "[\"a\",\"b\"]|42");
  ASSERT_OK_AND_ASSIGN(auto nulls, QueryDataset(lake.get(), kTickets, "SELECT count(*) FROM t WHERE messages IS NULL"));
  EXPECT_EQ(nulls, "1");  // only ticket 4, which sent null
  // The ticket with an unknown key in a message ("mood") and the one whose
  // messages are not a list: quarantined, saying where.
  ASSERT_OK_AND_ASSIGN(auto q, QueryDataset(lake.get(), lake::DatasetId::Quarantine("tickets"),
                                            "SELECT string_agg(reason || ': ' || detail, ' / ' ORDER BY _source_line) FROM t"));
  EXPECT_NE(q.find("bad_type: field messages does not fit nested_type"), std::string::npos) << q;
  EXPECT_NE(q.find("expected an array"), std::string::npos) << q;
  ASSERT_OK_AND_ASSIGN(auto two, QueryDataset(lake.get(), kTickets, "SELECT count(*) FROM t WHERE ticket_id = 2"));
  EXPECT_EQ(two, "0");
}

// Records with unknown nested keys under unknown_fields = "keep" cannot keep
// them anywhere: quarantined. Under "drop" they are dropped like unknown
// top-level fields.
TEST(IngestNested, UnknownNestedKeysFollowTheUnknownFieldsPolicy) {
  const std::string dir = FreshDir("nested_unknown");
  fs::create_directories(dir + "/landing/tickets");
  WriteFile(dir + "/landing/tickets/a.json",
            R"({"ticket_id": 2, "customer_id": 7, "opened_at": "2025-02-01T12:00:00Z", "extra": 1,
 "messages": [{"ts": "2025-02-01T12:00:00Z", "author": "agent", "body": "x", "mood": "happy"}]})" "\n");
  for (const bool drop : {false, true}) {
    ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + (drop ? "/lake_drop" : "/lake_keep")));
    auto spec = testing::TicketSource(dir + "/landing");
    if (drop) spec.config.unknown_fields = "drop";
    ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), spec, {}));
    ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
    EXPECT_EQ(st.committed, drop ? 1 : 0);
    EXPECT_EQ(st.quarantined, drop ? 0 : 1);
    if (drop) {
      ASSERT_OK_AND_ASSIGN(auto body, QueryDataset(lake.get(), kTickets, "SELECT messages[1].body FROM t"));
      EXPECT_EQ(body, "x");
      // Unknown top-level fields are dropped too: no _extra column.
      ASSERT_OK_AND_ASSIGN(auto cols, QueryDataset(lake.get(), kTickets,
                                                   "SELECT count(*) FROM (DESCRIBE t) WHERE column_name = '_extra'"));
      EXPECT_EQ(cols, "0");
    } else {
      ASSERT_OK_AND_ASSIGN(auto detail, QueryDataset(lake.get(), lake::DatasetId::Quarantine("tickets"), "SELECT detail FROM t"));
      EXPECT_NE(detail.find("[0]: key \"mood\" is not in the nested type"), std::string::npos) << detail;
    }
  }
}

// Without a schema, the generated tickets' messages are inferred as a list
// of structs and stored as such.
TEST(IngestNested, InferredTicketsKeepMessagesAsListOfStruct) {
  const std::string dir = FreshDir("nested_inferred");
  generate::GeneratorOptions go;
  go.customers = 200;
  go.months = 1;
  go.history_months = 1;
  ASSERT_OK_AND_ASSIGN(auto gen, generate::Generate(go, nullptr, dir + "/landing", dir + "/truth"));
  ASSERT_OK_AND_ASSIGN(auto lake, OpenLake(dir + "/lake"));
  auto spec = testing::TicketSource(dir + "/landing");
  spec.schema.reset();
  spec.config.key = "ticket_id";
  spec.config.partition_field = "opened_at";
  ASSERT_OK_AND_ASSIGN(auto ing, SourceIngester::Open(lake.get(), spec, {}));
  ASSERT_OK_AND_ASSIGN(auto st, ing->RunOnce());
  EXPECT_EQ(st.committed, gen.tickets.committed);
  ASSERT_OK_AND_ASSIGN(auto type, QueryDataset(lake.get(), kTickets, "SELECT typeof(messages) FROM t LIMIT 1"));
  EXPECT_EQ(type, "STRUCT(ts VARCHAR, author VARCHAR, body VARCHAR)[]");
  ASSERT_OK_AND_ASSIGN(auto msgs, QueryDataset(lake.get(), kTickets,
                                               "SELECT count(*) FILTER (WHERE len(messages) > 0 AND messages[1].body IS NOT NULL) "
                                               "= count(*) FROM t"));
  EXPECT_EQ(msgs, "true");
}

}  // namespace
}  // namespace custlake::ingest
