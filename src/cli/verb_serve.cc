// custlake serve --pg ADDR:PORT: the warehouse over the PostgreSQL wire
// protocol, read-only and sandboxed (src/serve, docs/serve.md).
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <cstdlib>

#include "cli/cli.h"
#include "auth/user_store.h"
#include "serve/pg_auth_method.h"
#include "serve/pg_compat.h"
#include "serve/pg_server.h"

namespace custlake::cli {

namespace {

std::atomic<bool> g_serve_stop{false};
void OnServeSignal(int) { g_serve_stop.store(true); }

struct ServeArgs {
  std::string pg = "127.0.0.1:5433";
  int64_t max_rows = 10000;
  double timeout_s = 300;
  int max_connections = 64;
  int64_t max_message_bytes = 1 << 20;
  std::string tls_cert, tls_key;
};

VerbResult RunServe(const GlobalOptions& global, const ServeArgs& args) {
  ASSIGN_OR_RETURN(Config config, LoadProjectConfig(global));
  serve::ServeOptions options;
  RETURN_NOT_OK(serve::ParseListenAddress(args.pg, &options));
  options.lake_root = config.lake_root.string();
  options.sandbox.max_rows = args.max_rows == 0 ? -1 : args.max_rows;
  options.sandbox.timeout = std::chrono::milliseconds(static_cast<int64_t>(args.timeout_s * 1000));
  ASSIGN_OR_RETURN(std::vector<warehouse::Model> models, LoadWarehouseModels(config));
  options.sandbox.setup_sql = serve::PgCompatibilityMacros(models);
  options.max_connections = args.max_connections;
  options.max_message_bytes = static_cast<size_t>(args.max_message_bytes);
  options.tls_cert = args.tls_cert;
  options.tls_key = args.tls_key;
  if (const char* password = std::getenv("CUSTLAKE_PG_PASSWORD")) options.password = password;

  struct sigaction sa {};
  sa.sa_handler = OnServeSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  serve::PgServer server(options);
  RETURN_NOT_OK(server.Run(&g_serve_stop, [&] {
    const auto users = auth::UserStore::Load(options.lake_root).ValueOr(auth::UserStore());
    spdlog::info("serving the warehouse over PostgreSQL wire protocol on {}:{} ({} authentication)",
                 options.host, options.port, serve::AuthMethodName(serve::ChooseAuthMethod(options, users)));
  }));
  return nlohmann::json{{"verb", "serve"}, {"pg", options.host + ":" + std::to_string(options.port)}};
}

}  // namespace

VerbResult RunServeDefaults(const GlobalOptions& global) { return RunServe(global, ServeArgs{}); }

void RegisterServe(CLI::App& app, VerbFn* run) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd =
      app.add_subcommand("serve", "Serve the warehouse to BI tools over the PostgreSQL wire protocol");
  cmd->add_option("--pg", args->pg, "ADDRESS:PORT to listen on (default 127.0.0.1:5433)");
  cmd->add_option("--max-rows", args->max_rows,
                  "Rows one statement returns at most (default 10000; 0: no limit)")
      ->check(AtLeast(0));
  cmd->add_option("--timeout", args->timeout_s, "Statement timeout in seconds (default 300)");
  cmd->add_option("--max-connections", args->max_connections, "Concurrent connections at most (default 64)")
      ->check(AtLeast(1));
  cmd->add_option("--max-message-bytes", args->max_message_bytes, "Largest client message (default 1 MiB)")
      ->check(AtLeast(1024));
  cmd->add_option("--tls-cert", args->tls_cert, "PEM certificate (chain): answer SSLRequest with TLS (with --tls-key)");
  cmd->add_option("--tls-key", args->tls_key, "PEM private key of --tls-cert");
  cmd->callback([run, args] { *run = [args](const GlobalOptions& g) { return RunServe(g, *args); }; });
}

}  // namespace custlake::cli
