#include "runtime/rest/rest_server.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <set>

#include "runtime/rest/json_codec.hpp"
#include "waku/message/topics.hpp"

#ifndef WAKU_VERSION
#define WAKU_VERSION "unknown"
#endif

namespace waku::runtime {

namespace json = boost::json;

namespace {

constexpr std::string_view kRelayCodec = "/vac/waku/relay/2.0.0";
constexpr std::string_view kMessagesPrefix = "/relay/v1/messages/";
constexpr std::string_view kAutoMessagesPath = "/relay/v1/auto/messages";
constexpr std::string_view kAutoMessagesPrefix = "/relay/v1/auto/messages/";

HttpResponse text(unsigned status, std::string body) {
  return HttpResponse{status, "text/plain", std::move(body)};
}
HttpResponse ok_text() { return text(200, "OK"); }
HttpResponse json_response(const json::value& value) {
  return HttpResponse{200, "application/json", json::serialize(value)};
}

std::int64_t system_unix_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The body as JSON, or the 400 that nwaku's decodeRequestBody gives.
Result<json::value> json_body(const HttpRequest& request) {
  const auto fail = [](std::string message) {
    return Unexpected{make_error(Errc::kDecode, "", std::move(message))};
  };
  if (!request.has_body) return fail("Missing content body");
  std::string media = request.content_type.substr(0, request.content_type.find(';'));
  media.erase(0, media.find_first_not_of(" \t"));
  media.erase(media.find_last_not_of(" \t") + 1);
  std::transform(media.begin(), media.end(), media.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (media != "application/json" && media != "text/plain") {
    return fail("Wrong Content-Type, expected application/json or text/plain");
  }
  auto value = parse_json_strict(request.body);
  if (!value) return fail("Invalid content body, could not decode: " + value.error().detail);
  return value;
}

std::string peer_multiaddr(const PeerView& peer) {
  std::string suffix = "/p2p/" + peer.peer_id;
  if (peer.multiaddrs.empty()) return suffix;
  const std::string& first = peer.multiaddrs.front();
  if (first.find("/p2p/") != std::string::npos) return first;
  return first + suffix;
}

// Per-server state the handlers need besides the node and the cache.
class RestRouter {
 public:
  RestRouter(NodeApi& node, MessageCache& cache, RestOptions options)
      : node_(node), cache_(cache), options_(std::move(options)) {
    if (!options_.unix_now_ns) options_.unix_now_ns = system_unix_ns;
  }

  HttpResponse handle(const HttpRequest& request);
  // The extra routes (which may answer later), then everything else.
  void handle_async(const HttpRequest& request, HttpResponder respond) {
    const std::string_view target = request.target;
    const std::string_view path = target.substr(0, target.find('?'));
    for (const auto& route : options_.extra_routes) {
      if (route.path == path && route.method == request.method) {
        route.handler(request, std::move(respond));
        return;
      }
    }
    respond(handle(request));
  }

 private:
  HttpResponse health() const;
  HttpResponse info() const;
  HttpResponse admin_peers() const;
  HttpResponse admin_add_peers(const HttpRequest& request);
  HttpResponse relay_subscribe(const HttpRequest& request, bool subscribe);
  HttpResponse relay_get(std::string_view encoded_topic);
  HttpResponse relay_post(const HttpRequest& request, std::string_view encoded_topic);
  HttpResponse auto_subscribe(const HttpRequest& request, bool subscribe);
  HttpResponse auto_get(std::string_view encoded_topic);
  HttpResponse auto_post(const HttpRequest& request, std::optional<std::string_view> encoded);
  Result<std::string> shard_topic(const std::string& content_topic) const;

  NodeApi& node_;
  MessageCache& cache_;
  RestOptions options_;
  // Shards this server subscribed only because of content-topic subscriptions; unsubscribed
  // again when their last content topic goes.
  std::set<std::string> auto_owned_shards_;
};

HttpResponse RestRouter::handle(const HttpRequest& request) {
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  const std::string& method = request.method;
  const auto method_not_allowed = [] { return text(405, "Method Not Allowed"); };

  if (path == "/health") return method == "GET" ? health() : method_not_allowed();
  if (path == "/debug/v1/info" || path == "/info") {
    return method == "GET" ? info() : method_not_allowed();
  }
  if (path == "/debug/v1/version" || path == "/version") {
    return method == "GET" ? text(200, WAKU_VERSION) : method_not_allowed();
  }
  if (path == "/admin/v1/peers" && options_.admin) {
    if (method == "GET") return admin_peers();
    if (method == "POST") return admin_add_peers(request);
    return method_not_allowed();
  }
  if (path == "/relay/v1/subscriptions") {
    if (method == "POST" || method == "DELETE") return relay_subscribe(request, method == "POST");
    return method_not_allowed();
  }
  if (path.starts_with(kMessagesPrefix) && path.size() > kMessagesPrefix.size()) {
    const auto topic = path.substr(kMessagesPrefix.size());
    if (method == "GET") return relay_get(topic);
    if (method == "POST") return relay_post(request, topic);
    return method_not_allowed();
  }
  if (path == "/relay/v1/auto/subscriptions") {
    if (method == "POST" || method == "DELETE") return auto_subscribe(request, method == "POST");
    return method_not_allowed();
  }
  if (path == kAutoMessagesPath) {
    return method == "POST" ? auto_post(request, std::nullopt) : method_not_allowed();
  }
  if (path.starts_with(kAutoMessagesPrefix) && path.size() > kAutoMessagesPrefix.size()) {
    const auto topic = path.substr(kAutoMessagesPrefix.size());
    if (method == "GET") return auto_get(topic);
    if (method == "POST") return auto_post(request, topic);
    return method_not_allowed();
  }
  return text(404, "Not Found");
}

// nwaku's NodeHealthMonitor report: the node's state, a connection summary and one entry per
// protocol nwaku knows, NOT_MOUNTED for the ones this node does not run.
HttpResponse RestRouter::health() const {
  const auto peers = node_.peers();
  std::size_t connected = 0;
  std::size_t relay_peers = 0;
  for (const auto& peer : peers) {
    if (!peer.connected) continue;
    ++connected;
    if (std::find(peer.protocols.begin(), peer.protocols.end(), kRelayCodec) !=
        peer.protocols.end()) {
      ++relay_peers;
    }
  }
  json::array protocols;
  const auto add = [&](std::string_view name, std::string_view status,
                       std::optional<std::string_view> desc = std::nullopt) {
    json::object entry;
    entry[name] = status;
    if (desc) entry["desc"] = *desc;
    protocols.push_back(std::move(entry));
  };
  const bool relay_ready = node_.relay_enabled() && relay_peers > 0;
  if (!node_.relay_enabled()) {
    add("Relay", "NOT_MOUNTED");
  } else if (relay_ready) {
    add("Relay", "READY");
  } else {
    add("Relay", "NOT_READY", "No connected peers");
  }
  for (const std::string_view name :
       {"Rln Relay", "Lightpush", "Legacy Lightpush", "Filter", "Store", "Legacy Store",
        "Peer Exchange", "Rendezvous", "Mix", "Lightpush Client", "Legacy Lightpush Client",
        "Store Client", "Legacy Store Client", "Filter Client"}) {
    add(name, "NOT_MOUNTED");
  }
  json::object report;
  report["nodeHealth"] = node_.is_ready() ? "READY" : "INITIALIZING";
  report["connectionStatus"] = connected == 0 ? "Disconnected"
                               : relay_ready  ? "Connected"
                                              : "PartiallyConnected";
  report["protocolsHealth"] = std::move(protocols);
  return json_response(report);
}

HttpResponse RestRouter::info() const {
  json::object out;
  json::array addresses;
  for (const auto& address : node_.listen_addresses()) addresses.emplace_back(address);
  out["listenAddresses"] = std::move(addresses);
  if (auto enr = node_.enr_uri()) out["enrUri"] = *enr;
  return json_response(out);
}

HttpResponse RestRouter::admin_peers() const {
  json::array out;
  for (const auto& peer : node_.peers()) {
    json::object entry;
    entry["multiaddr"] = peer_multiaddr(peer);
    json::array protocols;
    for (const auto& protocol : peer.protocols) protocols.emplace_back(protocol);
    entry["protocols"] = std::move(protocols);
    json::array shards;
    for (const auto shard : peer.shards) shards.emplace_back(shard);
    entry["shards"] = std::move(shards);
    entry["connected"] = peer.connected ? "Connected" : "NotConnected";
    entry["agent"] = peer.agent;
    entry["origin"] = peer.origin;
    if (peer.score) entry["score"] = *peer.score;
    out.push_back(std::move(entry));
  }
  return json_response(out);
}

HttpResponse RestRouter::admin_add_peers(const HttpRequest& request) {
  auto body = json_body(request);
  if (!body) return text(400, body.error().detail);
  auto addresses = string_array_from_json(*body, options_.max_topics_per_request);
  if (!addresses)
    return text(400, "Invalid content body, could not decode: " + addresses.error().detail);
  for (std::size_t i = 0; i < addresses->size(); ++i) {
    const auto& address = (*addresses)[i];
    if (auto ok = node_.add_peer(address); !ok) {
      return text(400, fmt::format("Failed to connect to peer at index: {} - {}: {}", i, address,
                                   ok.error().message()));
    }
  }
  return ok_text();
}

HttpResponse RestRouter::relay_subscribe(const HttpRequest& request, bool subscribe) {
  auto body = json_body(request);
  if (!body) return text(400, body.error().detail);
  auto topics = string_array_from_json(*body, options_.max_topics_per_request);
  if (!topics) return text(400, "Invalid content body, could not decode: " + topics.error().detail);
  // Validate all before changing anything, so that a bad request has no effect.
  for (const auto& topic : *topics) {
    auto shard = message::parse_pubsub_topic(topic);
    if (!shard) return text(400, fmt::format("Invalid pubsub topic: {}", topic));
    if (subscribe && shard->cluster_id != node_.cluster_id()) {
      return text(400, fmt::format("Pubsub topic {} is not in this node's cluster {}", topic,
                                   node_.cluster_id()));
    }
  }
  for (const auto& topic : *topics) {
    if (subscribe) {
      // Wanted for itself now: unsubscribing the content topics that brought it in no longer
      // leaves it.
      auto_owned_shards_.erase(topic);
      if (cache_.is_subscribed(topic)) continue;
      if (!cache_.subscribe(topic)) return text(400, "Too many subscriptions");
      if (auto ok = node_.subscribe(topic); !ok) {
        cache_.unsubscribe(topic);
        return text(400, fmt::format("Failed to subscribe to {}: {}", topic, ok.error().message()));
      }
    } else {
      // As nwaku: unsubscribing from a topic that is not subscribed is not an error.
      (void)node_.unsubscribe(topic);
      cache_.unsubscribe(topic);
      auto_owned_shards_.erase(topic);
    }
  }
  return ok_text();
}

HttpResponse RestRouter::relay_get(std::string_view encoded_topic) {
  auto topic = url_decode(encoded_topic);
  if (!topic) return text(400, "Invalid pubsub topic encoding");
  auto messages = cache_.take(*topic);
  if (!messages) return text(404, fmt::format("Not subscribed to topic: {}", *topic));
  json::array out;
  for (const auto& message : *messages) out.push_back(message_to_json(message));
  return json_response(out);
}

HttpResponse RestRouter::relay_post(const HttpRequest& request, std::string_view encoded_topic) {
  auto topic = url_decode(encoded_topic);
  if (!topic) return text(400, "Invalid pubsub topic encoding");
  // As nwaku: publishing on a topic the node is not subscribed to risks having no peers.
  if (!cache_.is_subscribed(*topic)) {
    return text(400, "Failed to publish: Node not subscribed to topic: " + *topic);
  }
  auto body = json_body(request);
  if (!body) return text(400, body.error().detail);
  auto message = message_from_json(*body, options_.unix_now_ns());
  if (!message) return text(400, message.error().detail);
  auto published = node_.publish(*topic, std::move(message).value());
  if (!published) return text(400, "Failed to publish: " + published.error().message());
  return ok_text();
}

Result<std::string> RestRouter::shard_topic(const std::string& content_topic) const {
  const auto shards = node_.num_shards_in_network();
  if (!shards) {
    return make_error(Errc::kUnsupported, "Autosharding error",
                      "autosharding is not enabled (--num-shards-in-network)");
  }
  auto shard = message::shard_for_content_topic(content_topic, node_.cluster_id(), *shards);
  if (!shard) return make_error(Errc::kInvalidTopic, "Autosharding error", shard.error().message());
  return shard->pubsub_topic();
}

HttpResponse RestRouter::auto_subscribe(const HttpRequest& request, bool subscribe) {
  auto body = json_body(request);
  if (!body) return text(400, body.error().detail);
  auto topics = string_array_from_json(*body, options_.max_topics_per_request);
  if (!topics) return text(400, "Invalid content body, could not decode: " + topics.error().detail);
  std::vector<std::string> shards;
  for (const auto& topic : *topics) {
    if (topic.size() > MessageCache::kMaxTopicBytes) {
      return text(400, fmt::format("Invalid content topic: longer than {} bytes",
                                   MessageCache::kMaxTopicBytes));
    }
    auto shard = shard_topic(topic);
    if (!shard)
      return text(400, fmt::format("Invalid content topic {}: {}", topic, shard.error().message()));
    shards.push_back(std::move(shard).value());
  }
  for (std::size_t i = 0; i < topics->size(); ++i) {
    const auto& topic = (*topics)[i];
    const auto& shard = shards[i];
    if (subscribe) {
      if (cache_.is_content_subscribed(topic)) continue;
      if (!cache_.subscribe_content(topic)) return text(400, "Too many subscriptions");
      if (!cache_.is_subscribed(shard)) {
        if (auto ok = node_.subscribe(shard); !ok) {
          cache_.unsubscribe_content(topic);
          return text(400,
                      fmt::format("Failed to subscribe to {}: {}", shard, ok.error().message()));
        }
        auto_owned_shards_.insert(shard);
      }
    } else {
      cache_.unsubscribe_content(topic);
      if (auto_owned_shards_.count(shard) == 0) continue;
      const bool still_used =
          std::any_of(cache_.content_topics().begin(), cache_.content_topics().end(),
                      [&](const std::string& other) {
                        auto other_shard = shard_topic(other);
                        return other_shard && *other_shard == shard;
                      });
      if (!still_used) {
        (void)node_.unsubscribe(shard);
        cache_.unsubscribe(shard);
        auto_owned_shards_.erase(shard);
      }
    }
  }
  return ok_text();
}

HttpResponse RestRouter::auto_get(std::string_view encoded_topic) {
  auto topic = url_decode(encoded_topic);
  if (!topic) return text(400, "Invalid content topic encoding");
  auto messages = cache_.take_content(*topic);
  if (!messages) return text(404, fmt::format("Not subscribed to content topic: {}", *topic));
  json::array out;
  for (const auto& message : *messages) out.push_back(message_to_json(message));
  return json_response(out);
}

HttpResponse RestRouter::auto_post(const HttpRequest& request,
                                   std::optional<std::string_view> encoded) {
  std::optional<std::string> path_topic;
  if (encoded) {
    auto topic = url_decode(*encoded);
    if (!topic) return text(400, "Invalid content topic encoding");
    path_topic = std::move(topic).value();
  }
  auto body = json_body(request);
  if (!body) return text(400, body.error().detail);
  auto message = message_from_json(*body, options_.unix_now_ns(), path_topic);
  if (!message) return text(400, message.error().detail);
  if (path_topic && message->content_topic != *path_topic) {
    return text(400, "Field `contentTopic` differs from the content topic in the path");
  }
  auto shard = shard_topic(message->content_topic);
  if (!shard) return text(400, "Failed to publish. " + shard.error().message());
  auto published = node_.publish(*shard, std::move(message).value());
  if (!published) return text(400, "Failed to publish. " + published.error().message());
  return ok_text();
}

}  // namespace

// --- RestServer ---

Result<std::unique_ptr<RestServer>> RestServer::start(boost::asio::io_context& io,
                                                      const std::string& address,
                                                      std::uint16_t port, NodeApi& node,
                                                      MessageCache& cache, RestOptions options) {
  const HttpServerLimits limits = options.limits;
  // Shared with the handler: the HttpServer never calls it after stop(), which ~RestServer runs
  // before the router goes.
  auto router = std::make_shared<RestRouter>(node, cache, std::move(options));
  auto http = HttpServer::start(io, address, port, limits,
                                [router](const HttpRequest& request, HttpResponder respond) {
                                  router->handle_async(request, std::move(respond));
                                });
  if (!http) return Unexpected{http.error()};
  auto server = std::unique_ptr<RestServer>(new RestServer());
  server->http_ = std::move(http).value();
  return server;
}

RestServer::~RestServer() { stop(); }

std::uint16_t RestServer::port() const { return http_ ? http_->port() : 0; }

void RestServer::stop() {
  if (http_) http_->stop();
}

}  // namespace waku::runtime
