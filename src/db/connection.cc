// Connection::Open: picks the driver for the URL's kind.
#include "db/connection.h"

#include "db/drivers.h"

namespace custlake::db {

void PointCellsAtOwned(RowView* view) {
  view->cells.resize(view->owned.size());
  for (size_t i = 0; i < view->owned.size(); ++i) {
    const Value& v = view->owned[i];
    CellView& c = view->cells[i];
    if (const int64_t* n = std::get_if<int64_t>(&v)) {
      c.kind = CellView::Kind::kInt;
      c.i = *n;
    } else if (const double* d = std::get_if<double>(&v)) {
      c.kind = CellView::Kind::kDouble;
      c.d = *d;
    } else if (const std::string* s = std::get_if<std::string>(&v)) {
      c.kind = CellView::Kind::kText;
      c.text = *s;
    } else {
      c.kind = CellView::Kind::kNull;
    }
  }
}

Result<bool> RowStream::NextView(RowView* view) {
  ASSIGN_OR_RETURN(bool more, Next(&view->owned));
  if (!more) return false;
  PointCellsAtOwned(view);
  return true;
}

Result<std::unique_ptr<Connection>> Connection::Open(const DatabaseUrl& url, Access access) {
  DatabaseUrl resolved = url;
  RETURN_NOT_OK(resolved.ResolvePassword());
  switch (resolved.kind) {
    case DatabaseUrl::Kind::kSqlite:
      return internal::OpenSqlite(resolved, access);
    case DatabaseUrl::Kind::kMariaDB:
#ifdef CUSTLAKE_HAVE_MARIADB
      return internal::OpenMariaDB(resolved, access);
#else
      return Status::InvalidArgument("cannot open " + resolved.Masked() +
                                     ": this custlake was built without MariaDB/MySQL support; "
                                     "rebuild with -DCUSTLAKE_WITH_MARIADB=ON (needs libmariadb-dev)");
#endif
    case DatabaseUrl::Kind::kPostgres:
#ifdef CUSTLAKE_HAVE_POSTGRES
      return internal::OpenPostgres(resolved, access);
#else
      return Status::InvalidArgument("cannot open " + resolved.Masked() +
                                     ": this custlake was built without PostgreSQL support; "
                                     "rebuild with -DCUSTLAKE_WITH_POSTGRES=ON (needs libpq-dev)");
#endif
  }
  return Status::Internal("unknown database kind in " + resolved.Masked());
}

}  // namespace custlake::db
