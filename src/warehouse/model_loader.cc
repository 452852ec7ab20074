#include "warehouse/model_loader.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "warehouse/embedded_models.h"
#include "warehouse/sql_macros.h"

namespace custlake::warehouse {
namespace {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::string t = Trim(item);
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }

/// Calls `on_ident(begin, end)` for each (possibly dotted) identifier outside
/// comments and string literals.
template <typename F>
void ScanIdentifiers(const std::string& sql, F on_ident) {
  size_t i = 0, n = sql.size();
  while (i < n) {
    char c = sql[i];
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string::npos ? n : end + 2;
    } else if (c == '\'') {
      ++i;
      while (i < n) {
        if (sql[i] == '\'' && i + 1 < n && sql[i + 1] == '\'') { i += 2; continue; }
        if (sql[i] == '\'') { ++i; break; }
        ++i;
      }
    } else if (IsIdentStart(c) && (i == 0 || !IsIdentChar(sql[i - 1]))) {
      size_t b = i;
      while (true) {
        while (i < n && IsIdentChar(sql[i])) ++i;
        if (i + 1 < n && sql[i] == '.' && IsIdentStart(sql[i + 1])) { ++i; continue; }
        break;
      }
      on_ident(b, i);
    } else {
      ++i;
    }
  }
}

int EditDistance(const std::string& a, const std::string& b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

const std::vector<std::string>& HeaderKeys() {
  static const std::vector<std::string> keys = {
      "model",          "description",    "materialized",
      "grain",          "unique_key",     "replace_key",
      "partition_by",   "recompute_from", "post_incremental_partitions",
      "post_incremental_rows",            "unchanged_when",
      "column",         "check"};
  return keys;
}

Status ParseCheck(const std::string& where, const std::string& label, const std::string& value, int line,
                  Model* model) {
  ModelCheck check;
  check.line = line;
  std::vector<std::string> cols = SplitList(value);
  if (label == "unique") {
    if (cols.empty()) return Status::InvalidArgument(where + ": check unique needs columns");
    check.kind = CheckKind::kUnique;
    check.columns = cols;
    check.name = "unique(" + value + ")";
  } else if (label == "not_null") {
    if (cols.empty()) return Status::InvalidArgument(where + ": check not_null needs columns");
    for (const std::string& col : cols) {
      ModelCheck c = check;
      c.kind = CheckKind::kNotNull;
      c.columns = {col};
      c.name = "not_null(" + col + ")";
      model->checks.push_back(std::move(c));
    }
    return Status::OK();
  } else if (label == "relationship") {
    size_t arrow = value.find("->");
    std::string target = arrow == std::string::npos ? "" : Trim(value.substr(arrow + 2));
    size_t dot = target.find('.');
    if (arrow == std::string::npos || dot == std::string::npos) {
      return Status::InvalidArgument(where + ": check relationship must read 'column -> table.column', got '" +
                                     value + "'");
    }
    check.kind = CheckKind::kRelationship;
    check.columns = {Trim(value.substr(0, arrow))};
    check.ref_table = target.substr(0, dot);
    check.ref_column = target.substr(dot + 1);
    check.name = "relationship(" + check.columns[0] + " -> " + target + ")";
  } else if (label == "no_overlap") {
    if (cols.size() != 3) {
      return Status::InvalidArgument(where + ": check no_overlap must read 'key, valid_from, valid_to'");
    }
    check.kind = CheckKind::kNoOverlap;
    check.columns = cols;
    check.name = "no_overlap(" + value + ")";
  } else if (label == "freshness") {
    // COLUMN within N hours|days [where CONDITION]
    std::string lower = Lower(value);
    size_t within = lower.find(" within ");
    size_t cond = lower.find(" where ");
    std::string column = Trim(value.substr(0, within));
    std::string age = within == std::string::npos ? "" : Trim(lower.substr(within + 8, cond == std::string::npos ? std::string::npos : cond - within - 8));
    std::stringstream in(age);
    int64_t n = 0;
    std::string unit;
    in >> n >> unit;
    int64_t scale = unit.rfind("hour", 0) == 0 ? 3600 : unit.rfind("day", 0) == 0 ? 86400 : 0;
    if (column.empty() || within == std::string::npos || n <= 0 || scale == 0 || column.find(' ') != std::string::npos) {
      return Status::InvalidArgument(where + ": check freshness must read 'COLUMN within N hours|days [where CONDITION]', got '" +
                                     value + "'");
    }
    check.kind = CheckKind::kFreshness;
    check.columns = {column};
    check.max_age_seconds = n * scale;
    if (cond != std::string::npos) check.sql = Trim(value.substr(cond + 7));
    check.name = "freshness(" + column + ")";
  } else {
    if (value.empty()) return Status::InvalidArgument(where + ": check " + label + " needs a query");
    check.kind = CheckKind::kSql;
    check.name = label;
    check.sql = value;
  }
  model->checks.push_back(std::move(check));
  return Status::OK();
}

}  // namespace

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string MaterializationName(Materialization m) {
  switch (m) {
    case Materialization::kTable: return "table";
    case Materialization::kMerge: return "merge";
    case Materialization::kAppend: return "append";
    case Materialization::kRecomputeFrom: return "recompute_from";
    case Materialization::kView:
      return "view";
  }
  return "?";
}

std::string CheckKindName(CheckKind kind) {
  switch (kind) {
    case CheckKind::kUnique: return "unique";
    case CheckKind::kNotNull: return "not_null";
    case CheckKind::kRelationship: return "relationship";
    case CheckKind::kNoOverlap: return "no_overlap";
    case CheckKind::kFreshness: return "freshness";
    case CheckKind::kSql: return "sql";
  }
  return "?";
}

const ModelColumn* Model::FindColumn(const std::string& column) const {
  for (const ModelColumn& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

namespace {

/// A header entry (`-- key label: value`), continuation lines appended.
struct HeaderEntry {
  std::string key, label, value;
  int line;
};

/// True when continuation lines of `e` are SQL (kept on lines of their own).
bool HoldsSql(const HeaderEntry& e) {
  return e.key == "recompute_from" || e.key == "post_incremental_partitions" || e.key == "post_incremental_rows" ||
         e.key == "unchanged_when" ||
         (e.key == "check" && e.label != "unique" && e.label != "not_null" && e.label != "relationship" &&
          e.label != "no_overlap" && e.label != "freshness");
}

/// `where: unknown header key 'X'; did you mean 'Y'?`
Status UnknownHeaderKey(const std::string& where, const std::string& key) {
  std::string best;
  int best_d = 3;
  for (const std::string& k : HeaderKeys()) {
    int d = EditDistance(key, k);
    if (d < best_d) best_d = d, best = k;
  }
  return Status::InvalidArgument(where + ": unknown header key '" + key + "'" +
                                 (best.empty() ? "" : "; did you mean '" + best + "'?"));
}

/// The header's entries, from the first line to the first that is not a
/// comment; `*next` is then that line's index.
Result<std::vector<HeaderEntry>> ReadHeader(const std::string& file, const std::vector<std::string>& lines,
                                            size_t* next) {
  std::vector<HeaderEntry> entries;
  size_t i = 0;
  for (; i < lines.size(); ++i) {
    std::string trimmed = Trim(lines[i]);
    if (trimmed.empty()) continue;
    if (trimmed.rfind("--", 0) != 0) break;
    int lineno = static_cast<int>(i + 1);
    std::string where = file + ":" + std::to_string(lineno);
    std::string body = trimmed.substr(2);
    bool continuation = body.size() >= 3 && body[0] == ' ' && body[1] == ' ' && body[2] == ' ';
    if (continuation) {
      if (entries.empty()) return Status::InvalidArgument(where + ": continuation line before any header key");
      HeaderEntry& last = entries.back();
      last.value += (HoldsSql(last) ? "\n" : " ") + Trim(body);
      continue;
    }
    body = Trim(body);
    size_t colon = body.find(':');
    if (colon == std::string::npos) {
      return Status::InvalidArgument(where + ": header line must read '-- key: value' (or start the SQL after the header)");
    }
    std::string head = Trim(body.substr(0, colon));
    std::string value = Trim(body.substr(colon + 1));
    std::string key = head, label;
    size_t space = head.find(' ');
    if (space != std::string::npos) {
      key = head.substr(0, space);
      label = Trim(head.substr(space + 1));
    }
    const auto& keys = HeaderKeys();
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) return UnknownHeaderKey(where, key);
    if ((key == "column" || key == "check") && label.empty()) {
      return Status::InvalidArgument(where + ": '" + key + "' needs a name: '-- " + key + " NAME: ...'");
    }
    entries.push_back({key, label, value, lineno});
  }
  *next = i;
  return entries;
}

/// The SQL from line `first` on, split at -- @post_incremental, macros expanded.
Status ReadSql(const std::string& file, const std::vector<std::string>& lines, size_t first, Model* model) {
  model->sql_line = static_cast<int>(first + 1);
  std::string sql, post;
  bool in_post = false;
  for (size_t i = first; i < lines.size(); ++i) {
    if (Trim(lines[i]) == "-- @post_incremental") {
      in_post = true;
      continue;
    }
    (in_post ? post : sql) += lines[i] + "\n";
  }
  model->source_sql = Trim(sql);
  model->post_incremental = Trim(post);
  while (!model->source_sql.empty() && model->source_sql.back() == ';') model->source_sql.pop_back();
  ASSIGN_OR_RETURN(model->sql, ExpandMacros(model->source_sql, Dialect::kDuckDb, file, model->sql_line));
  ASSIGN_OR_RETURN(model->post_incremental,
                   ExpandMacros(model->post_incremental, Dialect::kDuckDb, file, model->sql_line));
  return Status::OK();
}

Result<Materialization> ParseMaterialization(const std::string& where, const std::string& value) {
  if (value == "table") return Materialization::kTable;
  if (value == "merge") return Materialization::kMerge;
  if (value == "append") return Materialization::kAppend;
  if (value == "recompute_from") return Materialization::kRecomputeFrom;
  if (value == "view") return Materialization::kView;
  return Status::InvalidArgument(where + ": materialized must be table, merge, append, recompute_from or view, got '" +
                                 value + "'");
}

/// The header's entries into `model`; the SQL they hold with its macros expanded.
Status ApplyHeader(const std::string& file, const std::vector<HeaderEntry>& entries, Model* model) {
  for (const HeaderEntry& e : entries) {
    std::string where = file + ":" + std::to_string(e.line);
    if (e.key == "model") model->name = e.value;
    else if (e.key == "description") model->description = e.value;
    else if (e.key == "grain") model->grain = e.value;
    else if (e.key == "unique_key") model->unique_key = e.value;
    else if (e.key == "replace_key") model->replace_key = e.value;
    else if (e.key == "partition_by") model->partition_by = e.value;
    else if (e.key == "recompute_from") model->recompute_from = e.value;
    else if (e.key == "post_incremental_partitions") model->post_incremental_partitions = e.value;
    else if (e.key == "post_incremental_rows") model->post_incremental_rows.push_back(e.value);
    else if (e.key == "unchanged_when") model->unchanged_when = e.value;
    else if (e.key == "column") model->columns.push_back({e.label, e.value});
    else if (e.key == "check") RETURN_NOT_OK(ParseCheck(where, e.label, e.value, e.line, model));
    else if (e.key == "materialized") {
      ASSIGN_OR_RETURN(model->materialized, ParseMaterialization(where, e.value));
    }
  }
  ASSIGN_OR_RETURN(model->recompute_from, ExpandMacros(model->recompute_from, Dialect::kDuckDb, file, 1));
  ASSIGN_OR_RETURN(model->unchanged_when, ExpandMacros(model->unchanged_when, Dialect::kDuckDb, file, 1));
  for (std::string& condition : model->post_incremental_rows) {
    ASSIGN_OR_RETURN(condition, ExpandMacros(condition, Dialect::kDuckDb, file, 1));
  }
  for (ModelCheck& c : model->checks) {
    ASSIGN_OR_RETURN(c.sql, ExpandMacros(c.sql, Dialect::kDuckDb, file, c.line));
  }
  return Status::OK();
}

/// What a model's header must say, given its materialization.
Status ValidateModel(const std::string& file, const Model& model) {
  std::string where = file + ":1";
  if (model.name.empty()) return Status::InvalidArgument(where + ": the header needs '-- model: NAME'");
  std::string stem = std::filesystem::path(file).stem().string();
  if (stem != model.name) {
    return Status::InvalidArgument(where + ": model '" + model.name + "' must live in a file named " + model.name + ".sql");
  }
  for (char c : model.name) {
    if (!IsIdentChar(c)) return Status::InvalidArgument(where + ": model name '" + model.name + "' must be [a-z0-9_]");
  }
  if (model.sql.empty()) return Status::InvalidArgument(where + ": model " + model.name + " has no SQL after its header");
  if (model.materialized == Materialization::kMerge && model.unique_key.empty()) {
    return Status::InvalidArgument(where + ": materialized: merge needs '-- unique_key: COLUMN'");
  }
  if (model.materialized == Materialization::kAppend && model.replace_key.empty()) {
    return Status::InvalidArgument(where + ": materialized: append needs '-- replace_key: COLUMN'");
  }
  if (!model.post_incremental_rows.empty() &&
      (model.materialized != Materialization::kAppend || model.post_incremental.empty())) {
    return Status::InvalidArgument(where + ": post_incremental_rows applies to a materialized: append model with "
                                   "-- @post_incremental statements");
  }
  if (model.IsView() && !model.checks.empty()) {
    return Status::InvalidArgument(
        file + ":" + std::to_string(model.checks.front().line) +
        ": a view model has no checks of its own (build checks it against the data "
        "contract when it is one of the staging models)");
  }
  if (!model.unchanged_when.empty() && model.materialized != Materialization::kTable) {
    return Status::InvalidArgument(where + ": unchanged_when applies to materialized: table only");
  }
  if (model.materialized == Materialization::kRecomputeFrom && (model.recompute_from.empty() || model.partition_by.empty())) {
    return Status::InvalidArgument(where + ": materialized: recompute_from needs '-- recompute_from: SQL' and '-- partition_by: COLUMN'");
  }
  return Status::OK();
}

}  // namespace

Result<Model> ParseModel(const std::string& file, const std::string& text) {
  Model model;
  model.file = file;
  std::vector<std::string> lines;
  {
    std::stringstream in(text);
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
  }
  size_t sql_start = 0;
  ASSIGN_OR_RETURN(std::vector<HeaderEntry> entries, ReadHeader(file, lines, &sql_start));
  RETURN_NOT_OK(ReadSql(file, lines, sql_start, &model));
  RETURN_NOT_OK(ApplyHeader(file, entries, &model));
  RETURN_NOT_OK(ValidateModel(file, model));
  return model;
}

std::vector<std::string> SqlIdentifiers(const std::string& sql) {
  std::vector<std::string> out;
  ScanIdentifiers(sql, [&](size_t b, size_t e) { out.push_back(Lower(sql.substr(b, e - b))); });
  return out;
}

std::string RewriteRawSchema(const std::string& sql, const std::string& schema) {
  std::string out;
  size_t last = 0;
  ScanIdentifiers(sql, [&](size_t b, size_t e) {
    std::string ident = Lower(sql.substr(b, e - b));
    if (ident.rfind("raw.", 0) == 0) {
      out += sql.substr(last, b - last);
      out += schema + "." + sql.substr(b + 4, e - b - 4);
      last = e;
    }
  });
  out += sql.substr(last);
  return out;
}

std::string RewriteViewRefs(const std::string& sql, const std::set<std::string>& views) {
  std::string out;
  size_t last = 0;
  ScanIdentifiers(sql, [&](size_t b, size_t e) {
    std::string ident = Lower(sql.substr(b, e - b));
    if (!views.count(ident.substr(0, ident.find('.')))) return;
    out += sql.substr(last, b - last) + "raw.";
    last = b;
  });
  return out + sql.substr(last);
}

namespace {

/// A model that is not a view reads each view model it names as raw.<view>.
void ReadViewsAsRaw(Model* m, const std::set<std::string>& views) {
  for (std::string* sql : {&m->sql, &m->post_incremental, &m->recompute_from, &m->post_incremental_partitions,
                           &m->unchanged_when}) {
    *sql = RewriteViewRefs(*sql, views);
  }
  for (std::string& condition : m->post_incremental_rows) condition = RewriteViewRefs(condition, views);
  for (ModelCheck& c : m->checks) c.sql = RewriteViewRefs(c.sql, views);
}

}  // namespace

std::vector<std::string> RawSourceViews(const std::vector<Model>& models) {
  std::map<std::string, const Model*> views;
  for (const Model& m : models) {
    if (m.IsView()) views[m.name] = &m;
  }
  std::set<std::string> out;
  for (const Model& m : models) {
    for (const std::string& s : m.sources) {
      auto view = views.find(s);
      if (view == views.end()) {
        out.insert(s);
      } else {
        out.insert(view->second->sources.begin(), view->second->sources.end());
      }
    }
  }
  return {out.begin(), out.end()};
}

Status ResolveRefs(std::vector<Model>* models) {
  std::map<std::string, const Model*> by_name;
  std::set<std::string> views;
  for (const Model& m : *models) {
    auto [it, inserted] = by_name.emplace(m.name, &m);
    if (!inserted) {
      return Status::InvalidArgument("model " + m.name + " is defined twice: " + it->second->file + " and " + m.file);
    }
    if (m.IsView()) views.insert(m.name);
  }
  for (Model& m : *models) {
    if (!m.IsView()) ReadViewsAsRaw(&m, views);
  }
  for (Model& m : *models) {
    std::set<std::string> refs, sources;
    auto scan = [&](const std::string& sql) {
      for (const std::string& ident : SqlIdentifiers(sql)) {
        std::string last = ident.substr(ident.rfind('.') + 1);
        if (ident.rfind("raw.", 0) == 0 || ident.rfind("delta.", 0) == 0) {
          std::string rest = ident.substr(ident.find('.') + 1);
          rest = rest.substr(0, rest.find('.'));
          if (views.count(rest)) {
            // A staging view: read like a raw view, built before (a ref for the order).
            sources.insert(rest);
            if (rest != m.name) refs.insert(rest);
          } else if (by_name.count(rest)) {
            if (rest != m.name) refs.insert(rest);
          } else {
            sources.insert(rest);
          }
          continue;
        }
        // a.b: b may be a column of alias a; a bare name or main.x is a model reference.
        std::string first = ident.substr(0, ident.find('.'));
        if (by_name.count(first) && first != m.name) refs.insert(first);
        if (ident.rfind("main.", 0) == 0 && by_name.count(last) && last != m.name) refs.insert(last);
      }
    };
    scan(m.sql);
    scan(m.recompute_from);
    scan(m.post_incremental);
    scan(m.post_incremental_partitions);
    for (const std::string& condition : m.post_incremental_rows) scan(condition);
    for (const ModelCheck& c : m.checks) {
      if (c.kind == CheckKind::kRelationship) {
        if (!by_name.count(c.ref_table)) {
          return Status::InvalidArgument(m.file + ":" + std::to_string(c.line) + ": check " + c.name +
                                         " refers to unknown model " + c.ref_table);
        }
      }
    }
    if (m.IsView() && !refs.empty()) {
      return Status::InvalidArgument(m.file + ":" + std::to_string(m.sql_line) + ": view model " + m.name +
                                     " reads model " + *refs.begin() +
                                     "; a view (a staging model) reads raw.<dataset> views only");
    }
    m.refs.assign(refs.begin(), refs.end());
    m.sources.assign(sources.begin(), sources.end());
  }
  return Status::OK();
}

Result<std::vector<Model>> LoadModels(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<Model> models;
  for (const auto& [file, text] : files) {
    ASSIGN_OR_RETURN(Model m, ParseModel(file, text));
    models.push_back(std::move(m));
  }
  RETURN_NOT_OK(ResolveRefs(&models));
  return models;
}

Result<std::vector<Model>> LoadBuiltinModels() {
  std::vector<std::pair<std::string, std::string>> files;
  for (const EmbeddedModelFile& f : EmbeddedModelFiles()) files.emplace_back(f.path, f.text);
  return LoadModels(files);
}

Result<std::vector<Model>> LoadModelsFromDir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".sql") paths.push_back(entry.path());
  }
  if (ec) return Status::NotFound("cannot list models in " + dir.string() + ": " + ec.message());
  std::sort(paths.begin(), paths.end());
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    if (!in && !in.eof()) return Status::IOError("cannot read " + p.string());
    files.emplace_back(p.string(), buf.str());
  }
  return LoadModels(files);
}

Result<ProjectModels> LoadProjectModels(const std::filesystem::path& dir) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const EmbeddedModelFile& f : EmbeddedModelFiles()) files.emplace_back(f.path, f.text);
  ProjectModels out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    ASSIGN_OR_RETURN(out.models, LoadModels(files));
    return out;
  }
  std::vector<std::filesystem::path> paths;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().extension() == ".sql") paths.push_back(it->path());
  }
  if (ec) return Status::IOError("cannot list the project's models in " + dir.string() + ": " + ec.message());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    if (!in && !in.eof()) return Status::IOError("cannot read " + p.string());
    std::string stem = p.stem().string();
    auto same = std::find_if(files.begin(), files.end(), [&](const auto& f) {
      return f.first.rfind("models/", 0) == 0 && std::filesystem::path(f.first).stem() == stem;
    });
    if (same != files.end()) {
      if (same->second != buf.str()) out.overrides.push_back(stem + " (" + p.string() + ")");
      *same = {p.string(), buf.str()};
    } else {
      out.project_models.push_back(stem);
      files.emplace_back(p.string(), buf.str());
    }
  }
  ASSIGN_OR_RETURN(out.models, LoadModels(files));
  return out;
}

std::string ModelsFingerprint(const std::vector<Model>& models) {
  // FNV-1a 64 over names, SQL and post hooks: enough to notice a change.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  std::vector<const Model*> sorted;
  for (const Model& m : models) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(), [](const Model* a, const Model* b) { return a->name < b->name; });
  for (const Model* m : sorted) {
    mix(m->name);
    mix(MaterializationName(m->materialized));
    mix(m->sql);
    mix(m->post_incremental);
    mix(m->recompute_from);
    mix(m->post_incremental_partitions);
    for (const std::string& condition : m->post_incremental_rows) mix(condition);
    mix(m->unchanged_when);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace custlake::warehouse
