#include "serve/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "auth/user_store.h"
#include "serve/http_api.h"
#include "serve/http_routes.h"
#include "serve/listen_address.h"

namespace custlake::serve {

Status ParseHttpAddress(const std::string& text, HttpOptions* options) {
  return ParseHostPort("--http", text, &options->host, &options->port, /*allow_any_port=*/true);
}

struct HttpServer::Impl {
  explicit Impl(HttpOptions opts) : ctx(std::move(opts)) {}
  ApiContext ctx;
  httplib::Server server;
  int port = 0;
  bool bound = false;
  int listen_fd = -1;  ///< the listening socket, as set_socket_options saw it last
};

namespace {

void RegisterHealth(httplib::Server& server, ApiContext& ctx) {
  server.Get("/healthz", [&ctx](const httplib::Request&, httplib::Response& res) {
    auto version = ctx.queries.WarehouseVersion();
    if (!version.ok()) return ReplyError(res, version.status());
    ReplyJson(res, 200, {{"status", "ok"}, {"warehouse_version", *version ? nlohmann::json(**version) : nullptr}});
  });
}

/// Unknown /api paths and handler exceptions answer JSON, not httplib's empty pages.
void RegisterErrorPages(httplib::Server& server) {
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!req.path.starts_with("/api/") || !res.body.empty()) return;
    const int status = res.status;
    ReplyJson(res, status,
              {{"error", status == 404 ? "no API endpoint " + req.method + " " + req.path + " (docs/serve.md lists them)"
                                       : "HTTP " + std::to_string(status)}});
  });
  server.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("{} {}: {}", req.method, req.path, what);
    ReplyJson(res, 500, {{"error", "internal error: " + what}});
  });
}

/// Whenever the lake's generation moves on (at start, and when a build publishes a warehouse version
/// or new scores land), opens its database for the dashboard's sessions and computes the dashboard's
/// default answers (WarmDashboard), off the request path: requests meanwhile are answered from the
/// generation the pool serves, and the first visitors of the new one find its default answers cached,
/// or wait for this one computation. (The SQL editor's pool opens a new generation when a query first
/// finds the lake moved on, also on a thread of its own: SessionPool::Acquire.)
void WarmOnNewGenerations(ApiContext& ctx, const std::atomic<bool>* stop, const std::atomic<bool>& done) {
  int64_t warmed = -1;
  while (!stop->load() && !done.load()) {
    auto generation = ctx.dashboard.Generation();
    if (generation.ok() && *generation != warmed) {
      try {
        const Status opened = ctx.dashboard.Prepare();
        if (!opened.ok()) spdlog::warn("opening the lake's generation {}: {}", *generation, opened.ToString());
        WarmDashboard(ctx);
      } catch (const std::exception& e) {  // as a handler's would, it must not end the server
        spdlog::error("computing the dashboard's default answers: {}", e.what());
      }
      warmed = *generation;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace

HttpServer::HttpServer(HttpOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  httplib::Server& server = impl_->server;
  const int threads = std::max(2, impl_->ctx.options.threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  server.set_payload_max_length(1 << 20);
  server.set_keep_alive_max_count(1000);
  server.set_tcp_nodelay(true);  // headers and body go as separate writes: no Nagle wait between them
  server.set_keep_alive_timeout(5);  // then an idle kept-alive connection gives its worker thread back
  // cpp-httplib listens with a backlog of 5: twenty clients connecting at one instant lose SYNs and wait
  // out a one-second retransmit. Bind() listens again with the system's maximum; this notes the socket.
  server.set_socket_options([impl = impl_.get()](socket_t sock) {
    httplib::default_socket_options(sock);
    impl->listen_fd = sock;
  });
  RegisterErrorPages(server);
  ApiContext& ctx = impl_->ctx;
  server.set_pre_routing_handler([&ctx](const httplib::Request& req, httplib::Response& res) {
    return ctx.auth.Refuse(req, res) ? httplib::Server::HandlerResponse::Handled
                                     : httplib::Server::HandlerResponse::Unhandled;
  });
  ctx.auth.RegisterRoutes(server);
  RegisterHealth(server, impl_->ctx);
  RegisterQueryApi(server, impl_->ctx);
  RegisterDashboardApi(server, impl_->ctx);
  RegisterExploreApi(server, impl_->ctx);
  RegisterRetentionApi(server, impl_->ctx);
  RegisterAssets(server);
}

HttpServer::~HttpServer() = default;

int HttpServer::port() const { return impl_->port; }

Status HttpServer::Bind() {
  const HttpOptions& options = impl_->ctx.options;
  if (impl_->ctx.auth.login_required()) {
    ASSIGN_OR_RETURN(auth::UserStore users, auth::UserStore::Load(options.lake_root));
    if (users.empty()) {
      return Status::InvalidArgument("refusing to serve the web UI on " + options.host +
                                     " with no users to log in: beyond loopback every /api call needs a login; add "
                                     "a user with `custlake user add NAME --password-stdin` (or bind 127.0.0.1)");
    }
  }
  const std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  if (options.port == 0) {
    impl_->port = impl_->server.bind_to_any_port(host);
  } else if (impl_->server.bind_to_port(host, options.port)) {
    impl_->port = options.port;
  } else {
    impl_->port = -1;
  }
  if (impl_->port <= 0) {
    return Status::IOError("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                           " (in use, or not an address of this machine): choose another with --http ADDRESS:PORT");
  }
  // On Linux a second listen() on a listening socket sets its backlog.
  if (impl_->listen_fd >= 0 && ::listen(impl_->listen_fd, SOMAXCONN) != 0) {
    spdlog::warn("the web server's listen backlog stays at cpp-httplib's 5: {}", std::strerror(errno));
  }
  impl_->bound = true;
  return Status::OK();
}

Status HttpServer::Run(const std::atomic<bool>* stop, const std::function<void()>& on_listening) {
  if (!impl_->bound) RETURN_NOT_OK(Bind());
  std::atomic<bool> done{false};
  std::thread listener([this, &done] {
    impl_->server.listen_after_bind();
    done.store(true);
  });
  while (!impl_->server.is_running() && !done.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (!done.load() && on_listening) on_listening();
  std::thread warmer([this, stop, &done] { WarmOnNewGenerations(impl_->ctx, stop, done); });
  while (!stop->load() && !done.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  impl_->server.stop();
  listener.join();
  warmer.join();
  return Status::OK();
}

}  // namespace custlake::serve
