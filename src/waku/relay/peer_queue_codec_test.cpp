// The router's RPC size estimate against the real codec (kept apart from peer_queue_test so a
// codec change in progress cannot stop the queue tests from building).
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "waku/codec/gossipsub_codec.hpp"
#include "waku/relay/peer_queue.hpp"

namespace waku::relay {
namespace {

MessageId id(int n) {
  MessageId out;
  out.bytes[0] = static_cast<std::uint8_t>(n);
  out.bytes[31] = static_cast<std::uint8_t>(n >> 8);
  return out;
}

TEST(RpcSizeCodecTest, EstimateEqualsEncodedSize) {
  for (const std::size_t data_size : {0U, 1U, 127U, 128U, 16'383U, 16'384U, 153'600U}) {
    Rpc rpc;
    rpc.subscriptions.push_back(Subscription{true, "/waku/2/rs/16/32"});
    rpc.subscriptions.push_back(Subscription{false, std::string(200, 't')});
    rpc.publish.push_back(
        codec::make_relay_message("/waku/2/rs/16/32", SharedBytes(Bytes(data_size, 7))));
    IHave ihave{"/waku/2/rs/16/32", {}};
    for (int i = 0; i < static_cast<int>(data_size % 300); ++i) ihave.ids.push_back(id(i));
    rpc.control.ihave.push_back(ihave);
    rpc.control.iwant.push_back(IWant{{id(1), id(2)}});
    rpc.control.graft.push_back(Graft{"/waku/2/rs/16/33"});
    rpc.control.prune.push_back(Prune{"/waku/2/rs/16/34", {}, std::nullopt});
    rpc.control.prune.push_back(
        Prune{"/x", {PxPeer{Bytes(38, 1), {}}, PxPeer{Bytes(38, 2), Bytes(300, 3)}}, 60});
    rpc.control.idontwant.push_back(IDontWant{{id(9)}});
    EXPECT_EQ(estimated_rpc_size(rpc), codec::encoded_rpc_size(rpc)) << data_size;
    EXPECT_EQ(estimated_rpc_size(rpc), codec::encode_rpc(rpc).size()) << data_size;
  }
  Rpc control_only;
  control_only.control.graft.push_back(Graft{"t"});
  EXPECT_EQ(estimated_rpc_size(control_only), codec::encode_rpc(control_only).size());
  EXPECT_EQ(estimated_rpc_size(Rpc{}), codec::encode_rpc(Rpc{}).size());
}

// What pop_rpc reports it built, kind by kind, is what the codec counts in the encoding, for
// RPCs cut at a small and at a large limit.
TEST(RpcSizeCodecTest, PoppedBreakdownEqualsTheCodecs) {
  for (const std::size_t limit : {600U, 5'000U, 1U << 20}) {
    PeerQueue queue(PeerQueue::Limits{});
    int n = 0;
    for (int round = 0; round < 6; ++round) {
      (void)queue.push_subscription(
          Subscription{round % 2 == 0, "/waku/2/rs/16/" + std::to_string(round)});
      (void)queue.push_graft(Graft{"/waku/2/rs/16/32"});
      (void)queue.push_prune(
          Prune{"/waku/2/rs/16/33", {PxPeer{Bytes(38, 1), Bytes(120, 2)}}, 60 + round});
      for (int i = 0; i < 5 * round; ++i) (void)queue.push_idontwant(id(n++));
      IHave ihave{"/waku/2/rs/16/32", {}};
      for (int i = 0; i < 3 + 7 * round; ++i) ihave.ids.push_back(id(n++));
      (void)queue.push_ihave(std::move(ihave));
      (void)queue.push_iwant(IWant{{id(n++), id(n++)}});
      for (const std::size_t data : {10U, 130U, 2'048U}) {
        const MessageOrigin origin = data == 130U ? MessageOrigin::kOwn : MessageOrigin::kForwarded;
        (void)queue.push_message(
            codec::make_relay_message("/waku/2/rs/16/32", SharedBytes(Bytes(data, 9))), origin);
      }
    }
    std::size_t rpcs = 0;
    while (!queue.empty()) {
      Rpc rpc;
      RpcSizeBreakdown sizes;
      (void)queue.pop_rpc(limit, rpc, &sizes);
      if (rpc.empty()) continue;  // only oversized entries were dropped
      ++rpcs;
      EXPECT_EQ(sizes, codec::rpc_size_breakdown(rpc)) << "limit " << limit << ", rpc " << rpcs;
      EXPECT_EQ(sizes.total(), codec::encode_rpc(rpc).size()) << "limit " << limit;
    }
    EXPECT_GT(rpcs, limit < 1'000 ? 10U : 0U) << limit;  // the small limit cuts many RPCs
  }
}

}  // namespace
}  // namespace waku::relay
