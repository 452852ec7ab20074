// Typed, strict reading of one table of a TOML document.
//
// Every getter checks the value's type and reports mistakes with the file,
// line and full key ("custlake.toml:7: generate.customers must be an
// integer, got a string"). Finish() reports keys nobody asked for, so a typo
// such as `lake.rot` is an error instead of a silently ignored setting.
//
// A TomlSection borrows the toml::table it reads; the parsed document must
// outlive it. Not thread-safe (it records which keys were read).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace toml {
inline namespace v3 {
class table;
class node;
}  // namespace v3
}  // namespace toml

namespace custlake {

/// Levenshtein distance: how many one-character edits turn `a` into `b`
/// (what a "did you mean" uses to find the name meant).
size_t EditDistance(const std::string& a, const std::string& b);

class TomlSection {
 public:
  /// `path` is the dotted key of this table ("" for the root); `file` the
  /// config file's name used in messages.
  TomlSection(const toml::table* table, std::string path, std::string file);

  bool Has(const std::string& key) const;
  Status Get(const std::string& key, std::string* out, bool required = false);
  Status Get(const std::string& key, int64_t* out, bool required = false);
  Status Get(const std::string& key, int* out, bool required = false);
  Status Get(const std::string& key, double* out, bool required = false);
  Status Get(const std::string& key, bool* out, bool required = false);
  Status Get(const std::string& key, std::vector<std::string>* out, bool required = false);
  /// A nested table; absent → a section over an empty table.
  Result<TomlSection> Section(const std::string& key);
  /// Every key of this table, in file order (for user-named settings).
  std::vector<std::string> Keys() const;
  /// True when `key` holds a table.
  bool IsTable(const std::string& key) const;
  /// Names of the sub-tables (for user-named groups such as [sources.NAME]).
  Result<std::vector<std::string>> TableKeys();
  /// Errors for every key that was never read.
  Status Finish() const;

  /// "custlake.toml:12" for a key, or just the file when it has no position.
  std::string Where(const std::string& key) const;
  std::string FullKey(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  Status Invalid(const std::string& key, const std::string& what) const;

 private:
  const toml::node* Lookup(const std::string& key, bool required, Status* status);

  const toml::table* table_;
  std::string path_;
  std::string file_;
  std::set<std::string> read_;
};

}  // namespace custlake
