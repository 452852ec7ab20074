#include "serve/dashboard_sql.h"

namespace custlake::serve {

Result<std::string> DashboardSql(const std::string& name) {
  const auto& files = DashboardSqlFiles();
  auto it = files.find(name);
  if (it == files.end()) return Status::NotFound("no dashboard query named " + name);
  std::string sql = it->second;
  for (const char* part : {"filtered_months", "filtered_mart", "filtered_cohorts", "filtered_customers"}) {
    const std::string marker = std::string("{{") + part + "}}";
    const std::string& text = files.at(part);
    for (size_t at = sql.find(marker); at != std::string::npos; at = sql.find(marker, at)) {
      sql.replace(at, marker.size(), text);
      at += text.size();
    }
  }
  return sql;
}

}  // namespace custlake::serve
