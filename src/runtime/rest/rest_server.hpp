// RestServer: nwaku's REST API (waku-operators.md §2) on top of HttpServer.
//
// Routes: GET /health; GET /debug/v1/info (and /info); GET /debug/v1/version (and /version);
// GET|POST /admin/v1/peers (only with --rest-admin, as nwaku); POST|DELETE
// /relay/v1/subscriptions; GET|POST /relay/v1/messages/{pubsubTopic}; POST|DELETE
// /relay/v1/auto/subscriptions; GET /relay/v1/auto/messages/{contentTopic}; POST
// /relay/v1/auto/messages (nwaku) and /relay/v1/auto/messages/{contentTopic}. JSON shapes,
// status codes and the text/plain error bodies follow nwaku's handlers. More routes (GET
// /store/v3/messages) plug in through RestOptions::extra_routes.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/rest/http_server.hpp"
#include "runtime/rest/message_cache.hpp"
#include "runtime/rest/node_api.hpp"
#include "waku/base/result.hpp"

namespace waku::runtime {

// An additional route, matched on the method and the exact path (the query string is not part
// of the match and is left in request.target for the handler to parse).
struct RestRoute {
  std::string method;  // "GET", "POST", ...
  std::string path;    // e.g. "/store/v3/messages"
  AsyncHttpHandler handler;
};

struct RestOptions {
  bool admin{false};  // nwaku --rest-admin: serve /admin/v1/*
  HttpServerLimits limits{};
  std::vector<RestRoute> extra_routes;
  // Unix time in nanoseconds for messages posted without a timestamp; tests inject a fixed one.
  std::function<std::int64_t()> unix_now_ns;
  // Topics per subscribe/unsubscribe request.
  std::size_t max_topics_per_request{100};
};

class RestServer {
 public:
  static Result<std::unique_ptr<RestServer>> start(boost::asio::io_context& io,
                                                   const std::string& address, std::uint16_t port,
                                                   NodeApi& node, MessageCache& cache,
                                                   RestOptions options = {});
  ~RestServer();
  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  void stop();

 private:
  RestServer() = default;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace waku::runtime
