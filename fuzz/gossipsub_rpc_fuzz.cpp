// Fuzzes the gossipsub RPC decoder, which sees every frame a relay peer sends: decoding must not
// crash or over-allocate, must agree with the protobuf runtime parsing the whole frame, and
// whatever it accepts must survive encode -> decode unchanged, with encoded_rpc_size and the size
// breakdown agreeing with the encoding. Each input is decoded twice,
// with the default limits and with tiny ones, so that the cutting paths are exercised too.
#include <cstddef>
#include <cstdint>

#include "waku/base/assert.hpp"
#include "waku/codec/gossipsub_codec.hpp"
#include "waku/crypto/sha256.hpp"

namespace {

// `b` is `a` decoded again, or decoded another way (`same_authors`: the author flags agree too).
void check_same(const waku::relay::Rpc& a, const waku::relay::Rpc& b, bool same_authors) {
  WAKU_ASSERT(a.subscriptions == b.subscriptions);
  WAKU_ASSERT(a.publish.size() == b.publish.size());
  for (std::size_t i = 0; i < a.publish.size(); ++i) {
    const auto& x = *a.publish[i];
    const auto& y = *b.publish[i];
    WAKU_ASSERT(x.topic == y.topic);
    WAKU_ASSERT(x.data == y.data);
    WAKU_ASSERT(x.id == y.id);
    WAKU_ASSERT(x.decoded == y.decoded);
    if (same_authors) {
      WAKU_ASSERT(x.has_author_fields == y.has_author_fields);
    } else {
      WAKU_ASSERT(!y.has_author_fields);  // StrictNoSign output
    }
  }
  WAKU_ASSERT(a.control.ihave == b.control.ihave);
  WAKU_ASSERT(a.control.iwant == b.control.iwant);
  WAKU_ASSERT(a.control.graft == b.control.graft);
  WAKU_ASSERT(a.control.prune == b.control.prune);
  WAKU_ASSERT(a.control.idontwant == b.control.idontwant);
}

void check_within(const waku::relay::Rpc& rpc, const waku::codec::RpcLimits& limits) {
  WAKU_ASSERT(rpc.subscriptions.size() <= limits.max_subscriptions);
  const auto& c = rpc.control;
  WAKU_ASSERT(c.ihave.size() + c.iwant.size() + c.graft.size() + c.prune.size() +
                  c.idontwant.size() <=
              limits.max_control_entries);
  for (const auto& e : c.ihave) WAKU_ASSERT(e.ids.size() <= limits.max_ids_per_control);
  for (const auto& e : c.iwant) WAKU_ASSERT(e.ids.size() <= limits.max_ids_per_control);
  for (const auto& e : c.idontwant) WAKU_ASSERT(e.ids.size() <= limits.max_ids_per_control);
  for (const auto& e : c.prune) WAKU_ASSERT(e.peers.size() <= limits.max_px_peers);
  for (const auto& m : rpc.publish) {
    WAKU_ASSERT(m != nullptr);
    WAKU_ASSERT(m->data.size() <= limits.max_message_size_bytes);
    WAKU_ASSERT(m->id.bytes == waku::crypto::sha256(m->data.view()));
  }
}

void same_report(const waku::codec::RpcDecodeReport& a, const waku::codec::RpcDecodeReport& b) {
  WAKU_ASSERT(a.ids_dropped == b.ids_dropped);
  WAKU_ASSERT(a.entries_dropped == b.entries_dropped);
  WAKU_ASSERT(a.messages_dropped == b.messages_dropped);
  WAKU_ASSERT(a.subscriptions_dropped == b.subscriptions_dropped);
  WAKU_ASSERT(a.px_peers_dropped == b.px_peers_dropped);
}

void run(waku::ByteView input, const waku::codec::RpcLimits& limits) {
  waku::codec::RpcDecodeReport report;
  auto decoded = waku::codec::decode_rpc(input, limits, &report);
  // decode_rpc walks the published messages itself: it must agree with the protobuf runtime
  // parsing the whole frame (verdict, report, RPC).
  waku::codec::RpcDecodeReport runtime_report;
  auto runtime = waku::codec::decode_rpc_with_protobuf(input, limits, &runtime_report);
  WAKU_ASSERT(decoded.has_value() == runtime.has_value());
  if (!decoded) return;
  same_report(report, runtime_report);
  check_same(*runtime, *decoded, true);
  const waku::relay::Rpc& rpc = *decoded;
  check_within(rpc, limits);

  const waku::Bytes encoded = waku::codec::encode_rpc(rpc);
  WAKU_ASSERT(waku::codec::encoded_rpc_size(rpc) == encoded.size());
  WAKU_ASSERT(waku::codec::rpc_size_breakdown(rpc).total() == encoded.size());

  // The canonical encoding may be a little larger than the input (absent topics and flags are
  // written explicitly), so the frame limit is relaxed; every other limit already holds.
  waku::codec::RpcLimits relaxed = limits;
  relaxed.max_frame_bytes = encoded.size();
  waku::codec::RpcDecodeReport again_report;
  auto again = waku::codec::decode_rpc(encoded, relaxed, &again_report);
  WAKU_ASSERT(again.has_value());
  WAKU_ASSERT(again_report.total() == 0);
  check_same(rpc, *again, false);
  WAKU_ASSERT(waku::codec::encode_rpc(*again) == encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const waku::ByteView input(data, size);
  run(input, waku::codec::RpcLimits{});

  waku::codec::RpcLimits tiny;
  tiny.max_frame_bytes = 4096;
  tiny.max_message_size_bytes = 16;
  tiny.max_ids_per_control = 2;
  tiny.max_control_entries = 3;
  tiny.max_subscriptions = 2;
  tiny.max_px_peers = 1;
  run(input, tiny);
  return 0;
}
