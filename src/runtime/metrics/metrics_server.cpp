#include "runtime/metrics/metrics_server.hpp"

namespace waku::runtime::metrics {

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(boost::asio::io_context& io,
                                                            const std::string& address,
                                                            std::uint16_t port,
                                                            Registry& registry) {
  HttpServerLimits limits;
  limits.max_connections = 16;                       // scrapers, not users
  limits.body_limit_bytes = std::size_t{16} * 1024;  // GET only
  auto http = HttpServer::start(io, address, port, limits, [&registry](const HttpRequest& request) {
    const std::string_view target = request.target;
    const std::string_view path = target.substr(0, target.find('?'));
    if (path != "/metrics") return HttpResponse{404, "text/plain", "Not Found"};
    if (request.method != "GET") return HttpResponse{405, "text/plain", "Method Not Allowed"};
    return HttpResponse{200, std::string(kContentType), registry.render()};
  });
  if (!http) return Unexpected{http.error()};
  auto server = std::unique_ptr<MetricsServer>(new MetricsServer());
  server->http_ = std::move(http).value();
  return server;
}

MetricsServer::~MetricsServer() { stop(); }

std::uint16_t MetricsServer::port() const { return http_ ? http_->port() : 0; }

void MetricsServer::stop() {
  if (http_) http_->stop();
}

}  // namespace waku::runtime::metrics
