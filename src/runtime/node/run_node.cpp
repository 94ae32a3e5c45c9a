#include "runtime/node/run_node.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "runtime/node/log.hpp"
#include "runtime/node/node.hpp"
#include "runtime/rest/rest_server.hpp"

namespace waku::runtime {

int run_node(const NodeConfig& config) {
  if (auto level = parse_log_level(config.log_level)) {
    set_log_level(*level);
  }
  boost::asio::io_context io;
  auto node = Node::create(io, config);
  if (!node) {
    log(LogLevel::kError, "cannot create the node: {}", node.error().message());
    return 1;
  }
  if (auto started = (*node)->start(); !started) {
    log(LogLevel::kError, "cannot start the node: {}", started.error().message());
    return 1;
  }
  (*node)->message_cache().set_capacity(config.rest_relay_cache_capacity);
  std::unique_ptr<RestServer> rest;
  if (config.rest) {
    RestOptions options;
    options.admin = config.rest_admin;
    auto started = RestServer::start(io, config.rest_address, config.rest_port, **node,
                                     (*node)->message_cache(), std::move(options));
    if (!started) {
      log(LogLevel::kError, "cannot start the REST server: {}", started.error().message());
      return 1;
    }
    rest = std::move(started).value();
    log(LogLevel::kInfo, "REST API on http://{}:{}", config.rest_address, rest->port());
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    log(LogLevel::kInfo, "signal {}: stopping", signal);
    if (rest) rest->stop();
    (*node)->stop();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace waku::runtime
