#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "runtime/rest/json_codec.hpp"
#include "runtime/rest/rest_server.hpp"
#include "runtime/rest/test_http_client.hpp"

namespace waku::runtime {
namespace {

using testing::request;
namespace json = boost::json;

constexpr const char* kTopic = "/waku/2/rs/0/1";
constexpr const char* kTopicEncoded = "%2Fwaku%2F2%2Frs%2F0%2F1";
constexpr const char* kContent = "/app/1/chat/proto";
constexpr std::int64_t kNow = 1'712'345'678'901'234'567;

class FakeNode : public NodeApi {
 public:
  std::vector<std::string> listen_addresses() const override {
    return {"/ip4/127.0.0.1/tcp/60000/p2p/16Uiu2HAmFake"};
  }
  std::string peer_id() const override { return "16Uiu2HAmFake"; }
  bool is_ready() const override { return ready; }
  std::vector<PeerView> peers() const override { return peer_list; }
  Result<void> add_peer(std::string_view multiaddr) override {
    if (multiaddr.find("/tcp/") == std::string_view::npos) {
      return unexpected(Errc::kUnsupported, "peer address: only TCP addresses can be dialled");
    }
    dialled.emplace_back(multiaddr);
    return {};
  }
  Result<void> subscribe(const std::string& topic) override {
    subscribed.push_back(topic);
    cache->subscribe(topic);  // as the real node does
    return {};
  }
  Result<void> unsubscribe(const std::string& topic) override {
    unsubscribed.push_back(topic);
    cache->unsubscribe(topic);
    return {};
  }
  Result<void> publish(const std::string& topic, message::WakuMessage message) override {
    if (publish_error)
      return unexpected(*publish_error, "publish: no peers subscribed to the topic");
    published.emplace_back(topic, message);
    return {};
  }
  std::uint16_t cluster_id() const override { return cluster; }
  std::optional<std::uint32_t> num_shards_in_network() const override { return num_shards; }
  std::optional<std::string> enr_uri() const override { return enr; }

  MessageCache* cache{nullptr};
  bool ready{true};
  std::uint16_t cluster{0};
  std::optional<std::uint32_t> num_shards;
  std::optional<std::string> enr;
  std::optional<Errc> publish_error;
  std::vector<PeerView> peer_list;
  std::vector<std::string> dialled, subscribed, unsubscribed;
  std::vector<std::pair<std::string, message::WakuMessage>> published;
};

class RestTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(RestOptions options) {
    server_.reset();
    node_.cache = &cache_;
    if (!options.unix_now_ns) options.unix_now_ns = [] { return kNow; };
    auto server = RestServer::start(io_, "127.0.0.1", 0, node_, cache_, std::move(options));
    ASSERT_TRUE(server.has_value()) << server.error().message();
    server_ = std::move(server).value();
    ASSERT_NE(server_->port(), 0);
  }

  testing::Reply call(std::string_view method, std::string_view target, std::string_view body = {},
                      std::string_view content_type = "application/json") {
    return request(io_, server_->port(), method, target, body, content_type);
  }

  static message::WakuMessage hello(std::int64_t timestamp = 123) {
    message::WakuMessage m;
    m.payload = to_bytes("hello");
    m.content_topic = kContent;
    m.timestamp = timestamp;
    return m;
  }

  boost::asio::io_context io_;
  FakeNode node_;
  MessageCache cache_;
  std::unique_ptr<RestServer> server_;
};

TEST(Base64, Rfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(to_bytes(plain)), encoded);
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(std::string(as_chars(*decoded)), plain);
  }
  EXPECT_EQ(std::string(as_chars(base64_decode("Zm8").value())), "fo");  // unpadded
  EXPECT_EQ(base64_encode(Bytes{0xfb, 0xff}), "+/8=");
  for (const char* bad : {"Zg=", "Z", "Zm9v!", "Zh==", "Zm9=v", "Zg===", "Zm 9v", "=Zg="}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
}

TEST(UrlDecode, PathSegments) {
  EXPECT_EQ(url_decode("%2Fwaku%2F2%2Frs%2F16%2F32").value(), "/waku/2/rs/16/32");
  EXPECT_EQ(url_decode("%2fa+b").value(), "/a+b");
  EXPECT_FALSE(url_decode("%2").has_value());
  EXPECT_FALSE(url_decode("%zz").has_value());
}

TEST(MessageCacheTest, BoundedDrainedAndPerTopic) {
  MessageCache cache(3);
  message::WakuMessage m;
  m.content_topic = "/a/1/b/c";
  cache.add("/waku/2/rs/0/0", m);  // not subscribed: dropped
  EXPECT_EQ(cache.size(), 0U);
  EXPECT_FALSE(cache.take("/waku/2/rs/0/0").has_value());
  cache.subscribe("/waku/2/rs/0/0");
  for (int i = 0; i < 5; ++i) {
    m.timestamp = i;
    cache.add("/waku/2/rs/0/0", m);
  }
  cache.add("/waku/2/rs/0/0", m);  // identical: kept once
  EXPECT_EQ(cache.size(), 3U);
  auto taken = cache.take("/waku/2/rs/0/0");
  ASSERT_TRUE(taken.has_value());
  ASSERT_EQ(taken->size(), 3U);
  EXPECT_EQ((*taken)[0].timestamp, 2);  // the oldest received went first
  EXPECT_EQ((*taken)[2].timestamp, 4);
  EXPECT_TRUE(cache.take("/waku/2/rs/0/0")->empty());
  EXPECT_EQ(cache.size(), 0U);

  // A message seen through both views stays until both have returned it.
  cache.subscribe_content("/a/1/b/c");
  cache.add("/waku/2/rs/0/0", m);
  EXPECT_EQ(cache.take("/waku/2/rs/0/0")->size(), 1U);
  EXPECT_EQ(cache.size(), 1U);
  EXPECT_EQ(cache.take_content("/a/1/b/c")->size(), 1U);
  EXPECT_EQ(cache.size(), 0U);
  cache.add("/waku/2/rs/0/0", m);
  cache.unsubscribe("/waku/2/rs/0/0");
  cache.unsubscribe_content("/a/1/b/c");
  EXPECT_EQ(cache.size(), 0U);
}

TEST(JsonCodec, DuplicateKeysAreRejected) {
  EXPECT_FALSE(parse_json_strict(R"({"payload":"AA==","payload":"AQ=="})").has_value());
  EXPECT_FALSE(parse_json_strict(R"({"a":{"b":1,"b":2}})").has_value());
  EXPECT_TRUE(parse_json_strict(R"({"a":{"b":1},"c":{"b":2}})").has_value());
  EXPECT_FALSE(parse_json_strict("{").has_value());
}

TEST_F(RestTest, Health) {
  PeerView relay_peer;
  relay_peer.peer_id = "16Uiu2HAmPeer";
  relay_peer.connected = true;
  relay_peer.protocols = {"/vac/waku/relay/2.0.0"};
  node_.peer_list = {relay_peer};
  auto reply = call("GET", "/health");
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.content_type, "application/json");
  const auto health = json::parse(reply.body).as_object();
  EXPECT_EQ(health.at("nodeHealth"), "READY");
  EXPECT_EQ(health.at("connectionStatus"), "Connected");
  const auto& protocols = health.at("protocolsHealth").as_array();
  ASSERT_EQ(protocols.size(), 15U);
  EXPECT_EQ(json::serialize(protocols[0]), R"({"Relay":"READY"})");
  EXPECT_EQ(json::serialize(protocols[6]), R"({"Legacy Store":"NOT_MOUNTED"})");

  node_.peer_list.clear();
  node_.ready = false;
  const auto lonely = json::parse(call("GET", "/health").body).as_object();
  EXPECT_EQ(lonely.at("nodeHealth"), "INITIALIZING");
  EXPECT_EQ(lonely.at("connectionStatus"), "Disconnected");
  EXPECT_EQ(json::serialize(lonely.at("protocolsHealth").as_array()[0]),
            R"({"Relay":"NOT_READY","desc":"No connected peers"})");
}

TEST_F(RestTest, InfoAndVersion) {
  auto info = call("GET", "/debug/v1/info");
  EXPECT_EQ(info.status, 200U);
  EXPECT_EQ(info.body, R"({"listenAddresses":["/ip4/127.0.0.1/tcp/60000/p2p/16Uiu2HAmFake"]})");
  node_.enr = "enr:-abc";
  EXPECT_EQ(call("GET", "/info").body,
            R"({"listenAddresses":["/ip4/127.0.0.1/tcp/60000/p2p/16Uiu2HAmFake"],)"
            R"("enrUri":"enr:-abc"})");
  auto version = call("GET", "/debug/v1/version");
  EXPECT_EQ(version.status, 200U);
  EXPECT_EQ(version.content_type, "text/plain");
  EXPECT_EQ(version.body, WAKU_VERSION);
  EXPECT_EQ(call("POST", "/debug/v1/version", "[]").status, 405U);
  EXPECT_EQ(call("GET", "/nope").status, 404U);
}

TEST_F(RestTest, AdminPeersNeedRestAdmin) {
  EXPECT_EQ(call("GET", "/admin/v1/peers").status, 404U);
  RestOptions options;
  options.admin = true;
  start(std::move(options));
  PeerView peer;
  peer.peer_id = "16Uiu2HAmPeer";
  peer.multiaddrs = {"/ip4/10.0.0.2/tcp/30303"};
  peer.protocols = {"/vac/waku/relay/2.0.0", "/ipfs/ping/1.0.0"};
  peer.connected = true;
  peer.shards = {1, 32};
  peer.agent = "nwaku";
  peer.origin = "Static";
  node_.peer_list = {peer};
  auto reply = call("GET", "/admin/v1/peers");
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.body,
            R"([{"multiaddr":"/ip4/10.0.0.2/tcp/30303/p2p/16Uiu2HAmPeer",)"
            R"("protocols":["/vac/waku/relay/2.0.0","/ipfs/ping/1.0.0"],"shards":[1,32],)"
            R"("connected":"Connected","agent":"nwaku","origin":"Static"}])");

  EXPECT_EQ(call("POST", "/admin/v1/peers", R"(["/ip4/10.0.0.3/tcp/1/p2p/x"])").body, "OK");
  EXPECT_EQ(node_.dialled, std::vector<std::string>{"/ip4/10.0.0.3/tcp/1/p2p/x"});
  auto bad = call("POST", "/admin/v1/peers", R"(["/ip4/10.0.0.3/tcp/1","/ip4/1.2.3.4/udp/1"])");
  EXPECT_EQ(bad.status, 400U);
  EXPECT_EQ(bad.body.rfind("Failed to connect to peer at index: 1 - /ip4/1.2.3.4/udp/1", 0), 0U)
      << bad.body;
  EXPECT_EQ(call("POST", "/admin/v1/peers", R"({"a":1})").status, 400U);
}

TEST_F(RestTest, RelaySubscriptions) {
  auto reply = call("POST", "/relay/v1/subscriptions", R"(["/waku/2/rs/0/1","/waku/2/rs/0/2"])");
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.body, "OK");
  EXPECT_EQ(node_.subscribed, (std::vector<std::string>{"/waku/2/rs/0/1", "/waku/2/rs/0/2"}));
  EXPECT_TRUE(cache_.is_subscribed(kTopic));
  // Already subscribed: no second call into the node.
  EXPECT_EQ(call("POST", "/relay/v1/subscriptions", R"(["/waku/2/rs/0/1"])").status, 200U);
  EXPECT_EQ(node_.subscribed.size(), 2U);

  EXPECT_EQ(call("DELETE", "/relay/v1/subscriptions", R"(["/waku/2/rs/0/2"])").status, 200U);
  EXPECT_EQ(node_.unsubscribed, std::vector<std::string>{"/waku/2/rs/0/2"});
  EXPECT_FALSE(cache_.is_subscribed("/waku/2/rs/0/2"));

  const auto bad = [&](std::string_view body, std::string_view content_type = "application/json") {
    return call("POST", "/relay/v1/subscriptions", body, content_type);
  };
  EXPECT_EQ(bad(R"(["/waku/2/rs/0/1",)").status, 400U);  // bad JSON
  auto not_topic = bad(R"(["/toychat/2/huilong/proto"])");
  EXPECT_EQ(not_topic.status, 400U);
  EXPECT_EQ(not_topic.body, "Invalid pubsub topic: /toychat/2/huilong/proto");
  EXPECT_EQ(bad(R"(["/waku/2/rs/16/1"])").status, 400U);  // another cluster
  EXPECT_EQ(bad(R"([1])").status, 400U);
  auto wrong_type = bad(R"(["/waku/2/rs/0/3"])", "application/x-www-form-urlencoded");
  EXPECT_EQ(wrong_type.status, 400U);
  EXPECT_EQ(wrong_type.body, "Wrong Content-Type, expected application/json or text/plain");
  EXPECT_EQ(bad(R"(["/waku/2/rs/0/3"])", "text/plain; charset=utf-8").status, 200U);
  auto missing = call("POST", "/relay/v1/subscriptions");
  EXPECT_EQ(missing.status, 400U);
  EXPECT_EQ(missing.body, "Missing content body");
  EXPECT_EQ(node_.subscribed.size(), 3U);  // none of the bad requests subscribed anything
}

TEST_F(RestTest, RelayMessagesAreReturnedOnceWithNwakusJson) {
  ASSERT_EQ(call("POST", "/relay/v1/subscriptions", R"(["/waku/2/rs/0/1"])").status, 200U);
  auto with_meta = hello(456);
  with_meta.meta = Bytes{1, 2, 3};
  with_meta.ephemeral = true;
  with_meta.version = 1;
  cache_.add(kTopic, hello());
  cache_.add(kTopic, with_meta);
  auto reply = call("GET", std::string("/relay/v1/messages/") + kTopicEncoded);
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.content_type, "application/json");
  EXPECT_EQ(reply.body, R"([{"payload":"aGVsbG8=","contentTopic":"/app/1/chat/proto","version":0,)"
                        R"("timestamp":123,"ephemeral":false,"proof":""},)"
                        R"({"payload":"aGVsbG8=","contentTopic":"/app/1/chat/proto","version":1,)"
                        R"("timestamp":456,"meta":"AQID","ephemeral":true,"proof":""}])");
  EXPECT_EQ(call("GET", std::string("/relay/v1/messages/") + kTopicEncoded).body, "[]");
  auto unknown = call("GET", "/relay/v1/messages/%2Fwaku%2F2%2Frs%2F0%2F9");
  EXPECT_EQ(unknown.status, 404U);
  EXPECT_EQ(unknown.body, "Not subscribed to topic: /waku/2/rs/0/9");
  EXPECT_EQ(call("GET", "/relay/v1/messages/%2").status, 400U);
}

TEST_F(RestTest, PublishRelayMessage) {
  const std::string path = std::string("/relay/v1/messages/") + kTopicEncoded;
  auto not_subscribed = call("POST", path, R"({"payload":"aGVsbG8=","contentTopic":"/a/1/b/c"})");
  EXPECT_EQ(not_subscribed.status, 400U);
  EXPECT_EQ(not_subscribed.body, "Failed to publish: Node not subscribed to topic: /waku/2/rs/0/1");

  ASSERT_EQ(call("POST", "/relay/v1/subscriptions", R"(["/waku/2/rs/0/1"])").status, 200U);
  auto reply = call("POST", path,
                    R"({"payload":"aGVsbG8=","contentTopic":"/app/1/chat/proto","timestamp":5,)"
                    R"("meta":"AQID","ephemeral":true,"unknownField":1})");
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.body, "OK");
  ASSERT_EQ(node_.published.size(), 1U);
  const auto& [topic, sent] = node_.published[0];
  EXPECT_EQ(topic, kTopic);
  EXPECT_EQ(std::string(as_chars(sent.payload)), "hello");
  EXPECT_EQ(sent.content_topic, kContent);
  EXPECT_EQ(sent.timestamp, 5);
  EXPECT_EQ(sent.version, 0U);
  EXPECT_EQ(sent.meta, (Bytes{1, 2, 3}));
  EXPECT_EQ(sent.ephemeral, true);

  // Without a timestamp, the node's clock fills it in.
  ASSERT_EQ(call("POST", path, R"({"payload":"aGk=","contentTopic":"/a/1/b/c"})").status, 200U);
  EXPECT_EQ(node_.published.back().second.timestamp, kNow);

  const auto bad = [&](std::string_view body) { return call("POST", path, body); };
  EXPECT_EQ(bad(R"({"payload":"aGVsbG8","contentTopic":"/a/1/b/c","payload":"aGk="})").status,
            400U);  // duplicate key
  auto bad_base64 = bad(R"({"payload":"a$==","contentTopic":"/a/1/b/c"})");
  EXPECT_EQ(bad_base64.status, 400U);
  EXPECT_NE(bad_base64.body.find("payload"), std::string::npos);
  EXPECT_EQ(bad(R"({"contentTopic":"/a/1/b/c"})").status, 400U);  // no payload
  EXPECT_EQ(bad(R"({"payload":"aGk="})").status, 400U);           // no content topic
  EXPECT_EQ(bad(R"({"payload":"aGk=","contentTopic":"/a/1/b/c","timestamp":"1"})").status, 400U);
  EXPECT_EQ(bad(R"({"payload":"aGk=","contentTopic":"/a/1/b/c","version":-1})").status, 400U);
  EXPECT_EQ(
      bad(R"({"payload":"aGk=","contentTopic":"/a/1/b/c","meta":")" + std::string(88, 'A') + "\"}")
          .status,
      400U);  // meta over 64 bytes
  EXPECT_EQ(bad(R"(["payload"])").status, 400U);
  EXPECT_EQ(node_.published.size(), 2U);

  node_.publish_error = Errc::kNoPeers;
  auto no_peers = bad(R"({"payload":"aGk=","contentTopic":"/a/1/b/c"})");
  EXPECT_EQ(no_peers.status, 400U);
  EXPECT_EQ(no_peers.body.rfind("Failed to publish: ", 0), 0U);
}

TEST_F(RestTest, Autosharding) {
  // Without autosharding the content-topic routes refuse.
  EXPECT_EQ(call("POST", "/relay/v1/auto/subscriptions", R"(["/toychat/2/huilong/proto"])").status,
            400U);
  node_.cluster = 1;
  node_.num_shards = 8;
  ASSERT_EQ(call("POST", "/relay/v1/auto/subscriptions", R"(["/toychat/2/huilong/proto"])").status,
            200U);
  // 51/WAKU2-RELAY-SHARDING's example: /toychat/2/huilong/proto is shard 3 of 8.
  EXPECT_EQ(node_.subscribed, std::vector<std::string>{"/waku/2/rs/1/3"});
  EXPECT_EQ(call("POST", "/relay/v1/auto/subscriptions", R"(["not-a-topic"])").status, 400U);

  cache_.add("/waku/2/rs/1/3", [] {
    auto m = hello(9);
    m.content_topic = "/toychat/2/huilong/proto";
    return m;
  }());
  auto reply = call("GET", "/relay/v1/auto/messages/%2Ftoychat%2F2%2Fhuilong%2Fproto");
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.body,
            R"([{"payload":"aGVsbG8=","contentTopic":"/toychat/2/huilong/proto","version":0,)"
            R"("timestamp":9,"ephemeral":false,"proof":""}])");
  EXPECT_EQ(call("GET", "/relay/v1/auto/messages/%2Fa%2F1%2Fb%2Fc").status, 404U);

  // POST /relay/v1/auto/messages (nwaku) and the variant with the topic in the path.
  EXPECT_EQ(call("POST", "/relay/v1/auto/messages",
                 R"({"payload":"aGk=","contentTopic":"/toychat/2/huilong/proto"})")
                .status,
            200U);
  EXPECT_EQ(node_.published.back().first, "/waku/2/rs/1/3");
  EXPECT_EQ(call("POST", "/relay/v1/auto/messages/%2Fstatusim%2F1%2Fcommunity%2Fcbor",
                 R"({"payload":"aGk="})")
                .status,
            200U);
  EXPECT_EQ(node_.published.back().first, "/waku/2/rs/1/4");
  EXPECT_EQ(node_.published.back().second.content_topic, "/statusim/1/community/cbor");
  EXPECT_EQ(call("POST", "/relay/v1/auto/messages/%2Fstatusim%2F1%2Fcommunity%2Fcbor",
                 R"({"payload":"aGk=","contentTopic":"/toychat/2/huilong/proto"})")
                .status,
            400U);
  EXPECT_EQ(call("POST", "/relay/v1/auto/messages", R"({"payload":"aGk="})").status, 400U);

  ASSERT_EQ(
      call("DELETE", "/relay/v1/auto/subscriptions", R"(["/toychat/2/huilong/proto"])").status,
      200U);
  EXPECT_EQ(node_.unsubscribed, std::vector<std::string>{"/waku/2/rs/1/3"});
  EXPECT_FALSE(cache_.is_content_subscribed("/toychat/2/huilong/proto"));
}

// A shard that autosharding subscribed, then asked for by name: it stays when the content topic
// that brought it in goes.
TEST_F(RestTest, AnExplicitSubscriptionOutlivesTheContentTopicsOfItsShard) {
  node_.cluster = 1;
  node_.num_shards = 8;
  ASSERT_EQ(call("POST", "/relay/v1/auto/subscriptions", R"(["/toychat/2/huilong/proto"])").status,
            200U);
  ASSERT_EQ(call("POST", "/relay/v1/subscriptions", R"(["/waku/2/rs/1/3"])").status, 200U);
  ASSERT_EQ(
      call("DELETE", "/relay/v1/auto/subscriptions", R"(["/toychat/2/huilong/proto"])").status,
      200U);
  EXPECT_TRUE(node_.unsubscribed.empty());
  EXPECT_EQ(call("GET", "/relay/v1/messages/%2Fwaku%2F2%2Frs%2F1%2F3").status, 200U);
}

TEST_F(RestTest, OverlongContentTopicsAreRefused) {
  node_.cluster = 1;
  node_.num_shards = 8;
  const std::string app(MessageCache::kMaxTopicBytes, 'a');
  const auto subscribe = [&](const std::string& topic) {
    return call("POST", "/relay/v1/auto/subscriptions", "[\"" + topic + "\"]").status;
  };
  EXPECT_EQ(subscribe("/" + app + "/1/x/proto"), 400U);
  EXPECT_FALSE(cache_.is_content_subscribed("/" + app + "/1/x/proto"));
  EXPECT_EQ(subscribe("/" + app.substr(0, 400) + "/1/x/proto"), 200U);
}

TEST_F(RestTest, ExtraRoutesForLaterProtocols) {
  RestOptions options;
  options.extra_routes.push_back(
      RestRoute{"GET", "/store/v3/messages", [](const HttpRequest& r, HttpResponder respond) {
                  respond(HttpResponse{200, "application/json", "\"" + r.target + "\""});
                }});
  start(std::move(options));
  EXPECT_EQ(call("GET", "/store/v3/messages?pageSize=5").body, "\"/store/v3/messages?pageSize=5\"");
}

TEST_F(RestTest, HostileClientsAreBounded) {
  RestOptions options;
  options.limits.body_limit_bytes = 1024;
  options.limits.header_limit_bytes = 1024;
  options.limits.max_connections = 2;
  options.limits.read_timeout = std::chrono::milliseconds(100);
  start(std::move(options));
  ASSERT_EQ(call("POST", "/relay/v1/subscriptions", R"(["/waku/2/rs/0/1"])").status, 200U);

  // Declared too large: refused before the body is read.
  auto big = testing::raw_request(
      io_, server_->port(),
      "POST /relay/v1/subscriptions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 2000000\r\n\r\n[");
  EXPECT_TRUE(big.received);
  EXPECT_EQ(big.status, 413U);
  auto body = call("POST", std::string("/relay/v1/messages/") + kTopicEncoded,
                   R"({"payload":")" + std::string(2000, 'A') + R"(","contentTopic":"/a/1/b/c"})");
  EXPECT_EQ(body.status, 413U);

  auto header = testing::raw_request(
      io_, server_->port(),
      "GET /health HTTP/1.1\r\nHost: x\r\nX-Junk: " + std::string(4000, 'j') + "\r\n\r\n");
  EXPECT_EQ(header.status, 431U);

  auto garbage = testing::raw_request(io_, server_->port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.status, 400U);

  // A client that sends nothing is cut off after the read timeout.
  const auto started = std::chrono::steady_clock::now();
  auto silent = testing::raw_request(io_, server_->port(), "GET /health HTTP/1.1\r\n");
  EXPECT_FALSE(silent.received);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));

  // Over the connection cap, new connections are closed at once.
  using tcp = boost::asio::ip::tcp;
  const tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), server_->port());
  tcp::socket a(io_), b(io_);
  a.connect(endpoint);
  b.connect(endpoint);
  testing::run_until(
      io_, [] { return false; }, std::chrono::milliseconds(50));
  auto refused = call("GET", "/health");
  EXPECT_FALSE(refused.received);
  a.close();
  b.close();
  testing::run_until(
      io_, [] { return false; }, std::chrono::milliseconds(50));
  EXPECT_EQ(call("GET", "/health").status, 200U);
  EXPECT_EQ(node_.published.size(), 0U);
}

TEST_F(RestTest, ExpectContinue) {
  ASSERT_EQ(call("POST", "/relay/v1/subscriptions", R"(["/waku/2/rs/0/1"])").status, 200U);
  const std::string body = R"({"payload":"aGk=","contentTopic":"/a/1/b/c"})";
  auto reply = testing::raw_request(
      io_, server_->port(),
      fmt::format("POST /relay/v1/messages/{} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                  "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
                  kTopicEncoded, body.size(), body));
  // The test client stops at the first response, which is the interim 100.
  EXPECT_EQ(reply.status, 100U);
  testing::run_until(io_, [&] { return node_.published.size() == 1; });
  EXPECT_EQ(node_.published.size(), 1U);
}

TEST_F(RestTest, StopClosesEverything) {
  const auto port = server_->port();
  server_->stop();
  auto reply = request(io_, port, "GET", "/health");
  EXPECT_FALSE(reply.received);
}

}  // namespace
}  // namespace waku::runtime
