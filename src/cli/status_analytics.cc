#include "cli/status_analytics.h"

#include <fmt/format.h>

#include "churn/model_store.h"
#include "clv/platform.h"
#include "retention/model_store.h"

namespace custlake::cli {
namespace {

using Json = nlohmann::json;

double Number(const Json& j, const char* pointer) { return j.value(Json::json_pointer(pointer), 0.0); }

Json ChurnModelJson(const Json& meta) {
  return Json{{"version", meta.value("model_version", int64_t{0})},
              {"trained_at", meta.value("trained_at", std::string())},
              {"warehouse_version", meta.value("warehouse_version", Json())},
              {"roc_auc", Number(meta, "/metrics/xgboost/roc_auc")},
              {"logistic_roc_auc", Number(meta, "/metrics/logistic/roc_auc")},
              {"train_cutoffs", meta.value("train_cutoffs", Json::array())},
              {"validation_cutoff", meta.value("validation_cutoff", std::string())},
              {"horizon_days", meta.value("horizon_days", 0)},
              {"training_rows", meta.value(Json::json_pointer("/rows/train"), int64_t{0})}};
}

std::string ChurnModelText(const Json& m) {
  const Json& cutoffs = m["train_cutoffs"];
  std::string window = cutoffs.empty() ? std::string("?")
                                       : cutoffs.front().get<std::string>() + " .. " + cutoffs.back().get<std::string>();
  return fmt::format(
      "  churn model  v{}, trained {} on warehouse v{}: validation ROC AUC {:.3f} (logistic {:.3f})\n"
      "               training cutoffs {} ({} rows), validation {}, horizon {} days\n",
      m["version"].get<int64_t>(), m["trained_at"].get<std::string>(), m["warehouse_version"].dump(),
      m["roc_auc"].get<double>(), m["logistic_roc_auc"].get<double>(), window, m["training_rows"].get<int64_t>(),
      m["validation_cutoff"].get<std::string>(), m["horizon_days"].get<int>());
}

Json RetentionModelJson(const Json& meta) {
  return Json{{"version", meta.value("model_version", int64_t{0})},
              {"trained_at", meta.value("trained_at", std::string())},
              {"warehouse_version", meta.value("warehouse_version", Json())},
              {"qini_coefficient", Number(meta, "/validation/qini_coefficient")},
              {"auuc", Number(meta, "/validation/auuc")},
              {"train_months", meta.value("train_months", Json::array())},
              {"validation_months", meta.value("validation_months", Json::array())},
              {"training_rows", meta.value(Json::json_pointer("/rows/train"), int64_t{0})}};
}

std::string RetentionModelText(const Json& m) {
  const Json& months = m["train_months"];
  const std::string window = months.empty() ? std::string("?")
                                            : months.front().get<std::string>() + " .. " + months.back().get<std::string>();
  return fmt::format(
      "  retention    v{}, trained {} on warehouse v{}: validation Qini {:.4f} (propensity-weighted), AUUC {:.4f}\n"
      "               send months {} ({} rows), validation {}\n",
      m["version"].get<int64_t>(), m["trained_at"].get<std::string>(), m["warehouse_version"].dump(),
      m["qini_coefficient"].get<double>(), m["auuc"].get<double>(), window, m["training_rows"].get<int64_t>(),
      m["validation_months"].dump());
}

/// The parameters in the literature's order (r, alpha, a, b / r, alpha, s, beta / p, q, gamma).
std::string Params(const Json& params) {
  std::string out;
  for (const char* name : {"r", "alpha", "a", "b", "s", "beta", "p", "q", "gamma"}) {
    const Json value = params.value(name, Json());
    if (value.is_number()) out += fmt::format("{}{}={:.6g}", out.empty() ? "" : " ", name, value.get<double>());
  }
  return out;
}

std::string ClvFitText(const Json& fit) {
  std::string text = fmt::format("  clv fit      {} {} (log-likelihood {:.3f}, {} customers, unit {})\n",
                                 fit.value("model", std::string()), Params(fit.value("params", Json::object())),
                                 fit.value("log_likelihood", 0.0), fit.value("customers", int64_t{0}),
                                 fit.value("unit", std::string()));
  const Json spend = fit.value("spend", Json());
  if (spend.is_object()) {
    text += fmt::format("               gamma_gamma {} (log-likelihood {:.3f})\n",
                        Params(spend.value("params", Json::object())), spend.value("log_likelihood", 0.0));
  }
  return text + fmt::format("               {} customers scored at {} from warehouse v{}: raw.clv_scores\n",
                            fit.value("scored_customers", int64_t{0}), fit.value("scored_at", std::string()),
                            fit.value("warehouse_version", int64_t{0}));
}

}  // namespace

Result<AnalyticsStatus> ReadAnalyticsStatus(lake::Lake* lake) {
  AnalyticsStatus out;
  ASSIGN_OR_RETURN(std::optional<Json> meta, churn::LoadModelMeta(lake));
  ASSIGN_OR_RETURN(std::optional<Json> fit, clv::LoadPublishedFit(lake));
  if (meta) {
    out.churn_model = ChurnModelJson(*meta);
    out.text += ChurnModelText(out.churn_model);
  }
  if (fit) {
    out.clv_fit = *fit;
    out.text += ClvFitText(*fit);
  }
  ASSIGN_OR_RETURN(std::optional<Json> retention_meta, retention::LoadModelMeta(lake));
  if (retention_meta) {
    out.retention_model = RetentionModelJson(*retention_meta);
    out.text += RetentionModelText(out.retention_model);
  }
  if (!out.text.empty()) out.text = "\nanalytics (fact_customer_scores joins the scores)\n" + out.text;
  return out;
}

}  // namespace custlake::cli
