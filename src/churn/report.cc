#include "churn/report.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace custlake::churn {

namespace {

constexpr int kSize = 320;   // chart width and height in px
constexpr int kMargin = 40;  // room for the axes' labels
constexpr const char* kColors[] = {"#1f6feb", "#d4762c"};  // xgboost, logistic

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

double X(double v) { return kMargin + v * (kSize - kMargin - 10); }
double Y(double v, double top = 1) { return kSize - kMargin - v / top * (kSize - kMargin - 10); }

/// An empty chart: frame, axis titles and ticks at 0, 0.5 and 1 of `top` (x: deciles 1..10 when `deciles`).
std::string Frame(const std::string& title, const std::string& x_title, const std::string& y_title, double top,
                  bool deciles = false) {
  std::string s = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{0}" role="img">)"
                              R"(<title>{1}</title><rect x="{2}" y="10" width="{3}" height="{3}" fill="none" stroke="#999"/>)",
                              kSize, Escape(title), kMargin, kSize - kMargin - 10);
  for (int d = 1; deciles && d <= 10; ++d) {
    s += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="10" text-anchor="middle">{}</text>)", X((d - 0.5) / 10),
                     kSize - kMargin + 14, d);
  }
  for (double t : {0.0, 0.5, 1.0}) {
    if (!deciles) {
      s += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="10" text-anchor="middle">{:g}</text>)", X(t), kSize - kMargin + 14, t);
    }
    s += fmt::format(R"(<text x="{}" y="{:.1f}" font-size="10" text-anchor="end">{:.2g}</text>)", kMargin - 4, Y(t * top, top) + 3, t * top);
  }
  s += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="11" text-anchor="middle">{}</text>)", X(0.5), kSize - 8, Escape(x_title));
  s += fmt::format(R"svg(<text x="12" y="{:.1f}" font-size="11" text-anchor="middle" transform="rotate(-90 12 {:.1f})">{}</text>)svg",
                   Y(0.5 * top, top), Y(0.5 * top, top), Escape(y_title));
  return s;
}

std::string Polyline(const std::vector<std::pair<double, double>>& points, const char* color, double top = 1) {
  std::string s = R"(<polyline fill="none" stroke-width="2" stroke=")" + std::string(color) + R"(" points=")";
  for (auto [x, y] : points) s += fmt::format("{:.1f},{:.1f} ", X(x), Y(y, top));
  return s + "\"/>";
}

std::string Diagonal() { return fmt::format(R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#bbb" stroke-dasharray="4"/>)", X(0), Y(0), X(1), Y(1)); }

std::string RocChart(const nlohmann::json& report) {
  std::string s = Frame("ROC curve", "false positive rate", "true positive rate", 1) + Diagonal();
  int i = 0;
  for (const char* model : {"xgboost", "logistic"}) {
    std::vector<std::pair<double, double>> points;
    for (const auto& p : report["roc_curves"][model]) points.emplace_back(p[0].get<double>(), p[1].get<double>());
    s += Polyline(points, kColors[i++]);
  }
  return s + "</svg>";
}

std::string LiftChart(const nlohmann::json& report) {
  double top = 1;
  for (const auto& d : report["metrics"]["xgboost"]["deciles"]) top = std::max(top, d["lift"].get<double>());
  top = std::ceil(top);
  std::string s = Frame("Lift by decile", "decile (1 = highest risk)", "lift", top, true);
  for (const auto& d : report["metrics"]["xgboost"]["deciles"]) {
    const double x0 = (d["decile"].get<int>() - 1) / 10.0, lift = d["lift"].get<double>();
    s += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}" opacity="0.7"/>)", X(x0) + 1,
                     Y(lift, top), X(0.1) - X(0) - 2, Y(0, top) - Y(lift, top), kColors[0]);
  }
  std::vector<std::pair<double, double>> logistic;
  for (const auto& d : report["metrics"]["logistic"]["deciles"]) {
    logistic.emplace_back((d["decile"].get<int>() - 0.5) / 10.0, d["lift"].get<double>());
  }
  return s + Polyline(logistic, kColors[1], top) + "</svg>";
}

std::string CalibrationChart(const nlohmann::json& report) {
  std::string s = Frame("Calibration", "mean predicted probability", "observed churn rate", 1) + Diagonal();
  int i = 0;
  for (const char* model : {"xgboost", "logistic"}) {
    for (const auto& b : report["metrics"][model]["calibration"]) {
      s += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="{:.1f}" fill="{}" opacity="0.8"/>)",
                       X(b["mean_predicted"].get<double>()), Y(b["observed_rate"].get<double>()),
                       2 + std::min(6.0, std::log10(1.0 + b["count"].get<double>())), kColors[i]);
    }
    ++i;
  }
  return s + "</svg>";
}

std::string MetricsTable(const nlohmann::json& report) {
  std::string s = "<table><tr><th>model</th><th>ROC AUC</th><th>PR AUC</th><th>log loss</th><th>Brier</th>"
                  "<th>precision</th><th>recall</th></tr>";
  for (const char* model : {"xgboost", "logistic"}) {
    const auto& m = report["metrics"][model];
    s += fmt::format("<tr><td>{}</td><td>{:.4f}</td><td>{:.4f}</td><td>{:.4f}</td><td>{:.4f}</td><td>{:.3f}</td><td>{:.3f}</td></tr>",
                     model, m["roc_auc"].get<double>(), m["pr_auc"].get<double>(), m["log_loss"].get<double>(),
                     m["brier"].get<double>(), m["confusion"]["precision"].get<double>(),
                     m["confusion"]["recall"].get<double>());
  }
  if (report.contains("oracle")) {
    s += fmt::format("<tr><td>oracle (true hazard, {})</td><td>{:.4f}</td><td colspan=5>on {} of {} customers; "
                     "xgboost on the same: {:.4f}</td></tr>",
                     Escape(Text(report["oracle"]["month"])), report["oracle"]["oracle_roc_auc"].get<double>(),
                     Text(report["oracle"]["matched"]), Text(report["oracle"]["customers"]),
                     report["oracle"]["model_roc_auc"].get<double>());
  }
  return s + "</table>";
}

std::string DecileTable(const nlohmann::json& report) {
  std::string s = "<table><tr><th>decile</th><th>customers</th><th>churned</th><th>churn rate</th><th>lift</th>"
                  "<th>cumulative gain</th></tr>";
  for (const auto& d : report["metrics"]["xgboost"]["deciles"]) {
    s += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.3f}</td><td>{:.2f}</td><td>{:.3f}</td></tr>",
                     Text(d["decile"]), Text(d["count"]), Text(d["positives"]), d["churn_rate"].get<double>(),
                     d["lift"].get<double>(), d["cumulative_gain"].get<double>());
  }
  return s + "</table>";
}

std::string ConfusionTable(const nlohmann::json& report) {
  const auto& c = report["metrics"]["xgboost"]["confusion"];
  return fmt::format("<table><tr><th>threshold {}</th><th>predicted churn</th><th>predicted stay</th></tr>"
                     "<tr><th>churned</th><td>{}</td><td>{}</td></tr><tr><th>stayed</th><td>{}</td><td>{}</td></tr></table>",
                     fmt::format("{:.3f}", c["threshold"].get<double>()), Text(c["true_positives"]), Text(c["false_negatives"]),
                     Text(c["false_positives"]), Text(c["true_negatives"]));
}

std::string ImportanceTable(const nlohmann::json& report) {
  std::string s = "<table><tr><th>feature</th><th>mean |SHAP|</th><th>what it is</th></tr>";
  for (const auto& f : report["importance"]) {
    s += fmt::format("<tr><td>{}</td><td>{:.4f}</td><td>{}</td></tr>", Escape(Text(f["feature"])),
                     f["mean_abs_shap"].get<double>(), Escape(Text(f["description"])));
  }
  return s + "</table>";
}

}  // namespace

std::string RenderHtml(const nlohmann::json& report) {
  std::ostringstream h;
  h << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>custlake churn report</title><style>"
       "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
       "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}"
       ".charts{display:flex;gap:1.5em;flex-wrap:wrap}.key span{display:inline-block;width:1em;height:.6em;margin:0 .3em}"
       "</style></head><body>";
  h << "<h1>Churn model evaluation</h1>";
  h << fmt::format("<p>Cutoff {}, horizon {} days: {} active customers, {} churned within the horizon. Model version {} "
                   "(trained on cutoffs {}, validated on {}; warehouse version {}), evaluated on warehouse version {}.</p>",
                   Escape(Text(report["cutoff"])), Text(report["horizon_days"]),
                   Text(report["metrics"]["xgboost"]["rows"]), Text(report["metrics"]["xgboost"]["positives"]),
                   Text(report["model_version"]),
                   Escape(fmt::format("{}", fmt::join(report["train_cutoffs"].get<std::vector<std::string>>(), ", "))),
                   Escape(Text(report["validation_cutoff"])), Text(report["model_warehouse_version"]),
                   Text(report["warehouse_version"]));
  h << "<h2>Metrics</h2>" << MetricsTable(report);
  h << fmt::format("<p class=\"key\"><span style=\"background:{}\"></span>XGBoost <span style=\"background:{}\"></span>"
                   "logistic regression</p>",
                   kColors[0], kColors[1]);
  h << "<div class=\"charts\">" << RocChart(report) << LiftChart(report) << CalibrationChart(report) << "</div>";
  h << "<h2>Lift and gain by decile (XGBoost)</h2>" << DecileTable(report);
  h << "<h2>Confusion matrix (XGBoost)</h2>" << ConfusionTable(report);
  h << "<h2>Global feature importance</h2>" << ImportanceTable(report);
  h << "</body></html>\n";
  return h.str();
}

Result<std::pair<std::string, std::string>> WriteReport(const nlohmann::json& report, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  const std::string json_path = (std::filesystem::path(dir) / "churn-report.json").string();
  const std::string html_path = (std::filesystem::path(dir) / "churn-report.html").string();
  for (const auto& [path, text] : {std::pair{json_path, report.dump(2)}, std::pair{html_path, RenderHtml(report)}}) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    out.close();
    if (!out) return Status::IOError("cannot write " + path);
  }
  return std::make_pair(json_path, html_path);
}

}  // namespace custlake::churn
