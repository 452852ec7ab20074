// The front end's built files (web/dist), embedded at build time by
// cmake/WebAssets.cmake; empty when the binary was built without them.
#pragma once

#include <string_view>
#include <vector>

namespace custlake::serve {

struct WebAsset {
  std::string_view path;  ///< "/index.html", "/assets/index-BRbc3Qy8.js"
  std::string_view bytes;
  const char* content_type;
  bool hashed;  ///< named after its content: cacheable for good
};

const std::vector<WebAsset>& WebAssets();

}  // namespace custlake::serve
