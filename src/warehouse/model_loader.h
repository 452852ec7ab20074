// Reading model files: the header of `-- key: value` lines, the SQL, and the
// references between models. Errors name the file and line ("models/x.sql:7:
// unknown header key 'materialised'; did you mean 'materialized'?").
//
// Pure functions over text; thread-safe.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "warehouse/model.h"

namespace custlake::warehouse {

/// Parses one model file. `file` is used in messages. refs are not resolved yet.
Result<Model> ParseModel(const std::string& file, const std::string& text);

/// Fills each model's refs (identifiers naming another model, outside comments
/// and string literals) and sources (raw.<view>); errors on duplicate names.
Status ResolveRefs(std::vector<Model>* models);

/// The raw views the models read, each staging view (materialized: view)
/// replaced by the raw views it reads: what a build snapshots.
std::vector<std::string> RawSourceViews(const std::vector<Model>& models);

/// Prefixes with raw. every identifier of `sql` (outside comments and
/// literals) whose first part names one of `views`: models read a staging
/// view as raw.<view>, so incremental builds read delta.<view>.
std::string RewriteViewRefs(const std::string& sql, const std::set<std::string>& views);

/// The models compiled into the binary, parsed and resolved.
Result<std::vector<Model>> LoadBuiltinModels();
/// Every *.sql file of `dir`, parsed and resolved (tests and custom model sets).
Result<std::vector<Model>> LoadModelsFromDir(const std::filesystem::path& dir);
/// The models of a project: the built-in ones, each replaced by a project
/// file of the same name under `dir` (any depth: models/staging/stg_usage.sql),
/// plus the project's own models.
struct ProjectModels {
  std::vector<Model> models;
  std::vector<std::string>
      overrides;  ///< "stg_usage (/p/models/staging/stg_usage.sql)": text differs from the built-in
  std::vector<std::string> project_models;  ///< names of the models only the project has
};
/// `dir` missing: the built-in models alone.
Result<ProjectModels> LoadProjectModels(const std::filesystem::path& dir);
/// Parses and resolves a set of (file, text) pairs.
Result<std::vector<Model>> LoadModels(const std::vector<std::pair<std::string, std::string>>& files);

/// A letter, digit or underscore: a character of an unquoted SQL identifier.
bool IsIdentChar(char c);

/// Identifiers of `sql` outside comments and string literals, lower-cased,
/// dotted names kept whole ("raw.usage").
std::vector<std::string> SqlIdentifiers(const std::string& sql);

/// Replaces every `raw.<name>` identifier outside comments and literals with
/// `<schema>.<name>` (incremental builds read delta.<name>).
std::string RewriteRawSchema(const std::string& sql, const std::string& schema);

/// A short stable fingerprint (hex) of the models' text: a build whose models
/// changed since the last one is a full build.
std::string ModelsFingerprint(const std::vector<Model>& models);

}  // namespace custlake::warehouse
