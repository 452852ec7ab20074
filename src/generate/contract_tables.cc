#include "generate/contract_tables.h"

#include <cctype>
#include <cmath>

#include "generate/calendar.h"
#include "generate/catalog.h"

namespace custlake::generate {

namespace {
using db::ColumnDef;
using db::SqlType;

ColumnDef Key(const char* name) { return ColumnDef{name, SqlType::kBigInt, false, true}; }
ColumnDef Col(const char* name, SqlType type, bool nullable = false) {
  return ColumnDef{name, type, nullable, false};
}
ColumnDef Money(const char* name, int precision) {
  return ColumnDef{name, SqlType::kDecimal, false, false, precision, 2};
}
}  // namespace

db::TableDef CustomersTable() {
  return {"customers",
          {Key("customer_id"), Col("first_name", SqlType::kText), Col("last_name", SqlType::kText),
           Col("email", SqlType::kText), Col("gender", SqlType::kText),
           Col("birth_date", SqlType::kDate), Col("city", SqlType::kText),
           Col("region", SqlType::kText), Col("country", SqlType::kText),
           Col("segment", SqlType::kText), Col("plan", SqlType::kText),
           Col("contract", SqlType::kText), Money("monthly_fee", 10),
           Col("signup_date", SqlType::kDate), Col("status", SqlType::kText),
           Col("churn_date", SqlType::kDate, true), Col("created_at", SqlType::kTimestamp),
           Col("updated_at", SqlType::kTimestamp)}};
}

db::TableDef TransactionsTable() {
  return {"transactions",
          {Key("transaction_id"), Col("customer_id", SqlType::kBigInt),
           Col("ts", SqlType::kTimestamp), Money("amount", 12), Col("currency", SqlType::kText),
           Col("kind", SqlType::kText), Col("payment_method", SqlType::kText),
           Col("offer_id", SqlType::kBigInt, true), Col("updated_at", SqlType::kTimestamp)}};
}

db::TableDef OffersTable() {
  return {"offers",
          {Key("offer_id"), Col("name", SqlType::kText), Col("campaign", SqlType::kText),
           Col("channel", SqlType::kText), Col("offer_type", SqlType::kText),
           Money("discount_pct", 5), Col("start_date", SqlType::kDate),
           Col("end_date", SqlType::kDate), Col("target_segment", SqlType::kText)}};
}

db::TableDef OfferAssignmentsTable() {
  return {"offer_assignments",
          {Key("assignment_id"), Col("offer_id", SqlType::kBigInt),
           Col("customer_id", SqlType::kBigInt), Col("sent_at", SqlType::kTimestamp),
           Col("responded_at", SqlType::kTimestamp, true), Col("redeemed", SqlType::kBoolean),
           Col("updated_at", SqlType::kTimestamp)}};
}

std::vector<db::TableDef> ContractTables() {
  return {CustomersTable(), TransactionsTable(), OffersTable(), OfferAssignmentsTable()};
}

}  // namespace custlake::generate

namespace custlake::generate {

std::string CentsText(int64_t cents) {
  const bool negative = cents < 0;
  const uint64_t a = negative ? static_cast<uint64_t>(-cents) : static_cast<uint64_t>(cents);
  std::string s = negative ? "-" : "";
  s += std::to_string(a / 100);
  s += '.';
  s += static_cast<char>('0' + a % 100 / 10);
  s += static_cast<char>('0' + a % 10);
  return s;
}

std::string EmailLocalPart(std::string_view first, std::string_view last) {
  auto fold = [](std::string_view name, std::string* out) {
    for (size_t i = 0; i < name.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(name[i]);
      if (c < 0x80) {
        if (std::isalnum(c)) out->push_back(static_cast<char>(std::tolower(c)));
        continue;
      }
      // Two-byte UTF-8 (Latin-1 supplement and a few Latin Extended-A letters).
      if ((c & 0xE0) == 0xC0 && i + 1 < name.size()) {
        const unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(name[i + 1]) & 0x3Fu);
        ++i;
        switch (cp) {
          case 0xE4: case 0xC4: *out += "ae"; break;
          case 0xF6: case 0xD6: *out += "oe"; break;
          case 0xFC: case 0xDC: *out += "ue"; break;
          case 0xDF: *out += "ss"; break;
          case 0xE9: case 0xE8: case 0xEA: case 0xEB: case 0xC9: *out += "e"; break;
          case 0xE1: case 0xE0: case 0xE2: *out += "a"; break;
          case 0xED: case 0xEC: case 0xEF: case 0xCE: case 0x131: *out += "i"; break;
          case 0xF3: case 0xF2: case 0xF4: *out += "o"; break;
          case 0xFA: case 0xF9: *out += "u"; break;
          case 0xF1: *out += "n"; break;
          case 0xE7: *out += "c"; break;
          default: break;
        }
      }
    }
  };
  std::string out;
  fold(first, &out);
  out.push_back('.');
  fold(last, &out);
  return out;
}

void CustomerRow(const CustomerState& s, int64_t id, std::vector<db::Value>* row) {
  const bool female_list = (s.first_name & 0x8000) == 0;
  const std::string_view first = FirstNames(female_list)[s.first_name & 0x7FFF];
  const std::string_view last = LastNames()[s.last_name];
  const City& city = Cities()[s.city];
  static constexpr const char* kGender[] = {"F", "M", "X"};
  row->assign(18, db::Value{});
  auto& r = *row;
  r[0] = id;
  r[1] = std::string(first);
  r[2] = std::string(last);
  r[3] = EmailLocalPart(first, last) + std::to_string(id) + "@" + std::string(EmailDomains()[s.email_domain]);
  r[4] = std::string(kGender[s.gender]);
  r[5] = DateString(s.birth_day);
  r[6] = std::string(city.city);
  r[7] = std::string(city.region);
  r[8] = std::string(city.country);
  r[9] = std::string(SegmentName(s.segment));
  r[10] = std::string(PlansOf(s.segment)[s.plan].name);
  r[11] = std::string(ContractName(s.contract));
  r[12] = CentsText(std::llround(double{s.fee} * 100.0));
  r[13] = DateString(static_cast<int32_t>(s.signup_at / 86400));
  const bool churned = s.churn_day != kNeverDay;
  r[14] = std::string(churned ? "churned" : "active");
  if (churned) r[15] = DateString(s.churn_day);
  r[16] = SqlTimestampString(s.signup_at);
  r[17] = SqlTimestampString(s.updated_at);
}

void TransactionRow(const Transaction& t, std::vector<db::Value>* row) {
  row->assign(9, db::Value{});
  auto& r = *row;
  r[0] = t.transaction_id;
  r[1] = t.customer_id;
  r[2] = SqlTimestampString(t.ts);
  r[3] = CentsText(t.amount_cents);
  r[4] = std::string("EUR");
  r[5] = std::string(TxnKindName(t.kind));
  r[6] = std::string(PaymentMethodName(t.payment));
  if (t.offer_id != 0) r[7] = t.offer_id;
  r[8] = SqlTimestampString(t.updated_at);
}

void OfferRow(const Offer& o, std::vector<db::Value>* row) {
  row->assign(9, db::Value{});
  auto& r = *row;
  r[0] = o.offer_id;
  r[1] = o.name;
  r[2] = o.campaign;
  r[3] = std::string(OfferChannels()[o.channel]);
  r[4] = o.offer_type;
  r[5] = CentsText(int64_t{o.discount_pct} * 100);
  r[6] = DateString(o.start_day);
  r[7] = DateString(o.end_day);
  r[8] = o.target_segment;
}

void OfferAssignmentRow(const OfferAssignment& a, std::vector<db::Value>* row) {
  row->assign(7, db::Value{});
  auto& r = *row;
  r[0] = a.assignment_id;
  r[1] = a.offer_id;
  r[2] = a.customer_id;
  r[3] = SqlTimestampString(a.sent_at);
  if (a.responded_at != kNoTime) r[4] = SqlTimestampString(a.responded_at);
  r[5] = int64_t{a.redeemed ? 1 : 0};
  // The row is written when the offer is sent and updated when the customer answers.
  r[6] = SqlTimestampString(a.responded_at != kNoTime ? a.responded_at : a.sent_at);
}

}  // namespace custlake::generate
