// Connection::Open: picks the driver for the URL's kind.
#include "db/connection.h"

#include "db/drivers.h"

namespace custlake::db {

Result<std::unique_ptr<Connection>> Connection::Open(const DatabaseUrl& url) {
  DatabaseUrl resolved = url;
  RETURN_NOT_OK(resolved.ResolvePassword());
  switch (resolved.kind) {
    case DatabaseUrl::Kind::kSqlite:
      return internal::OpenSqlite(resolved);
    case DatabaseUrl::Kind::kMariaDB:
#ifdef CUSTLAKE_HAVE_MARIADB
      return internal::OpenMariaDB(resolved);
#else
      return Status::InvalidArgument("cannot open " + resolved.Masked() +
                                     ": this custlake was built without MariaDB/MySQL support; "
                                     "rebuild with -DCUSTLAKE_WITH_MARIADB=ON (needs libmariadb-dev)");
#endif
    case DatabaseUrl::Kind::kPostgres:
#ifdef CUSTLAKE_HAVE_POSTGRES
      return internal::OpenPostgres(resolved);
#else
      return Status::InvalidArgument("cannot open " + resolved.Masked() +
                                     ": this custlake was built without PostgreSQL support; "
                                     "rebuild with -DCUSTLAKE_WITH_POSTGRES=ON (needs libpq-dev)");
#endif
  }
  return Status::Internal("unknown database kind in " + resolved.Masked());
}

}  // namespace custlake::db
