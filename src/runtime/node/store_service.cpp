#include "runtime/node/store_service.hpp"

#include <boost/asio/post.hpp>
#include <chrono>

#include "archive/open_archive.hpp"
#include "runtime/node/log.hpp"
#include "waku/archive/retention_policy.hpp"

namespace waku::runtime {

namespace asio = boost::asio;

namespace {

// Two workers: one query can run while a batch of inserts commits.
constexpr std::size_t kWorkerThreads = 2;

UnixNanos wall_now() {
  return UnixNanos{std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count()};
}

}  // namespace

Result<std::unique_ptr<StoreService>> StoreService::open(asio::io_context& io,
                                                         const NodeConfig& config, Clock clock,
                                                         store::StoreServerConfig server) {
  auto policy = archive::parse_retention_policy(config.store_message_retention_policy);
  if (!policy) return unexpected(policy.error());
  auto driver = archive::open_archive(config.store_message_db_url);
  if (!driver) return unexpected(driver.error());
  store::ArchiverConfig archiver_config;
  archiver_config.retention = *policy;
  log(LogLevel::kInfo, "store: archive {} open, retention {}", config.store_message_db_url,
      archive::to_string(*policy));
  return std::unique_ptr<StoreService>(
      new StoreService(io, std::shared_ptr<archive::ArchiveDriver>(std::move(driver).value()),
                       archiver_config, server, std::move(clock)));
}

StoreService::StoreService(asio::io_context& io, std::shared_ptr<archive::ArchiveDriver> driver,
                           store::ArchiverConfig archiver_config,
                           store::StoreServerConfig server_config, Clock clock)
    : io_(io),
      driver_(std::move(driver)),
      pool_(kWorkerThreads),
      clock_(std::move(clock)),
      server_(server_config),
      archiver_(clock_(), archiver_config),
      timer_(io),
      alive_(std::make_shared<bool>(true)) {
  arm_timer();
}

StoreService::~StoreService() { stop(); }

void StoreService::stop() {
  if (!*alive_) return;
  *alive_ = false;
  timer_.cancel();
  pool_.join();
}

void StoreService::archive(std::string_view pubsub_topic, const message::WakuMessage& message) {
  if (!*alive_) return;
  (void)archiver_.handle_message(clock_(), wall_now(), pubsub_topic, message);
  pump_archiver();
}

void StoreService::query(const crypto::PeerId& peer, ByteView request_body, Reply reply) {
  handle_outcome(server_.handle_request(clock_(), peer, request_body), std::move(reply));
}

void StoreService::query(const crypto::PeerId& peer, const store::StoreQueryRequest& request,
                         Reply reply) {
  handle_outcome(
      server_.handle_request(clock_(), peer, request, store::StoreServer::RateLimit::kExempt),
      std::move(reply));
}

void StoreService::handle_outcome(store::StoreServerOutcome outcome, Reply reply) {
  if (auto* response = std::get_if<store::StoreQueryResponse>(&outcome)) {
    reply(std::move(*response));
    return;
  }
  auto command = std::get<store::ArchiveQueryCommand>(std::move(outcome));
  if (!*alive_) return;
  waiting_.emplace(command.ticket, std::move(reply));
  asio::post(pool_, [this, driver = driver_, alive = alive_, command = std::move(command)] {
    auto page = driver->query(command.query);
    asio::post(io_, [this, alive, ticket = command.ticket, page = std::move(page)]() mutable {
      if (!*alive) return;
      auto response = server_.handle_archive_completion(ticket, std::move(page));
      const auto it = waiting_.find(ticket);
      if (it == waiting_.end()) return;
      Reply done = std::move(it->second);
      waiting_.erase(it);
      if (response) done(std::move(*response));
    });
  });
}

void StoreService::pump_archiver() {
  while (auto command = archiver_.poll_command()) {
    asio::post(pool_, [this, driver = driver_, alive = alive_, command = std::move(*command)] {
      auto completion = store::execute(*driver, command);
      asio::post(io_, [this, alive, completion = std::move(completion)]() mutable {
        if (!*alive) return;
        const bool failed_put = std::holds_alternative<store::PutDone>(completion.result) &&
                                !std::get<store::PutDone>(completion.result).added;
        if (failed_put) {
          log(LogLevel::kWarn, "store: archive write failed: {}",
              std::get<store::PutDone>(completion.result).added.error().message());
        }
        archiver_.handle_completion(clock_(), std::move(completion));
        pump_archiver();
      });
    });
  }
  arm_timer();
}

void StoreService::arm_timer() {
  if (!*alive_) return;
  const Duration delay = std::max(Duration{0}, archiver_.poll_timeout() - clock_());
  timer_.expires_after(delay);
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (error || !*alive_) return;
    archiver_.handle_timeout(clock_(), wall_now());
    pump_archiver();
  });
}

}  // namespace waku::runtime
