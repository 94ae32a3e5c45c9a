#include "waku/relay/peer_queue.hpp"

#include <gtest/gtest.h>

namespace waku::relay {
namespace {

struct Popped {
  Rpc rpc;
  PeerQueue::Discarded discarded;
};

Popped pop(PeerQueue& q, std::size_t max_bytes) {
  Popped out;
  out.discarded = q.pop_rpc(max_bytes, out.rpc);
  return out;
}

RelayMessagePtr message(int n, std::size_t size = 10) {
  auto m = std::make_shared<RelayMessage>();
  m->topic = "/waku/2/rs/16/32";
  Bytes data(size, static_cast<std::uint8_t>(n));
  m->data = SharedBytes(std::move(data));
  m->id.bytes[0] = static_cast<std::uint8_t>(n);
  return m;
}

TEST(RpcSizeTest, MatchesProtobufEncoding) {
  // SubOpts{subscribe: 08 01, topicid: 12 03 'a' 'b' 'c'} inside RPC field 1: 0a 07 ...
  EXPECT_EQ(encoded_size(Subscription{true, "abc"}), 9U);
  // Message{data: 12 0a <10>, topic: 22 10 <16>} inside field 2: 12 1e ...
  EXPECT_EQ(encoded_size(*message(1)), 2U + 12U + 18U);
  // ControlGraft{topicID: 0a 01 't'} in ControlMessage field 3: 1a 03 ...
  EXPECT_EQ(encoded_size(Graft{"t"}), 5U);
  // ControlPrune{topic 0a 01 't', backoff 18 3c} : 22 05 ...
  EXPECT_EQ(encoded_size(Prune{"t", {}, 60}), 7U);
  // ControlIWant{2 x (0a 20 <32>)}: 12 44 ...
  EXPECT_EQ(encoded_size(IWant{{MessageId{}, MessageId{}}}), 2U + 68U);
  Rpc rpc;
  rpc.control.graft.push_back(Graft{"t"});
  EXPECT_EQ(estimated_rpc_size(rpc), 2U + 5U);  // RPC field 3: 1a 05 ...
}

TEST(PeerQueueTest, MessagesDropOldestForwardedFirst) {
  PeerQueue q(PeerQueue::Limits{3, 2, 10});
  EXPECT_EQ(q.push_message(message(1), MessageOrigin::kOwn).dropped, 0U);
  q.push_message(message(2), MessageOrigin::kForwarded);
  q.push_message(message(3), MessageOrigin::kForwarded);
  EXPECT_EQ(q.push_message(message(4), MessageOrigin::kOwn).dropped, 1U);  // drops 2
  EXPECT_EQ(q.push_message(message(5), MessageOrigin::kOwn).dropped, 1U);  // drops 3
  EXPECT_EQ(q.push_message(message(6), MessageOrigin::kOwn).dropped, 1U);  // no forwarded: 1
  const auto popped = pop(q, 1 << 20);
  ASSERT_EQ(popped.rpc.publish.size(), 3U);
  EXPECT_EQ(popped.rpc.publish[0]->id.bytes[0], 4);
  EXPECT_EQ(popped.rpc.publish[1]->id.bytes[0], 5);
  EXPECT_EQ(popped.rpc.publish[2]->id.bytes[0], 6);
  EXPECT_TRUE(q.empty());
}

TEST(PeerQueueTest, GossipDropsOldestControlOverflows) {
  PeerQueue q(PeerQueue::Limits{3, 2, 2});
  q.push_ihave(IHave{"a", {}});
  q.push_iwant(IWant{{MessageId{}}});
  EXPECT_EQ(q.push_ihave(IHave{"c", {}}).dropped, 1U);
  EXPECT_FALSE(q.push_graft(Graft{"x"}).control_overflow);
  EXPECT_FALSE(q.push_idontwant(MessageId{}).control_overflow);  // advice: never an overflow
  EXPECT_FALSE(q.push_prune(Prune{"x", {}, 60}).control_overflow);
  EXPECT_TRUE(q.push_graft(Graft{"y"}).control_overflow);  // kept, but too many
  EXPECT_EQ(q.control_entries(), 4U);
  const auto popped = pop(q, 1 << 20);
  EXPECT_EQ(popped.rpc.control.graft.size(), 2U);
  EXPECT_EQ(popped.rpc.control.prune.size(), 1U);
  EXPECT_EQ(popped.rpc.control.idontwant.size(), 1U);
  EXPECT_TRUE(popped.rpc.control.iwant.empty());  // IDONTWANT leaves without the gossip
  const auto gossip = pop(q, 1 << 20);
  EXPECT_EQ(gossip.rpc.control.iwant.size(), 1U);
  ASSERT_EQ(gossip.rpc.control.ihave.size(), 1U);
  EXPECT_EQ(gossip.rpc.control.ihave[0].topic, "c");
  EXPECT_TRUE(q.empty());
}

TEST(PeerQueueTest, IDontWantLeavesInAnRpcOfItsOwnAheadOfQueuedMessages) {
  PeerQueue q(PeerQueue::Limits{});
  q.push_message(message(1, 2000), MessageOrigin::kForwarded);
  MessageId id{};
  id.bytes[0] = 7;
  q.push_idontwant(id);
  q.push_graft(Graft{"t"});  // other control rides along: it is small
  const auto urgent = pop(q, 1 << 20);
  EXPECT_TRUE(urgent.rpc.publish.empty());
  EXPECT_EQ(urgent.rpc.control.graft.size(), 1U);
  ASSERT_EQ(urgent.rpc.control.idontwant.size(), 1U);
  EXPECT_EQ(urgent.rpc.control.idontwant[0].ids.at(0).bytes[0], 7);
  const auto messages = pop(q, 1 << 20);
  EXPECT_EQ(messages.rpc.publish.size(), 1U);
  EXPECT_TRUE(messages.rpc.control.idontwant.empty());
  EXPECT_TRUE(q.empty());
  // Without IDONTWANT waiting, control still rides on the messages.
  q.push_message(message(2), MessageOrigin::kOwn);
  q.push_graft(Graft{"t"});
  const auto together = pop(q, 1 << 20);
  EXPECT_EQ(together.rpc.publish.size(), 1U);
  EXPECT_EQ(together.rpc.control.graft.size(), 1U);
}

TEST(PeerQueueTest, IDontWantForABlockedPeerDropsTheOldestHalf) {
  PeerQueue q(PeerQueue::Limits{3, 2, 2, 4});
  const auto id = [](std::uint8_t n) {
    MessageId m{};
    m.bytes[0] = n;
    return m;
  };
  for (std::uint8_t n = 1; n <= 4; ++n) EXPECT_EQ(q.push_idontwant(id(n)).dropped, 0U);
  const auto full = q.push_idontwant(id(5));
  EXPECT_EQ(full.dropped, 2U);  // ids 1 and 2
  EXPECT_FALSE(full.control_overflow);
  const auto popped = pop(q, 1 << 20);
  ASSERT_EQ(popped.rpc.control.idontwant.size(), 1U);
  const auto& ids = popped.rpc.control.idontwant[0].ids;
  ASSERT_EQ(ids.size(), 3U);
  EXPECT_EQ(ids[0].bytes[0], 3);
  EXPECT_EQ(ids[2].bytes[0], 5);
}

TEST(PeerQueueTest, PopRespectsByteLimit) {
  PeerQueue q(PeerQueue::Limits{10, 10, 10});
  q.push_graft(Graft{"t"});
  q.push_message(message(1, 600), MessageOrigin::kForwarded);
  q.push_message(message(2, 600), MessageOrigin::kForwarded);
  q.push_message(message(3, 5000), MessageOrigin::kForwarded);  // can never fit: discarded
  auto first = pop(q, 1000);
  EXPECT_EQ(first.rpc.publish.size(), 1U);
  EXPECT_EQ(first.rpc.control.graft.size(), 1U);
  EXPECT_LE(estimated_rpc_size(first.rpc), 1000U);
  auto second = pop(q, 1000);
  EXPECT_EQ(second.rpc.publish.size(), 1U);
  EXPECT_EQ(second.discarded.oversized_messages, 0U);
  auto third = pop(q, 1000);
  EXPECT_TRUE(third.rpc.empty());
  EXPECT_EQ(third.discarded.oversized_messages, 1U);
  EXPECT_TRUE(q.empty());
}

TEST(PeerQueueTest, SubscriptionChangesCoalesce) {
  PeerQueue q(PeerQueue::Limits{});
  q.push_subscription(Subscription{true, "a"});
  q.push_subscription(Subscription{false, "a"});
  const auto popped = pop(q, 1 << 20);
  ASSERT_EQ(popped.rpc.subscriptions.size(), 1U);
  EXPECT_EQ(popped.rpc.subscriptions[0], (Subscription{false, "a"}));
}

}  // namespace
}  // namespace waku::relay
