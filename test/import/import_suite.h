// The import test suite, one set of cases run against every source: SQLite
// (beside the code, label unit) and real MariaDB and PostgreSQL servers
// (test/import, label integration). Each case builds its tables through
// db::Connection (so one DDL serves all dialects), imports into a fresh lake
// and reads the committed Parquet back with DuckDB.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "db/connection.h"
#include "engine/engine.h"
#include "import/importer.h"
#include "import/schema.h"
#include "lake/lake.h"
#include "query/lake_session.h"
#include "support/status_testing.h"

namespace custlake::importer::testing {

/// One source kind: its name and how to get a URL to an empty-enough database
/// (tables are named after the test, dropped first). `url` sets *skip to skip.
struct SourceParam {
  std::string name;
  std::function<std::string(const std::string& scratch_dir, std::string* skip)> url;
  bool can_kill_connections = false;
};
inline void PrintTo(const SourceParam& p, std::ostream* os) { *os << p.name; }

inline RunOptions Quiet() {
  RunOptions run;
  run.progress = false;
  return run;
}

class ImportSuite : public ::testing::TestWithParam<SourceParam> {
 protected:
  void SetUp() override {
    namespace fs = std::filesystem;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = (fs::temp_directory_path() / ("custlake-import-" + std::to_string(::getpid()) + "-" + GetParam().name +
                                         "-" + info->name()))
               .string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::string skip;
    url_ = GetParam().url(dir_, &skip);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_FALSE(url_.empty());
    auto parsed = db::DatabaseUrl::Parse(url_);
    ASSERT_OK(parsed);
    auto conn = db::Connection::Open(*parsed);
    ASSERT_OK(conn);
    conn_ = std::move(conn).value();
    std::string base = info->name();
    for (char& c : base) c = std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '_';
    table_ = "t_" + base.substr(0, 40);
    ASSERT_OK(conn_->Execute("DROP TABLE IF EXISTS " + conn_->QuoteIdentifier(table_)));
  }
  void TearDown() override {
    conn_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string LakeDir(const std::string& name = "lake") { return dir_ + "/" + name; }
  std::unique_ptr<lake::Lake> OpenLake(const std::string& name = "lake", lake::LakeOptions options = {}) {
    options.sync = false;
    auto l = lake::Lake::Init(LakeDir(name), options);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return l.ok() ? std::move(l).value() : nullptr;
  }
  SourceSpec Source() const { return {"src", url_}; }
  TableOptions Table() const {
    TableOptions o;
    o.table = table_;
    o.batch_rows = 1000;
    return o;
  }

  // A table with every portable type; rows via BulkInserter.
  db::TableDef TypedTable() const {
    using T = db::SqlType;
    db::TableDef def{table_, {}};
    def.columns = {{"id", T::kBigInt, false, true},   {"n", T::kInteger},    {"big", T::kBigInt},
                   {"flag", T::kBoolean},             {"price", T::kDecimal, true, false, 12, 2},
                   {"ratio", T::kDouble},             {"name", T::kText},    {"born", T::kDate},
                   {"ts", T::kTimestamp}};
    return def;
  }
  void InsertRows(const db::TableDef& def, const std::vector<std::vector<db::Value>>& rows) {
    auto ins = conn_->BeginInsert(def);
    ASSERT_OK(ins);
    for (const auto& r : rows) ASSERT_OK((*ins)->Append(r));
    ASSERT_OK((*ins)->Finish());
  }
  // id, check ts, value: the incremental tests' table.
  db::TableDef EventTable() const {
    using T = db::SqlType;
    return {table_, {{"id", T::kBigInt, false, true}, {"ts", T::kTimestamp, false}, {"v", T::kText}}};
  }

  /// The dataset's committed rows as text, ordered by `order`.
  std::vector<std::string> LakeRows(lake::Lake* l, const std::string& order, const std::string& columns = "*",
                                    const std::string& dataset = "") {
    auto paths = l->CommittedPaths(lake::DatasetId::Raw(dataset.empty() ? "src/" + table_ : dataset));
    EXPECT_TRUE(paths.ok());
    if (!paths.ok() || paths->empty()) return {};
    std::string list;
    for (const auto& p : *paths) list += (list.empty() ? "" : ", ") + engine::QuoteLiteral(p);
    // Rendered by DuckDB's VARCHAR casts (TIMESTAMPTZ as "...+00"), in `order`.
    return Query("SELECT COLUMNS(c -> c <> 'custlake_rn')::VARCHAR FROM (SELECT " + columns +
                 ", row_number() OVER (ORDER BY " + order + ") AS custlake_rn FROM read_parquet([" + list +
                 "], union_by_name = true, hive_partitioning = false)) ORDER BY custlake_rn");
  }
  /// Column name -> DuckDB type of the dataset's first committed file.
  std::map<std::string, std::string> LakeTypes(lake::Lake* l, const std::string& dataset = "") {
    std::map<std::string, std::string> out;
    auto paths = l->CommittedPaths(lake::DatasetId::Raw(dataset.empty() ? "src/" + table_ : dataset));
    EXPECT_TRUE(paths.ok() && !paths->empty());
    if (!paths.ok() || paths->empty()) return out;
    for (const std::string& line :
         Query("SELECT column_name || '|' || column_type FROM (DESCRIBE SELECT * FROM "
               "read_parquet(" +
               engine::QuoteLiteral((*paths)[0]) + "))")) {
      out[line.substr(0, line.find('|'))] = line.substr(line.find('|') + 1);
    }
    return out;
  }
  std::vector<std::string> Query(const std::string& sql) {
    auto db = engine::Database::Open({});
    EXPECT_TRUE(db.ok());
    auto s = (*db)->Connect();
    (void)(*s)->Execute("SET TimeZone = 'UTC'");
    auto r = (*s)->Query(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString() << " in " << sql;
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (size_t i = 0; i < r->rows.size(); ++i) {
      std::string line;
      for (size_t c = 0; c < r->rows[i].size(); ++c) {
        line += (c ? "|" : "") + (r->nulls[i][c] ? std::string("NULL") : r->rows[i][c]);
      }
      out.push_back(line);
    }
    return out;
  }
  std::string Ts(int second) const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "2024-05-01 10:00:%02d", second);
    return buf;
  }

  std::string dir_, url_, table_;
  std::unique_ptr<db::Connection> conn_;
};

TEST_P(ImportSuite, FullImportKeepsTypesValuesAndNulls) {
  auto def = TypedTable();
  ASSERT_OK(conn_->CreateTable(def, true));
  InsertRows(def, {{int64_t{1}, int64_t{-2147483648}, int64_t{INT64_MIN + 1}, int64_t{1}, std::string("-9999999999.99"),
                    0.1, std::string("O'Brien \\ ümlaut"), std::string("0001-01-01"), std::string("1970-01-01 00:00:00")},
                   {int64_t{2}, int64_t{2147483647}, int64_t{INT64_MAX}, int64_t{0}, std::string("9999999999.99"), -1e300,
                    std::string(""), std::string("9999-12-31"), std::string("2038-01-19 03:14:08.123456")},
                   {int64_t{3}, {}, {}, {}, {}, {}, {}, {}, {}}});
  auto l = OpenLake();
  ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), Table(), Quiet()));
  EXPECT_EQ(s.rows, 3);
  EXPECT_EQ(s.batches, 1);
  EXPECT_EQ(s.source.find("test-pw"), std::string::npos) << "password leaked: " << s.source;
  auto rows = LakeRows(l.get(), "id");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], "1|-2147483648|-9223372036854775807|true|-9999999999.99|0.1|O'Brien \\ ümlaut|0001-01-01|1970-01-01 00:00:00+00");
  EXPECT_EQ(rows[1], "2|2147483647|9223372036854775807|false|9999999999.99|-1e+300||9999-12-31|2038-01-19 03:14:08.123456+00");
  EXPECT_EQ(rows[2], "3|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL");
  auto types = Query("SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM read_parquet(" +
                     engine::QuoteLiteral((*l->CommittedPaths(lake::DatasetId::Raw("src/" + table_)))[0]) + "))");
  EXPECT_EQ(types[4], "price DECIMAL(12,2)");
  EXPECT_EQ(types[8], "ts TIMESTAMP WITH TIME ZONE");
  // A second full import replaces, it does not append.
  ASSERT_OK_AND_ASSIGN(s, ImportTable(l.get(), Source(), Table(), Quiet()));
  EXPECT_EQ(LakeRows(l.get(), "id").size(), 3u);
  EXPECT_EQ(s.ToJson()["rows"], 3);
}

// Small decimals (DuckDB keeps DECIMAL(p<=4) in int16 and DECIMAL(p<=9) in
// int32) keep their exact values in every row, at their precision.
TEST_P(ImportSuite, SmallDecimalsStayExact) {
  using T = db::SqlType;
  db::TableDef def{table_,
                   {{"id", T::kBigInt, false, true},
                    {"d31", T::kDecimal, true, false, 3, 1},
                    {"d52", T::kDecimal, true, false, 5, 2},
                    {"d94", T::kDecimal, true, false, 9, 4},
                    {"d100", T::kDecimal, true, false, 10, 0}}};
  ASSERT_OK(conn_->CreateTable(def, true));
  InsertRows(def, {{int64_t{1}, std::string("12.3"), std::string("123.45"), std::string("12345.6789"),
                    std::string("9999999999")},
                   {int64_t{2}, std::string("-0.1"), std::string("-0.01"), std::string("-0.0001"),
                    std::string("-1")},
                   {int64_t{3}, std::string("99.9"), std::string("999.99"), std::string("99999.9999"), {}}});
  auto l = OpenLake();
  ASSERT_OK(ImportTable(l.get(), Source(), Table(), Quiet()));
  EXPECT_EQ(LakeRows(l.get(), "id"),
            (std::vector<std::string>{"1|12.3|123.45|12345.6789|9999999999", "2|-0.1|-0.01|-0.0001|-1",
                                      "3|99.9|999.99|99999.9999|NULL"}));
  auto types = LakeTypes(l.get());
  EXPECT_EQ(types["d31"], "DECIMAL(3,1)");
  EXPECT_EQ(types["d52"], "DECIMAL(5,2)");
  EXPECT_EQ(types["d94"], "DECIMAL(9,4)");
  EXPECT_EQ(types["d100"], "DECIMAL(10,0)");
}

// --map-column casts text columns in DuckDB: DECIMAL stays exact, TIMESTAMP
// honours an explicit offset and reads a naive value in the source's time
// zone (UTC by default), whatever the machine's local zone.
TEST_P(ImportSuite, MapColumnCastsDecimalAndTimestamp) {
  using T = db::SqlType;
  db::TableDef def{table_, {{"id", T::kBigInt, false, true}, {"amount", T::kText}, {"at", T::kText}}};
  ASSERT_OK(conn_->CreateTable(def, true));
  InsertRows(def, {{int64_t{1}, std::string("12.345"), std::string("2024-05-01 12:00:00")},
                   {int64_t{2}, std::string("-0.001"), std::string("2024-05-01T12:00:00+02:00")},
                   {int64_t{3}, {}, {}}});
  auto l = OpenLake();
  TableOptions o = Table();
  ASSERT_OK(ParseMapColumn("amount=DECIMAL(10,3)", &o.map_column));
  ASSERT_OK(ParseMapColumn("at=TIMESTAMP", &o.map_column));
  ASSERT_OK(ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(LakeRows(l.get(), "id"),
            (std::vector<std::string>{"1|12.345|2024-05-01 12:00:00+00", "2|-0.001|2024-05-01 10:00:00+00",
                                      "3|NULL|NULL"}));
  auto types = LakeTypes(l.get());
  EXPECT_EQ(types["amount"], "DECIMAL(10,3)");
  EXPECT_EQ(types["at"], "TIMESTAMP WITH TIME ZONE");
  // A value the cast cannot take is an error naming the column.
  InsertRows(def, {{int64_t{4}, std::string("twelve"), {}}});
  auto failed = ImportTable(l.get(), Source(), o, Quiet());
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("twelve"), std::string::npos) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("column amount"), std::string::npos) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("table " + table_), std::string::npos)
      << failed.status().ToString();
}

// --table schema.table: a PostgreSQL schema, a MariaDB database, SQLite's
// main; the primary key (split column by default) is found there too.
TEST_P(ImportSuite, QualifiedTableName) {
  std::string schema = "main";
  if (GetParam().name == "mariadb") {
    schema = "custlake_other";
    ASSERT_OK(conn_->Execute("CREATE DATABASE IF NOT EXISTS custlake_other"));
  } else if (GetParam().name == "postgres") {
    schema = "custlake_other";
    ASSERT_OK(conn_->Execute("CREATE SCHEMA IF NOT EXISTS custlake_other"));
  }
  const std::string qualified = conn_->QuoteIdentifier(schema) + "." + conn_->QuoteIdentifier(table_);
  ASSERT_OK(conn_->Execute("DROP TABLE IF EXISTS " + qualified));
  ASSERT_OK(conn_->Execute("CREATE TABLE " + qualified + " (k BIGINT NOT NULL PRIMARY KEY, v VARCHAR(10))"));
  ASSERT_OK(conn_->Execute("INSERT INTO " + qualified + " VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')"));
  auto l = OpenLake();
  TableOptions o = Table();
  o.table = schema + "." + table_;
  o.mappers = 2;  // needs the primary key of that table
  o.incremental = IncrementalMode::kAppend;
  o.check_column = "k";
  ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(s.rows, 4);
  EXPECT_EQ(s.splits, 2);
  EXPECT_EQ(s.dataset, "raw/src/" + schema + "." + table_);
  EXPECT_EQ(LakeRows(l.get(), "k", "k, v", "src/" + schema + "." + table_),
            (std::vector<std::string>{"1|a", "2|b", "3|c", "4|d"}));
  ASSERT_OK(conn_->Execute("DROP TABLE " + qualified));
}

// A source whose naive timestamps (MariaDB DATETIME, PostgreSQL timestamp,
// SQLite text) are local times: the source's timezone setting reads them in
// that zone (DST included); instants (MariaDB TIMESTAMP, timestamptz) and
// explicit offsets are not shifted; ties at the cursor still match.
TEST_P(ImportSuite, NaiveTimestampsInTheSourceTimezone) {
  using T = db::SqlType;
  db::TableDef def{table_,
                   {{"id", T::kBigInt, false, true}, {"ts", T::kTimestamp, false}, {"seen", T::kText}}};
  ASSERT_OK(conn_->CreateTable(def, true));
  InsertRows(def,
             {{int64_t{1}, std::string("2024-07-01 12:00:00"), std::string("2024-07-01 12:00:00")},
              {int64_t{2}, std::string("2024-01-15 12:00:00"), std::string("2024-07-01 12:00:00+02:00")}});
  const std::string t = conn_->QuoteIdentifier(table_);
  const bool server = GetParam().name != "sqlite";
  if (server) {
    ASSERT_OK(conn_->Execute("ALTER TABLE " + t + " ADD COLUMN inst " +
                             (GetParam().name == "mariadb" ? "TIMESTAMP NULL" : "TIMESTAMPTZ")));
    ASSERT_OK(conn_->Execute("UPDATE " + t + " SET inst = '2024-07-01 12:00:00" +
                             (GetParam().name == "mariadb" ? "'" : "+00'")));  // the writer's session is UTC
  }
  auto l = OpenLake();
  SourceSpec source = Source();
  source.timezone = "America/New_York";
  TableOptions o = Table();
  ASSERT_OK(ParseMapColumn("seen=TIMESTAMP", &o.map_column));
  o.incremental = IncrementalMode::kAppend;
  o.check_column = "ts";
  ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), source, o, Quiet()));
  EXPECT_EQ(s.rows, 2);
  EXPECT_EQ(
      LakeRows(l.get(), "id", "id, ts, seen"),
      (std::vector<std::string>{"1|2024-07-01 16:00:00+00|2024-07-01 16:00:00+00",     // EDT
                                "2|2024-01-15 17:00:00+00|2024-07-01 10:00:00+00"}));  // EST; offset kept
  if (server) {
    EXPECT_EQ(LakeRows(l.get(), "id", "inst")[0], "2024-07-01 12:00:00+00");
  }
  // A row tying the cursor (a local time) is re-read and dropped, not duplicated.
  InsertRows(def, {{int64_t{3}, std::string("2024-07-01 12:00:00"), {}}});
  if (server) ASSERT_OK(conn_->Execute("UPDATE " + t + " SET inst = NULL WHERE id = 3"));
  ASSERT_OK_AND_ASSIGN(s, ImportTable(l.get(), source, o, Quiet()));
  EXPECT_EQ(s.rows, 1);
  EXPECT_EQ(s.ties_dropped, 1);
  source.timezone = "Mars/Olympus_Mons";
  o.dataset = "src/elsewhere";
  auto bad = ImportTable(l.get(), source, o, Quiet());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("timezone 'Mars/Olympus_Mons'"), std::string::npos)
      << bad.status().ToString();
}

// Every form of timestamp text keeps its instant when it names one ("Z",
// ±HH:MM, ±HHMM, ±HH, with or without a fraction); only text without an
// offset (a date alone too) takes the source's timezone. A SQLite TIMESTAMP
// column holds any of them; MariaDB DATETIME / PostgreSQL timestamp hold the
// naive ones; a text column mapped to TIMESTAMP holds any, on every source.
TEST_P(ImportSuite, TimestampTextKeepsItsOffsetInEveryZone) {
  using T = db::SqlType;
  db::TableDef def{table_, {{"id", T::kBigInt, false, true}, {"ts", T::kTimestamp}, {"txt", T::kText}}};
  ASSERT_OK(conn_->CreateTable(def, true));
  struct Form {
    std::string text;
    bool offset;
    std::string utc, berlin;  // what the lake holds with timezone UTC, Europe/Berlin (CET, +01 in January)
  };
  const std::vector<Form> forms = {
      {"2025-01-15T08:00:00Z", true, "2025-01-15 08:00:00+00", "2025-01-15 08:00:00+00"},
      {"2025-03-01 10:00:00+02:00", true, "2025-03-01 08:00:00+00", "2025-03-01 08:00:00+00"},
      {"2025-01-15 10:00:00+0200", true, "2025-01-15 08:00:00+00", "2025-01-15 08:00:00+00"},
      {"2025-01-15 01:00:00-07", true, "2025-01-15 08:00:00+00", "2025-01-15 08:00:00+00"},
      {"2025-07-01T10:00:00.25+02:00", true, "2025-07-01 08:00:00.25+00", "2025-07-01 08:00:00.25+00"},
      {"2025-01-15 08:00:00", false, "2025-01-15 08:00:00+00", "2025-01-15 07:00:00+00"},
      {"2025-01-15 08:00:00.123456", false, "2025-01-15 08:00:00.123456+00", "2025-01-15 07:00:00.123456+00"},
      {"2025-07-01 08:00:00", false, "2025-07-01 08:00:00+00", "2025-07-01 06:00:00+00"},  // CEST
      {"2025-01-15", false, "2025-01-15 00:00:00+00", "2025-01-14 23:00:00+00"},
  };
  // A server's DATETIME / timestamp column cannot hold an offset: NULL there.
  const bool sqlite = GetParam().name == "sqlite";
  std::vector<std::vector<db::Value>> rows;
  for (size_t i = 0; i < forms.size(); ++i) {
    db::Value ts = sqlite || !forms[i].offset ? db::Value(forms[i].text) : db::Value();
    rows.push_back({static_cast<int64_t>(i + 1), ts, forms[i].text});
  }
  InsertRows(def, rows);
  for (const std::string zone : {"UTC", "Europe/Berlin"}) {
    SCOPED_TRACE(zone);
    auto l = OpenLake("lake-" + zone.substr(0, 3));
    SourceSpec source = Source();
    source.timezone = zone;
    TableOptions o = Table();
    ASSERT_OK(ParseMapColumn("txt=TIMESTAMP", &o.map_column));
    ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), source, o, Quiet()));
    EXPECT_EQ(s.rows, static_cast<int64_t>(forms.size()));
    std::vector<std::string> expected;
    for (size_t i = 0; i < forms.size(); ++i) {
      const std::string& want = zone == "UTC" ? forms[i].utc : forms[i].berlin;
      expected.push_back(std::to_string(i + 1) + "|" + (sqlite || !forms[i].offset ? want : "NULL") + "|" +
                         want);
    }
    EXPECT_EQ(LakeRows(l.get(), "id", "id, ts, txt"), expected);
    EXPECT_EQ(LakeTypes(l.get())["txt"], "TIMESTAMP WITH TIME ZONE");
  }
}

// A value that does not fit its DECIMAL(p,s) is neither stored out of range
// nor rounded: the import fails naming the table, every bad column, the row
// key and the value, with the type that would hold it; nothing is committed.
// A wide enough type imports the same values exactly.
TEST_P(ImportSuite, DecimalsThatDoNotFitNameEveryColumnAndRow) {
  using T = db::SqlType;
  db::TableDef def{table_, {{"id", T::kBigInt, false, true}, {"amount", T::kText}, {"fee", T::kText}}};
  ASSERT_OK(conn_->CreateTable(def, true));
  InsertRows(def, {{int64_t{1}, std::string("12.34"), std::string("1.5")},
                   {int64_t{2}, std::string("12345678901.23"), std::string("0.5")},
                   {int64_t{3}, std::string("0.005"), std::string("-0.25")},
                   {int64_t{4}, std::string("-1.00"), std::string("7.125")}});
  auto l = OpenLake();
  TableOptions o = Table();
  ASSERT_OK(ParseMapColumn("amount=DECIMAL(12,2)", &o.map_column));
  ASSERT_OK(ParseMapColumn("fee=DECIMAL(5,2)", &o.map_column));
  auto failed = ImportTable(l.get(), Source(), o, Quiet());
  ASSERT_FALSE(failed.ok());
  const std::string m = failed.status().message();
  EXPECT_EQ(failed.status().code(), StatusCode::kSourceError) << m;  // a data error, not a usage error
  EXPECT_NE(m.find("table " + table_), std::string::npos) << m;
  EXPECT_NE(m.find("2 columns hold values that cannot be stored"), std::string::npos) << m;
  EXPECT_NE(m.find("column amount: 2 values"), std::string::npos) << m;
  const bool first_is_2 = m.find("(key id=2)") != std::string::npos;
  EXPECT_TRUE(first_is_2 || m.find("(key id=3)") != std::string::npos) << m;
  EXPECT_NE(m.find(first_is_2 ? "'12345678901.23' does not fit DECIMAL(12,2) (11 digits before the point, "
                                "DECIMAL(12,2) holds 10); use --map-column amount=DECIMAL(13,2)"
                              : "'0.005' does not fit DECIMAL(12,2) (3 decimals"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("column fee: 1 value cannot be stored; the first: row "), std::string::npos) << m;
  EXPECT_NE(m.find("(key id=4)"), std::string::npos) << m;
  EXPECT_NE(m.find("'7.125' does not fit DECIMAL(5,2) (3 decimals, DECIMAL(5,2) keeps 2 and rounding would "
                   "change the value); use --map-column fee=DECIMAL(6,3)"),
            std::string::npos)
      << m;
  auto files = l->CommittedPaths(lake::DatasetId::Raw("src/" + table_));
  EXPECT_TRUE(!files.ok() || files->empty());

  o.map_column.clear();
  ASSERT_OK(ParseMapColumn("amount=DECIMAL(14,3)", &o.map_column));
  ASSERT_OK(ParseMapColumn("fee=DECIMAL(6,3)", &o.map_column));
  ASSERT_OK(ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(LakeRows(l.get(), "id"), (std::vector<std::string>{"1|12.340|1.500", "2|12345678901.230|0.500",
                                                               "3|0.005|-0.250", "4|-1.000|7.125"}));
}

// --map-column BIGINT and DATE parse the text strictly (blanks around it
// aside): DuckDB's cast would round '1.5' to 2 and cut '2025-01-15 08:00' to
// its day without a word. Both bad columns are named in one run.
TEST_P(ImportSuite, MapColumnNeverRoundsIntegersOrCutsDates) {
  using T = db::SqlType;
  db::TableDef def{table_, {{"id", T::kBigInt, false, true}, {"qty", T::kText}, {"day", T::kText}}};
  ASSERT_OK(conn_->CreateTable(def, true));
  InsertRows(def, {{int64_t{1}, std::string(" 42 "), std::string("2025-01-15")},
                   {int64_t{2}, std::string("1.5"), std::string("2025-01-15 08:00")},
                   {int64_t{3}, std::string("-7"), std::string("2025-02-30")}});
  auto l = OpenLake();
  TableOptions o = Table();
  ASSERT_OK(ParseMapColumn("qty=BIGINT", &o.map_column));
  ASSERT_OK(ParseMapColumn("day=DATE", &o.map_column));
  auto failed = ImportTable(l.get(), Source(), o, Quiet());
  ASSERT_FALSE(failed.ok());
  const std::string m = failed.status().message();
  EXPECT_NE(m.find("2 columns hold values that cannot be stored"), std::string::npos) << m;
  EXPECT_NE(m.find("column qty: 1 value cannot be stored; the first: row 2 (key id=2)"), std::string::npos)
      << m;
  EXPECT_NE(m.find("cannot store '1.5' as BIGINT"), std::string::npos) << m;
  EXPECT_NE(m.find("column day: 2 values cannot be stored"), std::string::npos) << m;
  ASSERT_OK(conn_->Execute("UPDATE " + conn_->QuoteIdentifier(table_) +
                           " SET qty = '2', day = '2025-01-16' WHERE id IN (2, 3)"));
  ASSERT_OK(ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(LakeRows(l.get(), "id"),
            (std::vector<std::string>{"1|42|2025-01-15", "2|2|2025-01-16", "3|2|2025-01-16"}));
  auto types = LakeTypes(l.get());
  EXPECT_EQ(types["qty"], "BIGINT");
  EXPECT_EQ(types["day"], "DATE");
}

// The progress line knows the total (table statistics, COUNT(*) or the split
// probes' count), so it shows a percentage, rows, bytes, rate and an ETA.
TEST_P(ImportSuite, ProgressShowsTheTotal) {
  auto def = EventTable();
  ASSERT_OK(conn_->CreateTable(def, true));
  std::vector<std::vector<db::Value>> rows;
  for (int i = 1; i <= 3000; ++i) rows.push_back({int64_t{i}, Ts(i % 60), std::string("x")});
  InsertRows(def, rows);
  if (GetParam().name == "postgres") ASSERT_OK(conn_->Execute("ANALYZE " + conn_->QuoteIdentifier(table_)));
  if (GetParam().name == "mariadb")
    ASSERT_OK(conn_->Execute("ANALYZE TABLE " + conn_->QuoteIdentifier(table_)));
  auto l = OpenLake();
  for (int mappers : {1, 2}) {
    SCOPED_TRACE(mappers);
    std::FILE* out = std::tmpfile();
    ASSERT_NE(out, nullptr);
    RunOptions run = Quiet();
    run.progress = true;
    run.progress_out = out;
    TableOptions o = Table();
    o.mappers = mappers;
    o.where = "id <= 2000";  // COUNT(*) (1 mapper) or the probes' count (2)
    ASSERT_OK(ImportTable(l.get(), Source(), o, run));
    std::rewind(out);
    std::string text;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, out)) > 0;) text.append(buf, n);
    std::fclose(out);
    EXPECT_NE(text.find("2.0K rows / 2.0K (100%)"), std::string::npos) << text;
    EXPECT_NE(text.find("rows/s"), std::string::npos) << text;
  }
  // A whole table: the source's statistics where it keeps them (an estimate).
  std::FILE* out = std::tmpfile();
  RunOptions run = Quiet();
  run.progress = true;
  run.progress_out = out;
  ASSERT_OK(ImportTable(l.get(), Source(), Table(), run));
  std::rewind(out);
  std::string text(8192, '\0');
  text.resize(std::fread(text.data(), 1, text.size(), out));
  std::fclose(out);
  EXPECT_NE(text.find("3.0K rows / "), std::string::npos) << text;
}

TEST_P(ImportSuite, ColumnsWhereAndFreeFormQuery) {
  auto def = EventTable();
  ASSERT_OK(conn_->CreateTable(def, true));
  std::vector<std::vector<db::Value>> rows;
  for (int i = 1; i <= 50; ++i) rows.push_back({int64_t{i}, Ts(i % 60), std::string(i % 2 ? "odd" : "even")});
  InsertRows(def, rows);
  auto l = OpenLake();
  TableOptions o = Table();
  o.columns = {"id", "v"};
  o.where = "id <= 10";
  ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(s.rows, 10);
  EXPECT_EQ(LakeRows(l.get(), "id", "*")[0], "1|odd");
  TableOptions q;
  q.query = "SELECT id, v FROM " + conn_->QuoteIdentifier(table_) + " WHERE v = 'even' AND $CONDITIONS";
  q.dataset = "src/evens";
  q.split_by = "id";
  q.mappers = 3;
  ASSERT_OK_AND_ASSIGN(s, ImportTable(l.get(), Source(), q, Quiet()));
  EXPECT_EQ(s.rows, 25);
  EXPECT_EQ(s.splits, 3);
  EXPECT_EQ(LakeRows(l.get(), "id", "count(*) OVER ()", "src/evens")[0], "25");
  TableOptions bad = Table();
  bad.columns = {"id", "nope"};
  bad.dataset = "src/bad";
  auto failed = ImportTable(l.get(), Source(), bad, Quiet());
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("nope"), std::string::npos) << failed.status().ToString();
}

TEST_P(ImportSuite, IncrementalAppendWithTiesAtTheCursor) {
  auto def = EventTable();
  ASSERT_OK(conn_->CreateTable(def, true));
  InsertRows(def, {{int64_t{1}, Ts(1), std::string("a")}, {int64_t{2}, Ts(2), std::string("b")},
                   {int64_t{3}, Ts(2), std::string("c")}});
  auto l = OpenLake();
  TableOptions o = Table();
  o.incremental = IncrementalMode::kAppend;
  o.check_column = "ts";
  ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(s.rows, 3);
  EXPECT_EQ(s.cursor, "2024-05-01 10:00:02");
  // A late row tying the cursor, and a newer one.
  InsertRows(def, {{int64_t{4}, Ts(2), std::string("late tie")}, {int64_t{5}, Ts(3), std::string("e")}});
  ASSERT_OK_AND_ASSIGN(s, ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(s.rows, 2);
  EXPECT_EQ(s.ties_dropped, 2);
  EXPECT_EQ(s.cursor_previous, "2024-05-01 10:00:02");
  // Nothing new (the tie at the cursor is read again and dropped): no rows,
  // no file, no batch, cursor unchanged.
  ASSERT_OK_AND_ASSIGN(auto before, l->CommittedFiles(lake::DatasetId::Raw("src/" + table_)));
  ASSERT_OK_AND_ASSIGN(s, ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(s.rows, 0);
  EXPECT_EQ(s.files, 0);
  EXPECT_EQ(s.batches, 0);
  EXPECT_EQ(s.ties_dropped, 1);
  EXPECT_EQ(s.cursor, "2024-05-01 10:00:03");
  ASSERT_OK_AND_ASSIGN(auto after, l->CommittedFiles(lake::DatasetId::Raw("src/" + table_)));
  EXPECT_EQ(after.size(), before.size());
  EXPECT_EQ(LakeRows(l.get(), "id", "id, v"),
            (std::vector<std::string>{"1|a", "2|b", "3|c", "4|late tie", "5|e"}));
  ASSERT_OK_AND_ASSIGN(auto cursor, l->GetCursor("import:src/" + table_ + ":ts"));
  EXPECT_EQ(cursor.value_or(""), "2024-05-01 10:00:03");

  // The tie scan reads only the batches that ended at the cursor, not the
  // whole dataset: with the first batch's files gone from disk (the test's
  // way to show they are not read) the next run still works.
  ASSERT_OK_AND_ASSIGN(auto files, l->CommittedFiles(lake::DatasetId::Raw("src/" + table_)));
  ASSERT_FALSE(files.empty());
  const int64_t first_batch = files.front().batch_id;
  for (const auto& f : files) {
    if (f.batch_id == first_batch) std::filesystem::remove(f.absolute_path);
  }
  InsertRows(def, {{int64_t{6}, Ts(3), std::string("tie again")}, {int64_t{7}, Ts(4), std::string("g")}});
  ASSERT_OK_AND_ASSIGN(s, ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(s.rows, 2);
  EXPECT_EQ(s.ties_dropped, 1);  // id 5 at 10:00:03, already in the lake
}

TEST_P(ImportSuite, LastModifiedKeepsVersionsAndGivesCurrentState) {
  auto def = EventTable();
  ASSERT_OK(conn_->CreateTable(def, true));
  InsertRows(def, {{int64_t{1}, Ts(1), std::string("v1")}, {int64_t{2}, Ts(5), std::string("v1")}});
  auto l = OpenLake();
  TableOptions o = Table();
  o.incremental = IncrementalMode::kLastModified;
  o.check_column = "ts";
  ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(s.rows, 2);
  const std::string t = conn_->QuoteIdentifier(table_);
  ASSERT_OK(conn_->Execute("UPDATE " + t + " SET ts = '" + Ts(5) + "', v = 'v2' WHERE id = 1"));  // ties the cursor
  InsertRows(def, {{int64_t{3}, Ts(9), std::string("v1")}});
  ASSERT_OK_AND_ASSIGN(s, ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(s.rows, 2);  // id 1 (new version at the tie), id 3; id 2 not again
  ASSERT_OK(conn_->Execute("UPDATE " + t + " SET ts = '" + Ts(20) + "', v = 'v3' WHERE id = 1"));
  ASSERT_OK_AND_ASSIGN(s, ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(s.rows, 1);
  EXPECT_EQ(LakeRows(l.get(), "id, ts", "id, v"),
            (std::vector<std::string>{"1|v1", "1|v2", "1|v3", "2|v1", "3|v1"}));
  auto ds = *l->GetDataset(lake::DatasetId::Raw("src/" + table_));
  ASSERT_TRUE(ds.has_value());
  ASSERT_OK_AND_ASSIGN(auto schema, DatasetSchema::FromJson(ds->schema_json));
  EXPECT_EQ(schema.merge_key, std::vector<std::string>{"id"});  // recorded for readers
  EXPECT_EQ(schema.check_column, "ts");
  // What `custlake query` sees: every version in raw.src_<table>, the current
  // state per merge key in raw.src_<table>_current.
  auto session = query::LakeSession::Open(LakeDir());
  ASSERT_OK(session);
  auto current = (*session)->Run("SELECT id, v FROM raw." + engine::QuoteIdent("src_" + table_ + "_current") +
                                 " ORDER BY id");
  ASSERT_OK(current);
  ASSERT_EQ(current->rows.size(), 3u);
  EXPECT_EQ(current->rows[0], (std::vector<std::string>{"1", "v3"}));
  EXPECT_EQ(current->rows[1], (std::vector<std::string>{"2", "v1"}));
  EXPECT_EQ(current->rows[2], (std::vector<std::string>{"3", "v1"}));
  auto history = (*session)->Run("SELECT count(*) FROM raw." + engine::QuoteIdent("src_" + table_));
  ASSERT_OK(history);
  EXPECT_EQ(history->Scalar(), "5");
}

TEST_P(ImportSuite, ParallelSplitsGiveTheSameRows) {
  auto def = EventTable();
  ASSERT_OK(conn_->CreateTable(def, true));
  std::vector<std::vector<db::Value>> rows;
  for (int i = 1; i <= 3000; ++i) rows.push_back({int64_t{i <= 2900 ? i : i * 100000}, Ts(i % 60), std::string("x")});
  InsertRows(def, rows);
  auto one = OpenLake("one"), four = OpenLake("four");
  TableOptions o = Table();
  ASSERT_OK_AND_ASSIGN(auto s1, ImportTable(one.get(), Source(), o, Quiet()));
  o.mappers = 4;
  ASSERT_OK_AND_ASSIGN(auto s4, ImportTable(four.get(), Source(), o, Quiet()));
  EXPECT_EQ(s1.rows, 3000);
  EXPECT_EQ(s4.rows, 3000);
  EXPECT_EQ(s4.splits, 4);
  EXPECT_EQ(LakeRows(one.get(), "id"), LakeRows(four.get(), "id"));
}

// Splits on a skewed key (90% of the rows in a narrow range, the rest spread
// over nine orders of magnitude) are balanced: boundaries are quantiles, so
// with distinct split values every split is within one row of n/m (the
// documented tolerance), on the primary key (index probes) and on another
// column (NTILE), as the --json summary shows per split.
TEST_P(ImportSuite, SplitsAreBalancedOnSkewedKeys) {
  using T = db::SqlType;
  db::TableDef def{table_, {{"id", T::kBigInt, false, true}, {"other", T::kBigInt, false}, {"v", T::kText}}};
  ASSERT_OK(conn_->CreateTable(def, true));
  std::vector<std::vector<db::Value>> rows;
  for (int64_t i = 1; i <= 1000; ++i) {
    const int64_t key = i <= 900 ? i : 1000000 + (i - 900) * (i - 900) * 100000;  // up to ~1e9
    rows.push_back({key, int64_t{i <= 900 ? 5000 + i : i * i * i}, std::string("x")});
  }
  InsertRows(def, rows);
  auto l = OpenLake();
  for (const std::string column : {"id", "other"}) {
    SCOPED_TRACE(column);
    TableOptions o = Table();
    o.mappers = 4;
    o.split_by = column;
    o.dataset = "src/split_" + column;
    ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), o, Quiet()));
    EXPECT_EQ(s.rows, 1000);
    auto j = s.ToJson();
    ASSERT_EQ(j["split_rows"].size(), 4u) << j.dump();
    int64_t total = 0;
    for (const auto& split : j["split_rows"]) {
      const int64_t n = split["rows"].get<int64_t>();
      EXPECT_GE(n, 249) << j["split_rows"].dump();
      EXPECT_LE(n, 251) << j["split_rows"].dump();
      total += n;
    }
    EXPECT_EQ(total, 1000);
  }
}

TEST_P(ImportSuite, SchemaDriftEvolvesOrNamesTheColumn) {
  const std::string t = conn_->QuoteIdentifier(table_);
  auto def = EventTable();
  ASSERT_OK(conn_->CreateTable(def, true));
  InsertRows(def, {{int64_t{1}, Ts(1), std::string("a")}});
  auto l = OpenLake();
  TableOptions o = Table();
  o.incremental = IncrementalMode::kAppend;
  o.check_column = "id";
  ASSERT_OK(ImportTable(l.get(), Source(), o, Quiet()));
  ASSERT_OK(conn_->Execute("ALTER TABLE " + t + " ADD COLUMN extra BIGINT"));
  ASSERT_OK(conn_->Execute("INSERT INTO " + t + " (id, ts, v, extra) VALUES (2, '" + Ts(2) + "', 'b', 42)"));
  ASSERT_OK(ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(LakeRows(l.get(), "id", "id, extra"), (std::vector<std::string>{"1|NULL", "2|42"}));
  // Dropping a column is an error naming it (the columns are listed, as after a DROP COLUMN).
  o.columns = {"id", "ts", "extra"};
  auto dropped = ImportTable(l.get(), Source(), o, Quiet());
  ASSERT_FALSE(dropped.ok());
  EXPECT_NE(dropped.status().message().find("column v"), std::string::npos) << dropped.status().ToString();
  o.on_schema_change = SchemaChangePolicy::kAllowAll;
  ASSERT_OK(ImportTable(l.get(), Source(), o, Quiet()));

  // A full import replaces the dataset: under evolve (the default) a dropped
  // column just goes, with a warning naming it; `fail` refuses it.
  TableOptions full = Table();
  full.dataset = "src/full";
  ASSERT_OK(ImportTable(l.get(), Source(), full, Quiet()));
  full.columns = {"id", "extra"};
  ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), full, Quiet()));
  ASSERT_EQ(s.warnings.size(), 2u);
  EXPECT_NE(s.warnings[0].find("column ts"), std::string::npos) << s.warnings[0];
  EXPECT_NE(s.warnings[1].find("column v (VARCHAR) is gone from the source"), std::string::npos)
      << s.warnings[1];
  EXPECT_EQ(LakeRows(l.get(), "id", "*", "src/full"), (std::vector<std::string>{"1|NULL", "2|42"}));
  full.columns = {"id"};
  full.on_schema_change = SchemaChangePolicy::kFail;
  auto refused = ImportTable(l.get(), Source(), full, Quiet());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("column extra"), std::string::npos)
      << refused.status().ToString();
}

TEST_P(ImportSuite, KilledImportRerunEqualsCleanRun) {
  auto def = EventTable();
  ASSERT_OK(conn_->CreateTable(def, true));
  std::vector<std::vector<db::Value>> rows;
  for (int i = 1; i <= 5000; ++i) rows.push_back({int64_t{i}, Ts(i % 60), std::string("r") + std::to_string(i)});
  InsertRows(def, rows);
  TableOptions o = Table();
  o.incremental = IncrementalMode::kAppend;
  o.check_column = "id";
  for (const char* step : {"import.after_part", "import.before_commit", "commit.in_transaction"}) {
    const std::string name = std::string("killed-") + step;
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      lake::LakeOptions lo;
      lo.sync = false;
      std::string target = step;
      lo.fail_point = [target](std::string_view at) -> Status {
        if (at == target) ::raise(SIGKILL);
        return Status::OK();
      };
      auto child_lake = lake::Lake::Init(LakeDir(name), lo);
      if (!child_lake.ok()) ::_exit(3);
      RunOptions run = Quiet();
      run.fail_point = lo.fail_point;
      auto r = ImportTable(child_lake->get(), Source(), o, run);
      ::_exit(r.ok() ? 0 : 4);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << step << ": status " << status;
    auto rerun = OpenLake(name);
    ASSERT_OK_AND_ASSIGN(auto cursor, rerun->GetCursor("import:src/" + table_ + ":id"));
    EXPECT_FALSE(cursor.has_value()) << step;
    ASSERT_OK_AND_ASSIGN(auto s, ImportTable(rerun.get(), Source(), o, Quiet()));
    EXPECT_EQ(s.rows, 5000) << step;
    auto clean = OpenLake("clean");
    if (LakeRows(clean.get(), "id").empty()) ASSERT_OK(ImportTable(clean.get(), Source(), o, Quiet()));
    EXPECT_EQ(LakeRows(rerun.get(), "id"), LakeRows(clean.get(), "id")) << step;
    EXPECT_EQ(*rerun->GetCursor("import:src/" + table_ + ":id"), *clean->GetCursor("import:src/" + table_ + ":id"));
  }
}

TEST_P(ImportSuite, FailedImportLeavesLakeAndCursorAsTheyWere) {
  auto def = EventTable();
  ASSERT_OK(conn_->CreateTable(def, true));
  InsertRows(def, {{int64_t{1}, Ts(1), std::string("a")}, {int64_t{2}, Ts(2), std::string("b")}});
  auto l = OpenLake();
  TableOptions o = Table();
  o.incremental = IncrementalMode::kAppend;
  o.check_column = "id";
  ASSERT_OK(ImportTable(l.get(), Source(), o, Quiet()));
  InsertRows(def, {{int64_t{3}, Ts(3), std::string("c")}});
  RunOptions run = Quiet();
  run.fail_point = [](std::string_view step) {
    return step == "import.after_part" ? Status::Transient("Lost connection to server (injected)")
                                       : Status::OK();
  };
  o.retries = 1;
  auto failed = ImportTable(l.get(), Source(), o, run);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("gave up after 2 attempts"), std::string::npos) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("the lake and the cursor are as they were"), std::string::npos);
  EXPECT_EQ(l->GetCursor("import:src/" + table_ + ":id")->value_or(""), "2");
  EXPECT_EQ(LakeRows(l.get(), "id", "id").size(), 2u);
  // A source error that only mentions connections, timeouts or EOF (cell
  // text, column names) is not a lost connection: no retry.
  int calls = 0;
  run.fail_point = [&](std::string_view step) {
    if (step != "import.after_part") return Status::OK();
    ++calls;
    return Status::SourceError("column connection_timeout: value 'EOF, Lost connection, gone away' is bad");
  };
  failed = ImportTable(l.get(), Source(), o, run);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(failed.status().message().find("attempts"), std::string::npos) << failed.status().ToString();
  EXPECT_EQ(l->GetCursor("import:src/" + table_ + ":id")->value_or(""), "2");
}

}  // namespace custlake::importer::testing
