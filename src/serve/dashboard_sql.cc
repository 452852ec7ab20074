#include "serve/dashboard_sql.h"

namespace custlake::serve {

namespace {
/// Replaces every `{{key}}` in `sql` by `text` (text is not searched again).
void ExpandMarker(std::string& sql, const std::string& key, const std::string& text) {
  const std::string marker = "{{" + key + "}}";
  for (size_t at = sql.find(marker); at != std::string::npos; at = sql.find(marker, at + text.size())) {
    sql.replace(at, marker.size(), text);
  }
}
}  // namespace

Result<std::string> DashboardSql(const std::string& name, const std::map<std::string, std::string>& literals) {
  const auto& files = DashboardSqlFiles();
  auto it = files.find(name);
  if (it == files.end()) return Status::NotFound("no dashboard query named " + name);
  std::string sql = it->second;
  for (const char* part : {"filtered_months", "filtered_mart", "filtered_cohorts", "filtered_customers"}) {
    ExpandMarker(sql, part, files.at(part));
  }
  for (const auto& [key, text] : literals) ExpandMarker(sql, key, text);
  return sql;
}

}  // namespace custlake::serve
