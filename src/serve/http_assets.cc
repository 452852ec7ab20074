// GET / and the front end's files, as embedded at build time (web_assets.h):
// a hashed asset is cached for a year, index.html never; a path that is no
// file and no API (a page of the single-page app, e.g. /customer/42) gets
// index.html, whose router shows it. A binary built without the front end
// answers with a page that says how to build it.
#include <map>

#include "serve/http_api.h"
#include "serve/http_routes.h"
#include "serve/web_assets.h"

namespace custlake::serve {

namespace {

constexpr const char* kNotBuiltPage = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>custlake</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>custlake</h1>
<p>The server is running, but this binary was built without the web front end
(<code>web/package.json</code> or <code>npm</code> was missing when CMake ran).</p>
<p>To build it: install npm (<code>scripts/bootstrap.sh</code> does), then re-run
<code>cmake --preset release &amp;&amp; cmake --build --preset release</code>; the build runs
<code>npm run build</code> in <code>web/</code> and embeds <code>web/dist</code> in the binary.</p>
<p>The JSON API works meanwhile: <a href="/healthz">/healthz</a>, <a href="/api/dashboard">/api/dashboard</a>
(docs/serve.md lists every endpoint).</p>
</body></html>
)html";

const std::map<std::string_view, const WebAsset*>& AssetsByPath() {
  static const auto* assets = [] {
    auto* map = new std::map<std::string_view, const WebAsset*>;
    for (const WebAsset& asset : WebAssets()) (*map)[asset.path] = &asset;
    return map;
  }();
  return *assets;
}

void ServeAsset(const WebAsset& asset, httplib::Response& res) {
  res.status = 200;
  res.set_header("Cache-Control", asset.hashed ? "public, max-age=31536000, immutable" : "no-cache");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(asset.bytes.data(), asset.bytes.size(), asset.content_type);
}

void HandleStatic(const httplib::Request& req, httplib::Response& res) {
  if (req.path.starts_with("/api/") || req.path == "/api") {
    return ReplyJson(res, 404, {{"error", "no API endpoint " + req.method + " " + req.path +
                                              " (docs/serve.md lists them)"}});
  }
  const auto& assets = AssetsByPath();
  auto index = assets.find("/index.html");
  if (index == assets.end()) {
    res.status = req.path == "/" ? 200 : 404;
    res.set_header("Cache-Control", "no-cache");
    return res.set_content(kNotBuiltPage, "text/html; charset=utf-8");
  }
  auto it = assets.find(req.path);
  if (it != assets.end()) return ServeAsset(*it->second, res);
  if (req.path.starts_with("/assets/")) {  // a missing file of the bundle is an error, not a page
    res.status = 404;
    return res.set_content("no such asset: " + req.path, "text/plain; charset=utf-8");
  }
  ServeAsset(*index->second, res);  // the single-page app's own routes
}

}  // namespace

void RegisterAssets(httplib::Server& server) { server.Get(".*", HandleStatic); }

}  // namespace custlake::serve
