#include "query/reader_views.h"

#include <spdlog/spdlog.h>

#include <set>

#include "warehouse/model_loader.h"

namespace custlake::query {
namespace {
using engine::QuoteIdent;

/// One column of an adapted input: the first of `sources` the raw dataset
/// has, cast to `type`; NULL when it has none of them.
struct InputColumn {
  std::string name;
  std::string type;
  std::vector<std::string> sources;
};

/// What the reader views read of a raw dataset (raw.<view>).
struct Input {
  std::string view;
  std::vector<InputColumn> columns;
};

/// The scores as the analytics publish them (churn/scores.cc, clv/platform.cc).
/// clv_scores names its figures by the horizon, one year in the fit's unit.
const std::vector<Input>& Inputs() {
  static const std::vector<Input> inputs{
      {"churn_scores",
       {{"customer_id", "BIGINT", {"customer_id"}},
        {"cutoff", "DATE", {"cutoff"}},
        {"churn_probability", "DOUBLE", {"churn_probability"}},
        {"risk_decile", "BIGINT", {"risk_decile"}},
        {"reason_1", "VARCHAR", {"reason_1"}},
        {"churn_reasons", "VARCHAR", {"churn_reasons"}},
        {"model_version", "BIGINT", {"model_version"}},
        {"warehouse_version", "BIGINT", {"warehouse_version"}}}},
      {"clv_scores",
       {{"customer_id", "BIGINT", {"customer_id", "customer"}},
        {"p_alive", "DOUBLE", {"p_alive"}},
        {"expected_purchases_12m", "DOUBLE",
         {"expected_purchases_12m", "expected_purchases_52w", "expected_purchases_365d"}},
        {"p_no_purchase_12m", "DOUBLE", {"p_no_purchase_12m", "p_no_purchase_52w", "p_no_purchase_365d"}},
        {"expected_spend", "DOUBLE", {"expected_spend"}},
        {"clv_12m", "DOUBLE", {"clv_12m", "clv_52w", "clv_365d"}},
        {"model", "VARCHAR", {"model"}},
        {"scored_at", "TIMESTAMP", {"scored_at"}},
        {"warehouse_version", "BIGINT", {"warehouse_version"}}}},
  };
  return inputs;
}

Result<std::set<std::string>> RawColumns(engine::Session* session, const std::string& view) {
  ASSIGN_OR_RETURN(auto r, session->Query("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                          "'raw' AND table_name = " + engine::QuoteLiteral(view)));
  std::set<std::string> columns;
  for (const auto& row : r.rows) columns.insert(row[0]);
  return columns;
}

/// The SELECT of _inputs.<view>: its columns from raw.<view>, or no rows of
/// NULLs when the lake has no such dataset yet.
Result<std::string> InputSelect(engine::Session* session, const Input& input) {
  ASSIGN_OR_RETURN(std::set<std::string> present, RawColumns(session, input.view));
  std::string select;
  for (const InputColumn& c : input.columns) {
    std::string value = "NULL";
    for (const std::string& source : c.sources) {
      if (present.count(source)) {
        value = QuoteIdent(source);
        break;
      }
    }
    select += (select.empty() ? "SELECT " : ", ") + ("TRY_CAST(" + value + " AS " + c.type + ") AS ") + QuoteIdent(c.name);
  }
  if (present.empty()) return select + " WHERE false";
  return select + " FROM raw." + QuoteIdent(input.view);
}

Status CreateInputs(engine::Session* session) {
  RETURN_NOT_OK(session->Execute("CREATE SCHEMA IF NOT EXISTS _inputs"));
  for (const Input& input : Inputs()) {
    ASSIGN_OR_RETURN(std::string select, InputSelect(session, input));
    RETURN_NOT_OK(session->Execute("CREATE VIEW _inputs." + QuoteIdent(input.view) + " AS " + select)
                      .WithContext("the reader views' input raw." + input.view));
  }
  return Status::OK();
}

Status CreateView(engine::Session* session, const warehouse::Model& m) {
  std::set<std::string> adapted;
  for (const Input& input : Inputs()) adapted.insert(input.view);
  for (const std::string& source : m.sources) {
    if (!adapted.count(source)) {
      return Status::InvalidArgument(m.file + ": reads raw." + source + ", which reader views cannot read (only " +
                                     "the analytics' scores)");
    }
  }
  return session->Execute("CREATE VIEW main." + QuoteIdent(m.name) + " AS " +
                          warehouse::RewriteRawSchema(m.sql, "_inputs"));
}

}  // namespace

Result<std::vector<warehouse::Model>> ReaderViewModels() {
  std::vector<warehouse::Model> models;
  for (const EmbeddedSqlFile& f : EmbeddedReaderViews()) {
    ASSIGN_OR_RETURN(warehouse::Model m, warehouse::ParseModel(f.path, f.text));
    models.push_back(std::move(m));
  }
  RETURN_NOT_OK(warehouse::ResolveRefs(&models));  // their sources: the raw views they read
  return models;
}

std::vector<std::string> CreateReaderViews(engine::Session* session, int64_t warehouse_version) {
  std::vector<std::string> made;
  auto models = ReaderViewModels();
  Status status = models.status();
  if (status.ok()) status = session->Execute("CREATE MACRO current_warehouse_version() AS CAST(" +
                                             std::to_string(warehouse_version) + " AS BIGINT)");
  if (status.ok()) status = CreateInputs(session);
  if (!status.ok()) {
    spdlog::warn("reader views left out: {}", status.message());
    return made;
  }
  for (const warehouse::Model& m : *models) {
    Status created = CreateView(session, m);
    if (created.ok()) {
      made.push_back(m.name);
    } else {
      spdlog::warn("reader view {} left out: {}", m.name, created.message());
    }
  }
  return made;
}

}  // namespace custlake::query
