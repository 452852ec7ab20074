// The dependency graph of the models: which model reads which, and the order
// to build them in (a topological sort, ties broken by name so the order is
// deterministic). A cycle is an error that names it: "dependency cycle:
// a (models/a.sql) -> b (models/b.sql) -> a".
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "warehouse/model.h"

namespace custlake::warehouse {

/// Indices into `models` in build order (every model after the models it refs).
Result<std::vector<size_t>> BuildOrder(const std::vector<Model>& models);

/// Models in build order (copies).
Result<std::vector<Model>> SortModels(std::vector<Model> models);

}  // namespace custlake::warehouse
