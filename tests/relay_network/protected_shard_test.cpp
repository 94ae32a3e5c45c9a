// Protected shard under attack: every node runs the ProtectedShardValidator; an attacker injects
// unsigned and badly signed messages straight onto the wire (bypassing its own router). None may
// reach any application, valid signed messages must reach all, and the attacker's neighbours must
// score it below the graylist threshold and disconnect it.
#include "waku/message/protected_shard.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "test_network.hpp"
#include "waku/base/assert.hpp"
#include "waku/codec/gossipsub_codec.hpp"
#include "waku/codec/waku_message_codec.hpp"
#include "waku/crypto/secp256k1.hpp"
#include "waku/message/topics.hpp"
#include "waku/relay/protected_shard_validator.hpp"

namespace waku::relay_test {
namespace {

crypto::Secp256k1PrivateKey fixed_key(std::uint8_t fill) {
  Bytes32 bytes{};
  bytes.fill(fill);
  auto key = crypto::Secp256k1PrivateKey::from_bytes(bytes);
  WAKU_ASSERT(key.has_value());
  return key.value();
}

Bytes sign(const crypto::Secp256k1PrivateKey& key, const std::string& topic,
           const message::WakuMessage& message) {
  const auto signature = message::sign_message(key, topic, message);
  return Bytes(signature.begin(), signature.end());
}

class ProtectedShardNetwork : public ::testing::Test {
 protected:
  static constexpr std::size_t kNodes = 16;
  static constexpr NodeIndex kAttacker = kNodes - 1;

  ProtectedShardNetwork()
      : topic_(message::RelayShard{1, 0}.pubsub_topic()),
        key_(fixed_key(0x11)),
        wrong_key_(fixed_key(0x22)),
        net_(options()) {
    // The attacker gets a few extra honest neighbours so several of them judge it.
    for (const NodeIndex peer : {0U, 3U, 6U, 9U}) net_.connect(kAttacker, peer);
    for (NodeIndex node = 0; node < net_.size(); ++node) {
      std::vector<relay::ProtectedShard> shards{
          relay::ProtectedShard{message::RelayShard{1, 0}, key_.public_key()}};
      net_.add_validator(node, "",
                         std::make_unique<relay::ProtectedShardValidator>(std::move(shards)));
    }
    net_.subscribe_all(topic_);
    net_.run_until(Instant::origin() + 5s);
  }

  static NetworkOptions options() {
    NetworkOptions options;
    options.seed = 61;
    options.nodes = kNodes;
    options.dials_per_node = 3;
    return options;
  }

  message::WakuMessage signed_message(std::string_view text) {
    auto message = make_waku_message(to_bytes(text), net_.unix_now());
    message.meta = sign(key_, topic_, message);
    return message;
  }

  // The attacker's variety of invalid messages, each with a distinct payload.
  std::vector<message::WakuMessage> invalid_messages(std::size_t count) {
    std::vector<message::WakuMessage> result;
    for (std::size_t i = 0; i < count; ++i) {
      auto message = make_waku_message(to_bytes("spam-" + std::to_string(i)), net_.unix_now());
      switch (i % 6) {
        case 0: break;                                                          // unsigned: no meta
        case 1: message.meta = Bytes(64, static_cast<std::uint8_t>(i)); break;  // garbage
        case 2: message.meta = sign(wrong_key_, topic_, message); break;        // wrong key
        case 3: message.meta = Bytes(10, 0x01); break;                          // bad length
        case 4: {  // right key, but the timestamp is ten minutes old
          message.timestamp = net_.unix_now().value - std::int64_t{600'000'000'000};
          message.meta = sign(key_, topic_, message);
          break;
        }
        case 5: {  // right key, signature of another message
          auto other = message;
          other.payload = to_bytes("something else");
          message.meta = sign(key_, topic_, other);
          break;
        }
        default: break;
      }
      result.push_back(std::move(message));
    }
    return result;
  }

  std::string topic_;
  crypto::Secp256k1PrivateKey key_;
  crypto::Secp256k1PrivateKey wrong_key_;
  TestNetwork net_;
};

TEST_F(ProtectedShardNetwork, InvalidMessagesNeverDeliveredAndAttackerIsGraylisted) {
  // Valid signed messages from two honest publishers reach everyone, attacker included.
  std::vector<relay::MessageId> valid;
  for (const NodeIndex publisher : {1U, 8U}) {
    auto id = net_.publish_message(publisher, topic_,
                                   signed_message("hello " + std::to_string(publisher)));
    ASSERT_TRUE(id.has_value());
    valid.push_back(id.value());
    net_.run_for(200ms);
  }
  net_.run_for(3s);
  for (const auto& id : valid) {
    for (NodeIndex node = 0; node < net_.size(); ++node) {
      EXPECT_EQ(net_.delivery_count(node, id), 1U) << short_id(id) << " at " << node;
    }
  }

  // The attack: 24 invalid messages (P4 -100 x 24^2 is far below -10000) to every neighbour, in
  // four RPCs 100 ms apart.
  const auto neighbours = net_.neighbours(kAttacker);
  ASSERT_GE(neighbours.size(), 4U);
  const auto spam = invalid_messages(24);
  std::vector<relay::MessageId> spam_ids;
  for (std::size_t batch = 0; batch < 4; ++batch) {
    relay::Rpc rpc;
    for (std::size_t i = batch * 6; i < batch * 6 + 6; ++i) {
      auto relay_message =
          codec::make_relay_message(topic_, SharedBytes(codec::encode_waku_message(spam[i])));
      spam_ids.push_back(relay_message->id);
      rpc.publish.push_back(std::move(relay_message));
    }
    for (const NodeIndex peer : neighbours) {
      if (net_.connected(kAttacker, peer)) net_.inject(kAttacker, peer, rpc);
    }
    net_.run_for(100ms);
  }
  net_.run_for(3s);

  for (const auto& id : spam_ids) {
    for (NodeIndex node = 0; node < net_.size(); ++node) {
      EXPECT_EQ(net_.delivery_count(node, id), 0U) << "spam " << short_id(id) << " at " << node;
    }
  }
  // Every neighbour rejected the spam it got and disconnected the attacker for its score.
  for (const NodeIndex peer : neighbours) {
    EXPECT_FALSE(net_.connected(kAttacker, peer)) << "neighbour " << peer;
    EXPECT_GE(net_.router(peer).stats().messages_rejected, 6U) << "neighbour " << peer;
    const auto record = std::find_if(
        net_.disconnects().begin(), net_.disconnects().end(),
        [&](const DisconnectRecord& r) { return r.node == peer && r.peer == kAttacker; });
    ASSERT_NE(record, net_.disconnects().end()) << "neighbour " << peer;
    EXPECT_EQ(record->reason, relay::DisconnectReason::kGraylisted) << "neighbour " << peer;
    EXPECT_LT(record->score, options().config.thresholds.graylist_threshold)
        << "neighbour " << peer;
    std::printf("neighbour %zu dropped the attacker at %.3f s with score %.1f\n", peer,
                static_cast<double>(record->time.nanoseconds()) / 1e9, record->score);
  }
  // Nobody else was disconnected.
  for (const auto& record : net_.disconnects()) {
    EXPECT_TRUE(record.peer == kAttacker || record.node == kAttacker)
        << record.node << " dropped " << record.peer;
  }

  // The honest network still carries signed messages.
  auto after = net_.publish_message(4, topic_, signed_message("after the attack"));
  ASSERT_TRUE(after.has_value());
  net_.run_for(3s);
  for (NodeIndex node = 0; node + 1 < net_.size(); ++node) {
    EXPECT_EQ(net_.delivery_count(node, after.value()), 1U) << "node " << node;
  }
  EXPECT_EQ(net_.malformed_frames(), 0U);
}

TEST_F(ProtectedShardNetwork, UnsignedPublicationIsRefusedLocally) {
  // The publisher's own validator refuses an unsigned message: it never leaves the node.
  auto unsigned_message = make_waku_message(to_bytes("no signature"), net_.unix_now());
  auto id = net_.publish_message(2, topic_, unsigned_message);
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error().code, Errc::kInvalidMessage);
  net_.run_for(1s);
  EXPECT_EQ(net_.total(&relay::RouterStats::messages_delivered), 0U);
}

}  // namespace
}  // namespace waku::relay_test
