#include "serve/dashboard_sql.h"

namespace custlake::serve {

Result<std::string> DashboardSql(const std::string& name) {
  const auto& files = DashboardSqlFiles();
  auto it = files.find(name);
  if (it == files.end()) return Status::NotFound("no dashboard query named " + name);
  static const std::string kMarker = "{{filtered_months}}";
  std::string sql = it->second;
  for (size_t at = sql.find(kMarker); at != std::string::npos; at = sql.find(kMarker, at)) {
    const std::string& months = files.at("filtered_months");
    sql.replace(at, kMarker.size(), months);
    at += months.size();
  }
  return sql;
}

}  // namespace custlake::serve
