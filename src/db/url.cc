// DatabaseUrl: parsing, masking and password resolution.
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "db/connection.h"

namespace custlake::db {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes (user names, passwords and database names may hold
// '@', ':' or '/' that way).
Result<std::string> PercentDecode(std::string_view s, std::string_view what) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) {
      return Status::InvalidArgument("bad %-escape in the " + std::string(what) + " of a database URL");
    }
    int hi = HexDigit(s[i + 1]), lo = HexDigit(s[i + 2]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument("bad %-escape in the " + std::string(what) + " of a database URL");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Status ParseParams(std::string_view query, std::map<std::string, std::string>* params) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    ASSIGN_OR_RETURN(std::string key, PercentDecode(item.substr(0, eq), "query parameters"));
    std::string value;
    if (eq != std::string_view::npos) {
      ASSIGN_OR_RETURN(value, PercentDecode(item.substr(eq + 1), "query parameters"));
    }
    (*params)[key] = value;
  }
  return Status::OK();
}

bool IsSecretParam(const std::string& key) { return key == "password" || key == "pwd"; }

}  // namespace

Result<DatabaseUrl> DatabaseUrl::Parse(std::string_view text) {
  DatabaseUrl url;
  auto fail = [&](const std::string& why) {
    // Never echo a URL that may hold a password: only its scheme.
    std::string scheme(text.substr(0, text.find(':')));
    return Status::InvalidArgument("bad database URL (" + scheme + "...): " + why +
                                   ". Expected sqlite:path.db, mysql://user@host:port/db or "
                                   "postgres://user@host:port/db");
  };

  size_t colon = text.find(':');
  std::string scheme;
  if (colon != std::string_view::npos) {
    for (char c : text.substr(0, colon))
      scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (scheme != "sqlite" && scheme != "mysql" && scheme != "mariadb" && scheme != "postgres" &&
      scheme != "postgresql") {
    if (EndsWith(text, ".db") || EndsWith(text, ".sqlite") || EndsWith(text, ".sqlite3")) {
      url.kind = Kind::kSqlite;
      url.database = std::string(text);
      return url;
    }
    if (text.empty()) return fail("it is empty");
    return fail("unknown scheme '" + scheme + "'");
  }

  std::string_view rest = text.substr(colon + 1);
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  RETURN_NOT_OK(ParseParams(query, &url.params));
  for (const auto& [key, value] : url.params) {
    if (IsSecretParam(key)) {
      // Never used for connecting (neither driver reads it), and a URL ends up
      // in shell history, process lists and config files: refuse it outright.
      return fail("a password as ?" + key +
                  "= is not accepted (URLs end up in shell history, process lists and logs); set the "
                  "CUSTLAKE_DB_PASSWORD environment variable, name another one with password_env / "
                  "--password-env, or use ?password_file=PATH");
    }
  }

  if (scheme == "sqlite") {
    url.kind = Kind::kSqlite;
    // sqlite:rel.db, sqlite://rel.db, sqlite:///abs.db, sqlite::memory:
    if (rest.substr(0, 2) == "//") rest = rest.substr(2);
    if (rest.empty()) return fail("no file path after 'sqlite:'");
    ASSIGN_OR_RETURN(url.database, PercentDecode(rest, "path"));
    return url;
  }

  url.kind = (scheme == "mysql" || scheme == "mariadb") ? Kind::kMariaDB : Kind::kPostgres;
  if (rest.substr(0, 2) != "//") return fail("expected '//' after '" + scheme + ":'");
  rest = rest.substr(2);
  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path = authority.size() < rest.size() ? rest.substr(authority.size() + 1) : "";

  std::string_view hostport = authority;
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    hostport = authority.substr(at + 1);
    size_t c = userinfo.find(':');
    ASSIGN_OR_RETURN(url.user, PercentDecode(userinfo.substr(0, c), "user"));
    if (c != std::string_view::npos) {
      ASSIGN_OR_RETURN(url.password, PercentDecode(userinfo.substr(c + 1), "password"));
    }
  }
  std::string_view port_text;
  if (!hostport.empty() && hostport[0] == '[') {  // [::1]:5432
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return fail("unclosed '[' in the host");
    url.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return fail("expected ':port' after ']'");
      port_text = after.substr(1);
    }
  } else {
    size_t c = hostport.rfind(':');
    url.host = std::string(hostport.substr(0, c));
    if (c != std::string_view::npos) port_text = hostport.substr(c + 1);
  }
  if (!port_text.empty()) {
    int port = 0;
    for (char ch : port_text) {
      if (ch < '0' || ch > '9' || port > 65535)
        return fail("port '" + std::string(port_text) + "' is not a number");
      port = port * 10 + (ch - '0');
    }
    if (port <= 0 || port > 65535) return fail("port " + std::string(port_text) + " is out of range");
    url.port = port;
  }
  ASSIGN_OR_RETURN(url.database, PercentDecode(path, "database name"));
  if (url.database.empty()) return fail("no database name (.../dbname) in the URL");
  if (url.database.find('/') != std::string::npos) return fail("the database name contains '/'");
  return url;
}

std::string DatabaseUrl::Masked() const {
  std::string out;
  switch (kind) {
    case Kind::kSqlite:
      out = "sqlite:" + database;
      break;
    case Kind::kMariaDB:
    case Kind::kPostgres: {
      out = kind == Kind::kMariaDB ? "mysql://" : "postgres://";
      if (!user.empty() || !password.empty()) {
        out += PercentEncode(user);
        if (!password.empty()) out += ":***";
        out += '@';
      }
      // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive)
      // on "literal" + std::string temporaries here in Release builds.
      if (host.find(':') != std::string::npos) {
        out += '[';
        out += host;
        out += ']';
      } else {
        out += host;
      }
      if (port != 0) {
        out += ':';
        out += std::to_string(port);
      }
      out += '/';
      out += PercentEncode(database);
      break;
    }
  }
  char sep = '?';
  for (const auto& [key, value] : params) {
    out += sep;
    out += PercentEncode(key) + "=" + (IsSecretParam(key) ? "***" : PercentEncode(value));
    sep = '&';
  }
  return out;
}

Status DatabaseUrl::ResolvePassword() {
  if (kind == Kind::kSqlite || !password.empty()) return Status::OK();
  if (auto it = params.find("password_file"); it != params.end()) {
    std::ifstream in(it->second, std::ios::binary);
    if (!in) {
      return Status::ConfigError("cannot read the password file '" + it->second + "' named by " + Masked() +
                                 ": check that it exists and is readable");
    }
    std::stringstream buf;
    buf << in.rdbuf();
    std::string pw = buf.str();
    while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
    password = std::move(pw);
    return Status::OK();
  }
  if (!password_env.empty()) {
    const char* env = std::getenv(password_env.c_str());
    if (env == nullptr) {
      return Status::ConfigError("the environment variable " + password_env + " (password_env of " +
                                 Masked() +
                                 ") is not set: export it with the password, or drop password_env to use "
                                 "CUSTLAKE_DB_PASSWORD");
    }
    password = env;
    return Status::OK();
  }
  if (const char* env = std::getenv("CUSTLAKE_DB_PASSWORD"); env != nullptr) password = env;
  return Status::OK();
}

}  // namespace custlake::db
