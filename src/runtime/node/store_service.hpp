// StoreService: the node's message archive and store v3 server, with the database off the event
// loop. The sans-I/O cores (store::StoreServer, store::Archiver) run on the event-loop thread and
// issue commands; the driver calls run on a small worker pool and their completions are posted
// back to the event loop, so a slow database delays answers, never relaying (ARCHITECTURE.md).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string_view>

#include "runtime/config/node_config.hpp"
#include "waku/archive/archive.hpp"
#include "waku/base/time.hpp"
#include "waku/store/archiver.hpp"
#include "waku/store/store_server.hpp"

namespace waku::runtime {

class StoreService {
 public:
  using Clock = std::function<Instant()>;
  using Reply = std::function<void(store::StoreQueryResponse)>;

  // Opens (and migrates) the database named by --store-message-db-url; blocking, at start-up.
  // `server` bounds the answers (max_response_bytes: what a stream can take).
  static Result<std::unique_ptr<StoreService>> open(boost::asio::io_context& io,
                                                    const NodeConfig& config, Clock clock,
                                                    store::StoreServerConfig server = {});
  ~StoreService();
  StoreService(const StoreService&) = delete;
  StoreService& operator=(const StoreService&) = delete;

  // A valid message relayed on one of our shards (or published by us): archived if eligible.
  void archive(std::string_view pubsub_topic, const message::WakuMessage& message);
  // A store v3 request from `peer`, rate limited per peer: `reply` runs on the event loop once
  // the answer is known.
  void query(const crypto::PeerId& peer, ByteView request_body, Reply reply);
  // The same for the node's own REST API: not rate limited (as nwaku's REST store route).
  void query(const crypto::PeerId& peer, const store::StoreQueryRequest& request, Reply reply);
  // Stops taking work and waits for the database calls in flight.
  void stop();

  [[nodiscard]] const store::ArchiverStats& archiver_stats() const { return archiver_.stats(); }
  [[nodiscard]] const store::StoreServerStats& server_stats() const { return server_.stats(); }

 private:
  StoreService(boost::asio::io_context& io, std::shared_ptr<archive::ArchiveDriver> driver,
               store::ArchiverConfig archiver_config, store::StoreServerConfig server_config,
               Clock clock);
  void handle_outcome(store::StoreServerOutcome outcome, Reply reply);
  void pump_archiver();
  void arm_timer();

  boost::asio::io_context& io_;
  std::shared_ptr<archive::ArchiveDriver> driver_;
  boost::asio::thread_pool pool_;
  Clock clock_;
  store::StoreServer server_;
  store::Archiver archiver_;
  boost::asio::steady_timer timer_;
  std::map<store::QueryTicket, Reply> waiting_;
  // Cleared by stop(): completions posted after it are dropped.
  std::shared_ptr<bool> alive_;
};

}  // namespace waku::runtime
