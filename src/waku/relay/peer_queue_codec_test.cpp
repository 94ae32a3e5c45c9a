// The router's RPC size estimate against the real codec (kept apart from peer_queue_test so a
// codec change in progress cannot stop the queue tests from building).
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace waku::relay
