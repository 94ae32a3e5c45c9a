// Gossipsub RPC frames (the libp2p pubsub protobuf, /vac/waku/relay/2.0.0) <-> relay::Rpc.
//
// Every RPC a peer sends goes through decode_rpc, so it bounds everything a peer controls (frame
// size, message size, ids per entry, entries per RPC, subscriptions, PX records) and never trusts
// the input: cut elements are counted in an RpcDecodeReport rather than failing the frame, the way
// go-libp2p-pubsub and nim-libp2p truncate oversized control messages. Each published message is
// turned into a shared RelayMessage whose id (sha256 of the data) and decoded WakuMessage are
// derived here, once per receipt, outside the router's hot path. encode_rpc writes StrictNoSign
// messages (never from/seqno/signature/key) with their data bytes verbatim, so a relayed message
// keeps the id it arrived with. encoded_rpc_size and rpc_size_breakdown give the encoded size
// without encoding, for the router's transmit limit and the simulator's byte accounting.
#pragma once

#include <cstddef>
#include <string>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"
#include "waku/message/waku_message.hpp"
#include "waku/relay/rpc.hpp"

namespace waku::codec {

struct RpcLimits {
  // The whole RPC: one message of the maximum size plus nwaku's 64 KiB protocol-overhead margin.
  std::size_t max_frame_bytes = message::kMaxMessageSizeBytes + std::size_t{64} * 1024;
  // One published message's data (the encoded WakuMessage).
  std::size_t max_message_size_bytes = message::kMaxMessageSizeBytes;
  // Ids kept per IHAVE/IWANT/IDONTWANT entry (js-libp2p-gossipsub maxIHaveLength is 5000).
  std::size_t max_ids_per_control = 5000;
  // IHAVE + IWANT + GRAFT + PRUNE + IDONTWANT entries kept per RPC, in that order.
  std::size_t max_control_entries = 5000;
  // Subscription entries kept per RPC.
  std::size_t max_subscriptions = 5000;
  // PX records kept per PRUNE.
  std::size_t max_px_peers = 64;
};

// What decode_rpc cut from an otherwise valid frame. A non-zero count is peer behaviour worth a
// metric, not necessarily a penalty.
struct RpcDecodeReport {
  // Message ids not 32 bytes long (never a Waku id), or beyond max_ids_per_control in an entry.
  std::size_t ids_dropped = 0;
  // Control entries beyond max_control_entries.
  std::size_t entries_dropped = 0;
  // Published messages without topic or data, or with data above max_message_size_bytes.
  std::size_t messages_dropped = 0;
  // Subscriptions without a topic, or beyond max_subscriptions.
  std::size_t subscriptions_dropped = 0;
  // PX records beyond max_px_peers in a PRUNE.
  std::size_t px_peers_dropped = 0;

  [[nodiscard]] std::size_t total() const {
    return ids_dropped + entries_dropped + messages_dropped + subscriptions_dropped +
           px_peers_dropped;
  }
};

// Fails with kTooLarge if the frame is larger than limits.max_frame_bytes (checked before
// parsing) and with kDecode if it is not a protobuf RPC. Otherwise every published message
// becomes a RelayMessage with id = sha256(data), decoded = decode_waku_message(data) or nullopt,
// has_author_fields = any of from/seqno/signature/key present; messages without topic or data,
// or whose data exceeds max_message_size_bytes, are dropped. Absent strings of control entries
// and subscription flags decode as empty / false (protobuf defaults). Unknown fields are skipped.
// Work and memory are O(frame size).
//
// The published messages are walked field by field (protobuf_walk.hpp) and the protobuf runtime
// parses the rest; where the walk stops, the runtime parses the whole frame, as in
// decode_rpc_with_protobuf.
Result<relay::Rpc> decode_rpc(ByteView frame, const RpcLimits& limits,
                              RpcDecodeReport* report = nullptr);
// The same, with the runtime parsing the whole frame: the reference that the tests and the fuzzer
// hold decode_rpc to (same verdict, same report, same RPC on every input).
Result<relay::Rpc> decode_rpc_with_protobuf(ByteView frame, const RpcLimits& limits,
                                            RpcDecodeReport* report = nullptr);

// StrictNoSign: never writes from/seqno/signature/key; always writes topic and data, the
// subscription flag and topic, and the topic of IHAVE/GRAFT/PRUNE entries; writes a PX record's
// signed peer record only when non-empty and a PRUNE's backoff only when present. The control
// field is written only when some control entry exists. Fields are in field-number order, which
// makes the output identical to the protobuf runtime's serialisation of the same message, and
// deterministic. Data bytes are copied verbatim.
Bytes encode_rpc(const relay::Rpc& rpc);

// Appends encode_rpc(rpc) as a length-prefixed stream frame (what a relay stream carries), in
// one pass and without a temporary: a relaying node does this for every copy it forwards.
void append_rpc_frame(Bytes& out, const relay::Rpc& rpc);

// == encode_rpc(rpc).size(), computed without encoding or allocating.
std::size_t encoded_rpc_size(const relay::Rpc& rpc);

// Encoded bytes attributed to each kind, summing to encoded_rpc_size(rpc) (see
// relay::RpcSizeBreakdown).
using RpcSizeBreakdown = relay::RpcSizeBreakdown;
RpcSizeBreakdown rpc_size_breakdown(const relay::Rpc& rpc);

// For local publication and the simulator: the shared message with its id (sha256(data)) and
// decoded form (nullopt if `data` is not a valid WakuMessage); has_author_fields is false.
relay::RelayMessagePtr make_relay_message(std::string topic, SharedBytes data);
// The same as make_relay_message(topic, SharedBytes(encode_waku_message(message))), without
// decoding again what was just encoded: `message` becomes the decoded form, unless the decoder's
// limits would reject it (then nullopt, as decoding would give).
relay::RelayMessagePtr make_relay_message(std::string topic, message::WakuMessage message);

}  // namespace waku::codec
