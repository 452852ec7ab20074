#include "generate/contract_tables.h"

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
           Col("responded_at", SqlType::kTimestamp, true), Col("redeemed", SqlType::kBoolean)}};
}

std::vector<db::TableDef> ContractTables() {
  return {CustomersTable(), TransactionsTable(), OffersTable(), OfferAssignmentsTable()};
}

}  // namespace custlake::generate
