// MetricsServer: serves the registry at GET /metrics in the Prometheus text format, on its own
// address and port (nwaku --metrics-server-address/--metrics-server-port, default
// 127.0.0.1:8008), on the node's io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/metrics/registry.hpp"
#include "runtime/rest/http_server.hpp"
#include "waku/base/result.hpp"

namespace waku::runtime::metrics {

// The exposition format's content type (Prometheus text format 0.0.4).
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

class MetricsServer {
 public:
  // Port 0: an ephemeral port (tests), see port(). The registry must outlive the server.
  static Result<std::unique_ptr<MetricsServer>> start(boost::asio::io_context& io,
                                                      const std::string& address,
                                                      std::uint16_t port, Registry& registry);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  void stop();

 private:
  MetricsServer() = default;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace waku::runtime::metrics
