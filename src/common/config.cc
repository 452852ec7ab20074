#include "common/config.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "common/toml_section.h"

namespace custlake {
namespace fs = std::filesystem;

namespace {

fs::path Resolve(const fs::path& base, const std::string& value) {
  fs::path p(value);
  return (p.is_absolute() ? p : base / p).lexically_normal();
}

/// A YYYY-MM-DD date that is the 1st of a month (the simulation runs in whole months).
Status CheckFirstOfMonth(const TomlSection& section, const std::string& key, const std::string& text) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) {
    return section.Invalid(key, "must be a date written YYYY-MM-DD, got '" + text + "'");
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) {
    return section.Invalid(key, "'" + text + "' is not a date (years 1900-2200)");
  }
  if (d != 1) return section.Invalid(key, "'" + text + "' must be the first day of a month, e.g. " + text.substr(0, 8) + "01");
  return Status::OK();
}

/// [generate.mess]: `scale`, plus rates as `kind = r` or `usage.kind = r`
/// (a sub-table); which names exist is the generator's business.
Status ReadMess(TomlSection& mess, GenerateConfig* out) {
  for (const std::string& key : mess.Keys()) {
    if (key == "scale") {
      RETURN_NOT_OK(mess.Get("scale", &out->mess_scale));
      if (!(out->mess_scale >= 0 && out->mess_scale <= 100)) return mess.Invalid("scale", "must lie in [0, 100]");
      continue;
    }
    if (mess.IsTable(key)) {
      ASSIGN_OR_RETURN(TomlSection sub, mess.Section(key));
      for (const std::string& name : sub.Keys()) {
        double rate = 0;
        RETURN_NOT_OK(sub.Get(name, &rate));
        out->mess.push_back({key + "." + name, rate, sub.Where(name)});
      }
      RETURN_NOT_OK(sub.Finish());
    } else {
      double rate = 0;
      RETURN_NOT_OK(mess.Get(key, &rate));
      out->mess.push_back({key, rate, mess.Where(key)});
    }
  }
  return mess.Finish();
}

Status ReadGenerate(TomlSection section, const fs::path& base, GenerateConfig* out) {
  RETURN_NOT_OK(section.Get("customers", &out->customers));
  if (out->customers < 1) return section.Invalid("customers", "must be at least 1");
  RETURN_NOT_OK(section.Get("months", &out->months));
  if (out->months < 1 || out->months > 240) return section.Invalid("months", "must be between 1 and 240");
  RETURN_NOT_OK(section.Get("seed", &out->seed));
  RETURN_NOT_OK(section.Get("start_date", &out->start_date));
  RETURN_NOT_OK(CheckFirstOfMonth(section, "start_date", out->start_date));
  std::string database = "sqlite:data/sic.db", landing = "landing", truth = "truth";
  RETURN_NOT_OK(section.Get("database", &database));
  RETURN_NOT_OK(section.Get("landing", &landing));
  RETURN_NOT_OK(section.Get("truth", &truth));
  // A relative SQLite path is relative to the project, like every other path.
  const std::string kSqlite = "sqlite:";
  if (database.rfind(kSqlite, 0) == 0 && database.rfind("sqlite://", 0) != 0) {
    database = kSqlite + Resolve(base, database.substr(kSqlite.size())).string();
  }
  std::string as_of;
  RETURN_NOT_OK(section.Get("as_of", &as_of));
  if (!as_of.empty()) RETURN_NOT_OK(CheckFirstOfMonth(section, "as_of", as_of));
  out->as_of = as_of;
  ASSIGN_OR_RETURN(TomlSection mess, section.Section("mess"));
  RETURN_NOT_OK(ReadMess(mess, out));
  out->database = database;
  out->landing = Resolve(base, landing);
  out->truth = Resolve(base, truth);
  if (out->truth == out->landing || out->truth.string().rfind(out->landing.string() + "/", 0) == 0) {
    return section.Invalid("truth", "must be outside the landing folder (ingest would pick it up)");
  }
  return section.Finish();
}

}  // namespace

Result<Config> Config::Parse(const std::string& text, const fs::path& file) {
  const std::string name = file.filename().string();
  toml::table doc;
  try {
    doc = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    return Status::ConfigError(name + ":" + std::to_string(e.source().begin.line) + ": " +
                               std::string(e.description()));
  }
  Config config;
  config.file = fs::absolute(file).lexically_normal();
  config.project_dir = config.file.parent_path();
  TomlSection root(&doc, "", name);

  ASSIGN_OR_RETURN(TomlSection project, root.Section("project"));
  RETURN_NOT_OK(project.Get("name", &config.project_name));
  RETURN_NOT_OK(project.Finish());

  ASSIGN_OR_RETURN(TomlSection lake, root.Section("lake"));
  std::string lake_root;
  RETURN_NOT_OK(lake.Get("root", &lake_root, /*required=*/true));
  if (lake_root.empty()) return lake.Invalid("root", "must not be empty");
  config.lake_root = Resolve(config.project_dir, lake_root);
  RETURN_NOT_OK(lake.Finish());

  ASSIGN_OR_RETURN(TomlSection generate, root.Section("generate"));
  RETURN_NOT_OK(ReadGenerate(generate, config.project_dir, &config.generate));

  // [sources] (import) and [ingest] belong to those stages, which validate
  // them with the same strictness (LoadProjectConfig in the CLI calls them
  // before any work starts); here they only need to be tables.
  for (const char* stage_section : {"sources", "ingest"}) {
    ASSIGN_OR_RETURN(TomlSection ignored, root.Section(stage_section));
    (void)ignored;
  }

  RETURN_NOT_OK(root.Finish());
  return config;
}

Result<Config> Config::Load(const fs::path& dir) {
  fs::path file = dir / kConfigFileName;
  std::ifstream in(file);
  if (!in) {
    return Status::ConfigError("no " + std::string(kConfigFileName) + " in " + fs::absolute(dir).string() +
                               ": run 'custlake init' there, or pass -C DIR for another project folder");
  }
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), file);
}

std::string Config::DefaultToml(const std::string& project_name) {
  return R"(# custlake project configuration. Paths are relative to this file.
# Every key is checked when custlake starts: a typo is an error, not a silent default.

[project]
name = ")" + project_name + R"("

[lake]
# The lake folder: raw/, quarantine/, archive/, warehouse/, models/ and the metastore.
root = "lake"

[generate]
# The synthetic company that `custlake generate` (and `custlake demo`) creates.
customers = 10000          # number of customers
months = 12                # length of the simulated window
seed = 42                  # same seed, same company, byte for byte
start_date = "2025-01-01"  # first day of the window (YYYY-MM-DD)
# Operational database to write: sqlite:PATH, mysql://user@host:port/db or
# postgres://user@host:port/db (password from CUSTLAKE_DB_PASSWORD, never here).
database = "sqlite:data/sic.db"
landing = "landing"        # usage/*.ndjson and tickets/*.json are written here
truth = "truth"            # ground truth for tests and analytics checks (keep it outside landing)
# as_of = "2025-10-01"     # write the company as it stood that day; a later date moves it forward

[generate.mess]
scale = 1.0                # multiplies every kind of mess in the landing files (0 = clean files)
# usage.duplicate = 0.005  # or set one rate by name (docs/generate.md lists them)

# ---- import: operational databases into raw/<source>/<table>/ (docs/import.md) ----
[sources.sic]
url = "sqlite:data/sic.db"
tables = ["customers", "transactions", "offers", "offer_assignments"]

[sources.sic.table.customers]
incremental = "lastmodified"   # every version kept: history for the SCD2 customer dimension
check_column = "updated_at"
merge_key = "customer_id"

[sources.sic.table.transactions]
incremental = "append"
check_column = "transaction_id"

[sources.sic.table.offer_assignments]
incremental = "lastmodified"   # new assignments and answers to earlier ones (updated_at moves)
check_column = "updated_at"
merge_key = "assignment_id"

# ---- ingest: landing files into raw/<dataset>/ (docs/ingest.md) ----
[ingest.usage]
path = "landing/usage"
pattern = "*.ndjson*"
format = "ndjson"
schema = "schemas/usage.json" # the contract: types, required fields, key (custlake init writes it)
key = "event_id"               # duplicates of an event_id are dropped, across files and runs
required = ["event_id", "customer_id", "ts"]
partition_field = "ts"         # event_date=YYYY-MM-DD partitions; late events land in their own day
min_age_seconds = 0            # raise it when writers may still be appending to files
after = "keep"                 # keep | archive | delete

[ingest.tickets]
path = "landing/tickets"
pattern = "*.json*"
format = "json"
schema = "schemas/tickets.json"
key = "ticket_id"
required = ["ticket_id", "customer_id", "opened_at"]
partition_field = "opened_at"
after = "keep"
)";
}

}  // namespace custlake
