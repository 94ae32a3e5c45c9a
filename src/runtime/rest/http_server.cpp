#include "runtime/rest/http_server.hpp"

#include <fmt/format.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <optional>

namespace waku::runtime {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Reads beyond what the parser has consumed are bounded too (pipelined requests): the header
// limit plus one read chunk.
constexpr std::size_t kReadChunkBytes = std::size_t{64} * 1024;

class Session;

}  // namespace

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& io, HttpServerLimits l, AsyncHttpHandler h)
      : acceptor(io), accept_retry(io), limits(l), handler(std::move(h)) {}

  void accept_next();

  // After a failed accept (out of file descriptors: the connection stays in the backlog, and
  // accepting again at once fails again at once, at 100 % CPU), wait this long.
  static constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  HttpServerLimits limits;
  AsyncHttpHandler handler;
  bool stopped{false};
  std::map<const Session*, std::weak_ptr<Session>> sessions;
};

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<HttpServer::State> state, tcp::socket socket)
      : state_(std::move(state)),
        stream_(std::move(socket)),
        buffer_(state_->limits.header_limit_bytes + kReadChunkBytes) {}

  ~Session() { state_->sessions.erase(this); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() { read_header(); }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  void read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->limits.header_limit_bytes));
    parser_->body_limit(state_->limits.body_limit_bytes);
    stream_.expires_after(state_->limits.read_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (state_->stopped) return close();
    if (ec) return on_read_error(ec);
    // curl and others wait (1 s) for "100 Continue" before sending a body larger than 1 KiB.
    const auto& request = parser_->get();
    const auto expect = request.find(http::field::expect);
    if (expect != request.end() && iequals(expect->value(), "100-continue")) {
      stream_.expires_after(state_->limits.write_timeout);
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](beast::error_code e, std::size_t) {
                          if (e || self->state_->stopped) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(state_->limits.read_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return respond_and_close(413, "Request body too large");
    }
    if (ec == http::error::header_limit) {
      return respond_and_close(431, "Request header too large");
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == http::error::partial_message) {
      return close();
    }
    if (ec.category() == http::make_error_code(http::error::bad_method).category()) {
      return respond_and_close(400, "Bad request");
    }
    close();
  }

  void on_body(beast::error_code ec) {
    if (state_->stopped) return close();
    if (ec) return on_read_error(ec);
    auto& request = parser_->get();
    HttpRequest in;
    in.method = std::string(request.method_string());
    in.target = std::string(request.target());
    in.content_type = std::string(request[http::field::content_type]);
    in.body = std::move(request.body());
    in.has_body = !in.body.empty();
    const bool keep_alive = request.keep_alive();
    try {
      state_->handler(in, [self = shared_from_this(), keep_alive](HttpResponse out) {
        if (self->state_->stopped) return self->close();
        self->send(std::move(out), keep_alive);
      });
    } catch (const std::exception& e) {
      send(HttpResponse{500, "text/plain", fmt::format("Internal error: {}", e.what())}, false);
    }
  }

  void respond_and_close(unsigned status, std::string text) {
    send(HttpResponse{status, "text/plain", std::move(text)}, false);
  }

  void send(HttpResponse out, bool keep_alive) {
    response_ = {};
    response_.version(11);
    response_.result(out.status);
    response_.set(http::field::content_type, out.content_type);
    response_.keep_alive(keep_alive);
    response_.body() = std::move(out.body);
    response_.prepare_payload();
    stream_.expires_after(state_->limits.write_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                        if (ec || !keep_alive || self->state_->stopped) return self->close();
                        self->read_header();
                      });
  }

  std::shared_ptr<HttpServer::State> state_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

}  // namespace

void HttpServer::State::accept_next() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopped || !self->acceptor.is_open()) return;
    if (ec) {
      self->accept_retry.expires_after(kAcceptRetryDelay);
      self->accept_retry.async_wait([self](const beast::error_code& e) {
        if (!e && !self->stopped) self->accept_next();
      });
      return;
    }
    if (self->sessions.size() >= self->limits.max_connections) {
      // Over the cap: refuse at once rather than queue; the client may retry.
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      auto session = std::make_shared<Session>(self, std::move(socket));
      self->sessions.emplace(session.get(), session);
      session->start();
    }
    self->accept_next();
  });
}

HttpServer::HttpServer(std::shared_ptr<State> state) : state_(std::move(state)) {}

HttpServer::~HttpServer() { stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::start(asio::io_context& io,
                                                      const std::string& address,
                                                      std::uint16_t port, HttpServerLimits limits,
                                                      HttpHandler handler) {
  return start(
      io, address, port, limits,
      [handler = std::move(handler)](const HttpRequest& request, const HttpResponder& respond) {
        respond(handler(request));
      });
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(asio::io_context& io,
                                                      const std::string& address,
                                                      std::uint16_t port, HttpServerLimits limits,
                                                      AsyncHttpHandler handler) {
  auto state = std::make_shared<State>(io, limits, std::move(handler));
  beast::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) {
    return make_error(Errc::kInvalidArgument, "http server",
                      fmt::format("'{}' is not an IP address", address));
  }
  const tcp::endpoint endpoint(ip, port);
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(Errc::kIo, "http server",
                      fmt::format("cannot listen on {}:{}: {}", address, port, ec.message()));
  }
  state->accept_next();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(state)));
}

std::uint16_t HttpServer::port() const {
  beast::error_code ec;
  const auto endpoint = state_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

std::size_t HttpServer::connection_count() const { return state_->sessions.size(); }

void HttpServer::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  beast::error_code ignored;
  state_->acceptor.close(ignored);
  state_->accept_retry.cancel();
  // Copy first: closing may destroy sessions, which erase themselves from the map.
  std::vector<std::shared_ptr<Session>> live;
  for (auto& [key, weak] : state_->sessions) {
    if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  for (auto& session : live) session->close();
}

}  // namespace waku::runtime
