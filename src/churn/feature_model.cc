#include "churn/feature_model.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <sstream>

namespace custlake::churn {

namespace {

constexpr const char* kCutoffsParam = "{{ cutoffs }}";
constexpr const char* kHorizonParam = "{{ horizon_days }}";
constexpr const char* kCustomersParam = "{{ customers }}";

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

void ReplaceAll(std::string* text, const std::string& from, const std::string& to) {
  for (size_t at = text->find(from); at != std::string::npos; at = text->find(from, at + to.size())) {
    text->replace(at, from.size(), to);
  }
}

/// One header line "-- key: value" into the model; `last` is the description or feature it extends.
Status ParseHeaderLine(const std::string& body, const std::string& where, FeatureModel* model,
                       std::string** last) {
  size_t colon = body.find(':');
  if (colon == std::string::npos) return Status::InvalidArgument(where + ": expected `-- key: value`, got `-- " + body + "`");
  std::string key = Trim(body.substr(0, colon));
  std::string value = Trim(body.substr(colon + 1));
  if (key == "description") {
    model->description = value;
    *last = &model->description;
  } else if (key.rfind("feature ", 0) == 0) {
    std::string name = Trim(key.substr(8));
    for (const FeatureInfo& f : model->features) {
      if (f.name == name) return Status::InvalidArgument(where + ": feature " + name + " declared twice");
    }
    model->features.push_back({name, value});
    *last = &model->features.back().description;
  } else {
    *last = nullptr;  // model, parameters, grain, column: documentation only
  }
  return Status::OK();
}

/// The statements of the SQL after the header, each ended by a line that ends in `;` (the last by the
/// file's end): the steps, each `CREATE TABLE name AS ...`, then the SELECT of the rows. `first_line`
/// is the SQL's first line in the file.
Status SplitStatements(const std::string& body, int first_line, FeatureModel* model) {
  static const std::regex kCreate(R"(^CREATE TABLE ([A-Za-z_][A-Za-z0-9_]*) AS\b)");
  std::istringstream in(body);
  std::string line, statement, code;  // code: the statement from its first line that is not a comment
  int line_no = first_line - 1, start = 0;
  auto step = [&]() -> Status {
    const std::string where = fmt::format("{}:{}", model->path, start == 0 ? line_no : start);
    std::smatch m;
    if (!std::regex_search(code, m, kCreate)) {
      return Status::InvalidArgument(where + ": a statement before the last must be a step, `CREATE TABLE name AS ...`");
    }
    model->steps.push_back({m[1], statement, statement.find(kCustomersParam) != std::string::npos, start});
    return Status::OK();
  };
  while (std::getline(in, line)) {
    ++line_no;
    const std::string trimmed = Trim(line);
    if (start == 0 && !trimmed.empty() && trimmed.rfind("--", 0) != 0) start = line_no;
    const bool ends = !trimmed.empty() && trimmed.back() == ';' && trimmed.rfind("--", 0) != 0;
    const std::string text = ends ? line.substr(0, line.rfind(';')) + "\n" : line + "\n";
    statement += text;
    if (start != 0) code += text;
    if (!ends) continue;
    RETURN_NOT_OK(step());
    statement.clear();
    code.clear();
    start = 0;
  }
  if (start == 0) return Status::InvalidArgument(model->path + ": no SELECT after the last `;`");
  if (statement.find(kCustomersParam) != std::string::npos) {
    return Status::InvalidArgument(fmt::format("{}:{}: the last statement (the rows) may not use {}; only a step runs "
                                               "once per share of the customers",
                                               model->path, start, kCustomersParam));
  }
  model->select = statement;
  return Status::OK();
}

}  // namespace

Status CheckDate(const std::string& date, const std::string& what) {
  static const std::regex kShape("^([0-9]{4})-([0-9]{2})-([0-9]{2})$");
  std::smatch m;
  if (std::regex_match(date, m, kShape)) {
    std::chrono::year_month_day ymd{std::chrono::year{std::stoi(m[1])},
                                    std::chrono::month{static_cast<unsigned>(std::stoi(m[2]))},
                                    std::chrono::day{static_cast<unsigned>(std::stoi(m[3]))}};
    if (ymd.ok()) return Status::OK();
  }
  return Status::InvalidArgument(what + " must be a date YYYY-MM-DD, got '" + date + "'");
}

Result<std::chrono::sys_days> ParseDay(const std::string& date, const std::string& what) {
  RETURN_NOT_OK(CheckDate(date, what));
  return std::chrono::sys_days{std::chrono::year{std::stoi(date.substr(0, 4))} /
                               std::chrono::month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))} /
                               std::chrono::day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
}

std::string FormatDay(std::chrono::sys_days day) {
  std::chrono::year_month_day ymd{day};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

std::chrono::sys_days MonthEnd(std::chrono::sys_days day) {
  std::chrono::year_month_day ymd{day};
  return std::chrono::sys_days{ymd.year() / ymd.month() / std::chrono::last};
}

Result<FeatureModel> ParseFeatureModel(const std::string& text, const std::string& path) {
  FeatureModel model;
  model.path = path;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  std::string* last = nullptr;
  std::ostringstream sql;
  bool in_header = true;
  int sql_line = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string where = fmt::format("{}:{}", path, line_no);
    if (in_header && line.rfind("--   ", 0) == 0) {
      if (last) *last += " " + Trim(line.substr(5));
      continue;
    }
    if (in_header && line.rfind("-- ", 0) == 0) {
      RETURN_NOT_OK(ParseHeaderLine(line.substr(3), where, &model, &last));
      continue;
    }
    if (in_header) sql_line = line_no;
    in_header = false;
    sql << line << "\n";
  }
  const std::string body = sql.str();
  if (model.features.empty()) return Status::InvalidArgument(path + ": declares no `-- feature NAME: ...` line");
  for (const char* param : {kCutoffsParam, kHorizonParam}) {
    if (body.find(param) == std::string::npos) {
      return Status::InvalidArgument(path + ": the SQL does not use the parameter " + param);
    }
  }
  RETURN_NOT_OK(SplitStatements(body, sql_line, &model));
  return model;
}

Result<FeatureModel> LoadFeatureModel() {
  for (const EmbeddedSqlFile& f : EmbeddedChurnSql()) {
    if (f.path == "models/churn/features.sql") return ParseFeatureModel(f.text, f.path);
  }
  return Status::Internal("models/churn/features.sql is not embedded in this binary");
}

std::string FeatureStep::ForShare(const std::string& customers, bool append) const {
  std::string out = sql;
  ReplaceAll(&out, kCustomersParam, "(" + customers + ")");
  if (append) {
    const std::string create = "CREATE TABLE " + table + " AS";
    out.replace(out.find(create), create.size(), "INSERT INTO " + table);
  }
  return out;
}

Result<RenderedFeatures> FeatureModel::Render(const std::vector<std::string>& cutoffs, int horizon_days) const {
  if (cutoffs.empty()) return Status::InvalidArgument(path + ": no cutoff to compute the features at");
  std::vector<std::string> literals;
  for (const std::string& cutoff : cutoffs) {
    RETURN_NOT_OK(CheckDate(cutoff, "the cutoff"));
    if (std::count(cutoffs.begin(), cutoffs.end(), cutoff) > 1) {
      return Status::InvalidArgument("the cutoff " + cutoff + " is given twice");
    }
    literals.push_back("DATE '" + cutoff + "'");
  }
  if (horizon_days < 1 || horizon_days > 3650) {
    return Status::InvalidArgument(fmt::format("--horizon-days must be 1 to 3650, got {}", horizon_days));
  }
  const std::string list = fmt::format("[{}]", fmt::join(literals, ", "));
  const std::string horizon = std::to_string(horizon_days);
  auto fill = [&](std::string text) {
    ReplaceAll(&text, kCutoffsParam, list);
    ReplaceAll(&text, kHorizonParam, horizon);
    return text;
  };
  RenderedFeatures out{steps, fill(select)};
  for (FeatureStep& step : out.steps) step.sql = fill(step.sql);
  return out;
}

std::vector<std::string> FeatureModel::FeatureNames() const {
  std::vector<std::string> names;
  for (const FeatureInfo& f : features) names.push_back(f.name);
  return names;
}

std::string FeatureModel::Describe(const std::string& name) const {
  for (const FeatureInfo& f : features) {
    if (f.name == name) return f.description;
  }
  return "";
}

}  // namespace custlake::churn
