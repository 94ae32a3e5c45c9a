// HttpServer: a small HTTP/1.1 server (Boost.Beast) for the REST API and the metrics endpoint.
//
// It runs on the node's io_context, so handlers run on the event-loop thread and may call the
// node directly. Everything a client controls is bounded, so that a hostile or broken client
// cannot grow memory or hold resources: the number of connections, the header and body sizes,
// and the time a request may take to arrive (which also ends idle keep-alive connections) or a
// response to be read. Requests beyond a limit get 413/431/503 or are cut off.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "waku/base/result.hpp"

namespace waku::runtime {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent (still percent-encoded)
  std::string content_type;
  std::string body;
  bool has_body{false};  // a body was sent (Content-Length or chunked), even if empty
};

struct HttpResponse {
  unsigned status{200};
  std::string content_type{"text/plain"};
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
// For answers that arrive later (a store query runs on the database workers): the handler calls
// the responder exactly once, on the io_context's thread.
using HttpResponder = std::function<void(HttpResponse)>;
using AsyncHttpHandler = std::function<void(const HttpRequest&, HttpResponder)>;

struct HttpServerLimits {
  std::size_t max_connections{64};
  std::size_t header_limit_bytes{std::size_t{16} * 1024};
  std::size_t body_limit_bytes{std::size_t{1024} * 1024};
  // Time for a whole request (headers and body) to arrive, counted from the end of the previous
  // response on a kept-alive connection.
  std::chrono::milliseconds read_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds write_timeout{std::chrono::seconds(10)};
};

class HttpServer {
 public:
  // Binds and listens on address:port (port 0: an ephemeral port, see port()).
  static Result<std::unique_ptr<HttpServer>> start(boost::asio::io_context& io,
                                                   const std::string& address, std::uint16_t port,
                                                   HttpServerLimits limits, HttpHandler handler);
  static Result<std::unique_ptr<HttpServer>> start(boost::asio::io_context& io,
                                                   const std::string& address, std::uint16_t port,
                                                   HttpServerLimits limits,
                                                   AsyncHttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::size_t connection_count() const;
  // Stops accepting and closes every connection; the handler is not called again.
  void stop();

  struct State;

 private:
  explicit HttpServer(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace waku::runtime
