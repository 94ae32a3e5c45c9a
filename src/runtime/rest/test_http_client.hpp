// A test-only HTTP client: sends raw request bytes to 127.0.0.1:<port> and reads one response,
// driving the same io_context as the server from the test thread (no second thread, so the fake
// node needs no locking). Used by the REST and metrics tests.
#pragma once

#include <fmt/format.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace waku::runtime::testing {

struct Reply {
  bool received{false};  // false: the server closed (or the deadline passed) without a response
  unsigned status{0};
  std::string content_type;
  std::string body;
};

// Runs `io` until `done` or the deadline.
template <typename Done>
void run_until(boost::asio::io_context& io, Done done,
               std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  io.restart();
  while (!done() && std::chrono::steady_clock::now() < until) {
    io.run_one_for(std::chrono::milliseconds(50));
  }
}

inline Reply raw_request(boost::asio::io_context& io, std::uint16_t port, std::string raw,
                         std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  struct Client {
    explicit Client(boost::asio::io_context& c) : stream(c) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    std::string request;
    bool done{false};
    Reply reply;
  };
  auto client = std::make_shared<Client>(io);
  client->request = std::move(raw);
  const tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), port);
  client->stream.async_connect(endpoint, [client](beast::error_code ec) {
    if (ec) {
      client->done = true;
      return;
    }
    boost::asio::async_write(client->stream, boost::asio::buffer(client->request),
                             [client](beast::error_code, std::size_t) {
                               // Read even if the write failed: the server may have answered (413)
                               // and closed.
                               http::async_read(
                                   client->stream, client->buffer, client->response,
                                   [client](beast::error_code e, std::size_t) {
                                     if (!e) {
                                       client->reply.received = true;
                                       client->reply.status = client->response.result_int();
                                       client->reply.content_type =
                                           std::string(client->response[http::field::content_type]);
                                       client->reply.body = client->response.body();
                                     }
                                     client->done = true;
                                   });
                             });
  });
  run_until(
      io, [&] { return client->done; }, deadline);
  beast::error_code ignored;
  client->stream.socket().close(ignored);
  return client->reply;
}

inline std::string make_request(std::string_view method, std::string_view target,
                                std::string_view body = {},
                                std::string_view content_type = "application/json") {
  std::string headers =
      fmt::format("{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method, target);
  if (!body.empty()) {
    headers += fmt::format("Content-Type: {}\r\nContent-Length: {}\r\n", content_type, body.size());
  }
  return headers + "\r\n" + std::string(body);
}

inline Reply request(boost::asio::io_context& io, std::uint16_t port, std::string_view method,
                     std::string_view target, std::string_view body = {},
                     std::string_view content_type = "application/json") {
  return raw_request(io, port, make_request(method, target, body, content_type));
}

}  // namespace waku::runtime::testing
