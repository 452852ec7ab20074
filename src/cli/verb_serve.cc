// custlake serve: the web UI and its JSON API over HTTP (--http ADDR:PORT)
// and the warehouse over the PostgreSQL wire protocol (--pg ADDR:PORT), in
// one process, read-only and sandboxed (src/serve, docs/serve.md). Both stop
// on SIGINT/SIGTERM.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "cli/cli.h"
#include "auth/user_store.h"
#include "serve/http_server.h"
#include "serve/pg_auth_method.h"
#include "serve/pg_compat.h"
#include "serve/pg_server.h"

namespace custlake::cli {

namespace {

std::atomic<bool> g_serve_stop{false};
void OnServeSignal(int) { g_serve_stop.store(true); }

struct ServeArgs {
  std::string pg = "127.0.0.1:5433";
  std::string http = "127.0.0.1:8080";
  bool no_pg = false;
  bool no_http = false;
  int64_t max_rows = 10000;
  double timeout_s = 300;
  int max_connections = 64;
  int max_sessions = 8;
  int64_t max_message_bytes = 1 << 20;
  int64_t lookup_memory_mb = 512;
  std::string tls_cert, tls_key;
};

query::SandboxOptions Sandbox(const ServeArgs& args) {
  query::SandboxOptions sandbox;
  sandbox.max_rows = args.max_rows == 0 ? -1 : args.max_rows;
  sandbox.timeout = std::chrono::milliseconds(static_cast<int64_t>(args.timeout_s * 1000));
  sandbox.lookup_memory_bytes = std::min<int64_t>(args.lookup_memory_mb, int64_t{1} << 40) << 20;  // no overflow
  return sandbox;
}

Result<serve::ServeOptions> PgOptions(const Config& config, const ServeArgs& args) {
  serve::ServeOptions options;
  RETURN_NOT_OK(serve::ParseListenAddress(args.pg, &options));
  options.lake_root = config.lake_root.string();
  options.sandbox = Sandbox(args);
  ASSIGN_OR_RETURN(std::vector<warehouse::Model> models, LoadWarehouseModels(config));
  options.sandbox.setup_sql = serve::PgCompatibilityMacros(models);
  options.max_connections = args.max_connections;
  options.max_message_bytes = static_cast<size_t>(args.max_message_bytes);
  options.tls_cert = args.tls_cert;
  options.tls_key = args.tls_key;
  if (const char* password = std::getenv("CUSTLAKE_PG_PASSWORD")) options.password = password;
  RETURN_NOT_OK(serve::Validate(options));
  return options;
}

Result<serve::HttpOptions> WebOptions(const Config& config, const ServeArgs& args) {
  serve::HttpOptions options;
  RETURN_NOT_OK(serve::ParseHttpAddress(args.http, &options));
  options.lake_root = config.lake_root.string();
  options.models_dir = (config.project_dir / "models").string();
  options.sandbox = Sandbox(args);
  options.max_sessions = args.max_sessions;
  return options;
}

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnServeSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

VerbResult RunServe(const GlobalOptions& global, const ServeArgs& args) {
  if (args.no_pg && args.no_http) return Status::InvalidArgument("--no-pg and --no-http together leave nothing to serve");
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  nlohmann::json summary{{"verb", "serve"}};
  std::optional<serve::PgServer> pg;
  std::optional<serve::ServeOptions> pg_options;
  std::unique_ptr<serve::HttpServer> http;
  if (!args.no_pg) {
    ASSIGN_OR_RETURN(serve::ServeOptions options, PgOptions(config, args));
    summary["pg"] = options.host + ":" + std::to_string(options.port);
    pg_options = options;
    pg.emplace(options);
  }
  if (!args.no_http) {
    ASSIGN_OR_RETURN(serve::HttpOptions options, WebOptions(config, args));
    http = std::make_unique<serve::HttpServer>(options);
    RETURN_NOT_OK(http->Bind());  // before anything runs: a taken port fails the verb at once
    summary["http"] = options.host + ":" + std::to_string(http->port());
    summary["url"] = "http://" + summary["http"].get<std::string>() + "/";
  }
  InstallSignalHandlers();
  Status http_status = Status::OK();
  std::thread http_thread;
  if (http) {
    http_thread = std::thread([&] {
      http_status = http->Run(&g_serve_stop, [&] {
        spdlog::info("serving the web UI and its JSON API on {}", summary["url"].get<std::string>());
      });
      g_serve_stop.store(true);  // one server failing stops the other
    });
  }
  Status pg_status = Status::OK();
  if (pg) {
    pg_status = pg->Run(&g_serve_stop, [&] {
      const auto users = auth::UserStore::Load(config.lake_root.string()).ValueOr(auth::UserStore());
      spdlog::info("serving the warehouse over PostgreSQL wire protocol on {} ({} authentication)",
                   summary["pg"].get<std::string>(), serve::AuthMethodName(serve::ChooseAuthMethod(*pg_options, users)));
    });
    g_serve_stop.store(true);
  }
  if (http_thread.joinable()) http_thread.join();
  RETURN_NOT_OK(pg_status);
  RETURN_NOT_OK(http_status);
  return summary;
}

}  // namespace

VerbResult RunServeDefaults(const GlobalOptions& global) { return RunServe(global, ServeArgs{}); }

void RegisterServe(CLI::App& app, VerbFn* run) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve the web UI and JSON API over HTTP and the warehouse over the PostgreSQL wire protocol");
  cmd->add_option("--http", args->http, "ADDRESS:PORT of the web UI and JSON API (default 127.0.0.1:8080; port 0: any free port)");
  cmd->add_option("--pg", args->pg, "ADDRESS:PORT of the PostgreSQL wire endpoint (default 127.0.0.1:5433)");
  cmd->add_flag("--no-http", args->no_http, "Do not serve HTTP (the PostgreSQL wire endpoint only)");
  cmd->add_flag("--no-pg", args->no_pg, "Do not serve the PostgreSQL wire protocol (HTTP only)");
  cmd->add_option("--max-rows", args->max_rows,
                  "Rows one statement returns at most (default 10000; 0: no limit)")
      ->check(AtLeast(0));
  cmd->add_option("--timeout", args->timeout_s, "Statement timeout in seconds (default 300)");
  cmd->add_option("--max-connections", args->max_connections,
                  "Concurrent PostgreSQL connections at most (default 64)")
      ->check(AtLeast(1));
  cmd->add_option("--max-sessions", args->max_sessions, "Web queries running at once at most (default 8)")
      ->check(AtLeast(1));
  cmd->add_option("--max-message-bytes", args->max_message_bytes, "Largest client message (default 1 MiB)")
      ->check(AtLeast(1024));
  cmd->add_option("--lookup-memory-mb", args->lookup_memory_mb,
                  "Memory per warehouse version for point lookups by key answered without DuckDB "
                  "(default 512: the facts of ~3 M customers, at ~10 bytes a row; 0: off; docs/serve.md)")
      ->check(AtLeast(0));
  cmd->add_option("--tls-cert", args->tls_cert, "PEM certificate (chain): answer SSLRequest with TLS (with --tls-key)");
  cmd->add_option("--tls-key", args->tls_key, "PEM private key of --tls-cert");
  cmd->callback([run, args] { *run = [args](const GlobalOptions& g) { return RunServe(g, *args); }; });
}

}  // namespace custlake::cli
