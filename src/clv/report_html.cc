// The evaluate report as one HTML page: no scripts, no links, inline SVG.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "clv/validation.h"

namespace custlake::clv {
namespace {

struct Series {
  std::string name, color;
  std::vector<std::pair<double, double>> points;
};

constexpr double kWidth = 640, kHeight = 300, kLeft = 60, kRight = 20, kTop = 20, kBottom = 40;

// A line chart of the series; `marker_x` (if >= 0) draws a dashed vertical line.
std::string LineChart(const std::vector<Series>& series, const std::string& x_label,
                      const std::string& y_label, double marker_x) {
  double x_max = 1, y_max = 1e-9;
  for (const Series& s : series) {
    for (const auto& [x, y] : s.points) {
      x_max = std::max(x_max, x);
      y_max = std::max(y_max, y);
    }
  }
  y_max *= 1.05;
  const double w = kWidth - kLeft - kRight, h = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + w * x / x_max; };
  auto py = [&](double y) { return kTop + h * (1 - y / y_max); };
  std::string svg =
      fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}">)", kWidth, kHeight);
  svg += fmt::format(
      R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#333"/><line x1="{0}" y1="{2}" x2="{3}" y2="{2}" stroke="#333"/>)",
      kLeft, kTop, kTop + h, kLeft + w);
  for (int i = 0; i <= 4; ++i) {
    const double yv = y_max * i / 4, xv = x_max * i / 4;
    // Whole numbers as integers (4560, not 4.56e+03, which runs into the axis title).
    svg += fmt::format(R"(<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>)", kLeft - 4, py(yv) + 4,
                       yv >= 100 ? fmt::format("{:.0f}", yv) : fmt::format("{:.3g}", yv));
    svg += fmt::format(R"(<text x="{}" y="{}" font-size="11" text-anchor="middle">{:.3g}</text>)", px(xv),
                       kTop + h + 15, xv);
  }
  svg += fmt::format(R"(<text x="{}" y="{}" font-size="12" text-anchor="middle">{}</text>)", kLeft + w / 2,
                     kHeight - 5, x_label);
  svg += fmt::format(
      "<text x=\"12\" y=\"{}\" font-size=\"12\" transform=\"rotate(-90 12 {})\" "
      "text-anchor=\"middle\">{}</text>",
      kTop + h / 2, kTop + h / 2, y_label);
  if (marker_x >= 0) {
    svg += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#999" stroke-dasharray="4"/>)",
                       px(marker_x), kTop, kTop + h);
  }
  for (size_t i = 0; i < series.size(); ++i) {
    std::string pts;
    for (const auto& [x, y] : series[i].points) pts += fmt::format("{:.1f},{:.1f} ", px(x), py(y));
    svg += fmt::format(R"(<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>)", series[i].color,
                       pts);
    svg += fmt::format(R"(<text x="{}" y="{}" font-size="12" fill="{}">{}</text>)", kLeft + 10,
                       kTop + 14 + 16 * i, series[i].color, series[i].name);
  }
  return svg + "</svg>";
}

std::string FitsTable(const std::vector<FitResult>& fits) {
  std::string html =
      "<table><tr><th>model</th><th>parameters (standard error)</th><th>log-likelihood</th>"
      "<th>customers</th><th>converged</th><th>seconds</th></tr>";
  for (const FitResult& f : fits) {
    std::string params;
    for (size_t i = 0; i < f.params.size(); ++i) {
      params += fmt::format("{} = {:.6g} ({:.3g})<br>", f.param_names[i], f.params[i], f.std_errors[i]);
    }
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{:.3f}</td><td>{:.0f}</td><td>{}</td><td>{:.4f}</td></tr>", f.model,
        params, f.log_likelihood, f.customers, f.converged ? "yes" : "no: " + f.note, f.seconds);
  }
  return html + "</table>";
}

std::string FrequencySection(const ValidationReport& r) {
  Series actual{"actual", "#1f77b4", {}}, predicted{"predicted", "#d62728", {}};
  std::string rows;
  for (const FrequencyRow& row : r.by_frequency) {
    actual.points.emplace_back(row.x, row.actual);
    predicted.points.emplace_back(row.x, row.predicted);
    const bool last = &row == &r.by_frequency.back();
    rows += fmt::format("<tr><td>{}{}</td><td>{:.0f}</td><td>{:.4f}</td><td>{:.4f}</td></tr>", row.x,
                        last ? "+" : "", row.customers, row.actual, row.predicted);
  }
  return fmt::format(
      "<h2>Holdout transactions by calibration frequency</h2>{}"
      "<table><tr><th>x</th><th>customers</th><th>actual (mean)</th><th>predicted (mean)</th></tr>{}</table>",
      LineChart({actual, predicted}, "repeat transactions in calibration (x)",
                "holdout transactions per customer", -1),
      rows);
}

std::string TrackingSection(const ValidationReport& r) {
  Series actual{"actual", "#1f77b4", {}}, predicted{"predicted", "#d62728", {}};
  for (const TrackingPoint& pt : r.tracking) {
    actual.points.emplace_back(pt.unit, pt.actual);
    predicted.points.emplace_back(pt.unit, pt.predicted);
  }
  return fmt::format(
      "<h2>Cumulative repeat transactions</h2><p>The dashed line is the calibration end.</p>{}",
      LineChart({actual, predicted}, r.unit + "s since the first purchase", "cumulative repeat transactions",
                r.calibration_units));
}

}  // namespace

std::string ValidationHtml(const ValidationReport& r, const std::vector<FitResult>& fits) {
  std::string html =
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>custlake clv evaluate</title><style>"
      "body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:1em 0}"
      "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}</style></head><body>";
  html += fmt::format(
      "<h1>{} calibration/holdout validation</h1><p>Time unit: {}; holdout period: {:.4g} {}s.</p>",
      r.model_title, r.unit, r.holdout_length, r.unit);
  html += "<h2>Fits</h2>" + FitsTable(fits);
  html += fmt::format(
      "<h2>Error metrics</h2><table><tr><th>holdout transactions, actual</th><td>{:.0f}</td></tr>"
      "<tr><th>holdout transactions, predicted</th><td>{:.1f}</td></tr>"
      "<tr><th>per-customer MAE</th><td>{:.4f}</td></tr><tr><th>per-customer RMSE</th><td>{:.4f}</td></tr>"
      "<tr><th>tracking MAPE over the holdout (%)</th><td>{:.2f}</td></tr></table>",
      r.actual_total, r.predicted_total, r.customer_mae, r.customer_rmse, r.tracking_mape);
  html += FrequencySection(r) + TrackingSection(r);
  return html + "</body></html>\n";
}

}  // namespace custlake::clv
