// The model files compiled into the binary (models/*.sql, embedded by
// embed_models.cmake at build time), so `custlake build` needs no files at run
// time. Immutable static data: thread-safe.
#pragma once

#include <string>
#include <vector>

namespace custlake::warehouse {

struct EmbeddedModelFile {
  std::string path;  ///< "models/dim_customer.sql", for messages (file:line)
  std::string text;
};

/// Every embedded model file, sorted by path.
const std::vector<EmbeddedModelFile>& EmbeddedModelFiles();

}  // namespace custlake::warehouse
