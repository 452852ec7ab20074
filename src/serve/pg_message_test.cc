#include "serve/pg_message.h"

#include <gtest/gtest.h>

#include "serve/pg_types.h"

namespace custlake::serve {
namespace {

TEST(PgMessage, WriterFillsInTheLengthAfterTheType) {
  const std::string m = MessageWriter('Z').Bytes("I").Finish();
  EXPECT_EQ(m, std::string("Z\0\0\0\5I", 6));
}

TEST(PgMessage, ReaderRoundTripsWhatTheWriterWrote) {
  const std::string m = MessageWriter('B').Int16(-2).Int32(70000).CString("portal").Bytes("xy").Finish();
  MessageReader reader(std::string_view(m).substr(5));
  int16_t a = 0;
  int32_t b = 0;
  std::string s, raw;
  ASSERT_TRUE(reader.ReadInt16(&a) && reader.ReadInt32(&b) && reader.ReadCString(&s) &&
              reader.ReadBytes(2, &raw));
  EXPECT_EQ(a, -2);
  EXPECT_EQ(b, 70000);
  EXPECT_EQ(s, "portal");
  EXPECT_EQ(raw, "xy");
  EXPECT_TRUE(reader.AtEnd());
}

TEST(PgMessage, ReaderRefusesToReadPastAShortBody) {
  MessageReader reader(std::string_view("abc"));
  int32_t v = 0;
  std::string s;
  EXPECT_FALSE(reader.ReadInt32(&v));
  EXPECT_FALSE(reader.ReadCString(&s));  // no NUL
  EXPECT_FALSE(reader.ReadBytes(4, &s));
  EXPECT_TRUE(reader.ReadBytes(3, &s));
}

TEST(PgTypes, DuckDbTypesMapToPostgresOids) {
  EXPECT_EQ(PgTypeFor("BOOLEAN").oid, 16);
  EXPECT_EQ(PgTypeFor("INTEGER").oid, 23);
  EXPECT_EQ(PgTypeFor("BIGINT").oid, 20);
  EXPECT_EQ(PgTypeFor("DOUBLE").oid, 701);
  EXPECT_EQ(PgTypeFor("DATE").oid, 1082);
  EXPECT_EQ(PgTypeFor("TIMESTAMP WITH TIME ZONE").oid, 1184);
  EXPECT_EQ(PgTypeFor("VARCHAR").oid, 25);
  EXPECT_EQ(PgTypeFor("STRUCT").oid, 25);
  const PgType money = PgTypeFor("DECIMAL(18,2)");
  EXPECT_EQ(money.oid, 1700);
  EXPECT_EQ(money.typmod, (18 << 16 | 2) + 4);
}

TEST(PgTypes, BinaryValuesAreBigEndian) {
  EXPECT_EQ(BinaryValue("258", oid::kInt4), std::string("\0\0\1\2", 4));
  EXPECT_EQ(BinaryValue("-1", oid::kInt8), std::string(8, '\xff'));
  EXPECT_EQ(BinaryValue("true", oid::kBool), std::string("\1", 1));
  EXPECT_EQ(BinaryValue("2000-01-02", oid::kDate), std::string("\0\0\0\1", 4));
  EXPECT_EQ(BinaryValue("1999-12-31", oid::kDate), std::string(4, '\xff'));
  EXPECT_EQ(BinaryValue("2000-01-01 00:00:01.5", oid::kTimestamp), std::string("\0\0\0\0\0\x16\xe3\x60", 8));
  EXPECT_EQ(BinaryValue("2024-02-30", oid::kDate), std::nullopt);
  EXPECT_EQ(BinaryValue("12.50", oid::kNumeric), std::nullopt);
  EXPECT_EQ(BinaryParamAsText(std::string("\0\0\1\2", 4), oid::kInt4), "258");
  EXPECT_EQ(BinaryParamAsText(std::string("\0\1", 2), oid::kInt4), std::nullopt);  // wrong width
  // NUMERIC: ndigits, weight, sign, dscale, then base-10000 digits (what JDBC sends for a BigDecimal).
  auto numeric = [](std::vector<int16_t> fields) {
    std::string bytes;
    for (int16_t f : fields) bytes += {static_cast<char>(static_cast<uint16_t>(f) >> 8), static_cast<char>(f & 0xff)};
    return BinaryParamAsText(bytes, oid::kNumeric);
  };
  EXPECT_EQ(numeric({2, 1, 0, 2, 12, 3456}), "123456.00");
  EXPECT_EQ(numeric({2, 0, 0x4000, 3, 12, 3400}), "-12.340");
  EXPECT_EQ(numeric({1, -1, 0, 4, 5}), "0.0005");
  EXPECT_EQ(numeric({0, 0, 0, 0}), "0");
  EXPECT_EQ(numeric({1, 2, 0, 0, 7}), "700000000");
  EXPECT_EQ(numeric({2, 0, 0, 0, 1}), std::nullopt);       // shorter than its ndigits
  EXPECT_EQ(numeric({1, 0, 0x1234, 0, 1}), std::nullopt);  // no such sign
  EXPECT_EQ(numeric({1, 0, 0, 0, 10000}), std::nullopt);   // not a base-10000 digit
}

}  // namespace
}  // namespace custlake::serve
