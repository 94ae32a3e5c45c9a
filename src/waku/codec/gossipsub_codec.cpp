#include "waku/codec/gossipsub_codec.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include "waku/base/varint.hpp"
#include "waku/codec/protobuf_walk.hpp"
#include "waku/codec/waku_message_codec.hpp"
#include "waku/crypto/sha256.hpp"
#include "waku/relay/rpc_recycler.hpp"

// CMake's protobuf_generate (without APPEND_PATH) puts the generated files under proto/ inside
// the include directory; accept both layouts (as waku_message_codec.cpp does).
#if __has_include("gossipsub_rpc.pb.h")
#include "gossipsub_rpc.pb.h"
#else
#include "proto/gossipsub_rpc.pb.h"
#endif

namespace waku::codec {
namespace {

// ---------------------------------------------------------------------------------------------
// Encoding by hand rather than through the generated classes: the generated setters would copy
// every message's data (up to 150 KiB) into a std::string before serialising it again, once per
// peer a message is forwarded to; and encoded_rpc_size must equal the encoding exactly, which is
// easiest to guarantee when both are written from the same field list below. The test suite
// checks the bytes against the protobuf runtime's own serialisation.
// ---------------------------------------------------------------------------------------------

enum class WireType : std::uint8_t { kVarint = 0, kLengthDelimited = 2 };

constexpr std::uint64_t tag(std::uint32_t field, WireType type) {
  return (std::uint64_t{field} << 3U) | static_cast<std::uint64_t>(type);
}

// Field numbers (proto/gossipsub_rpc.proto).
namespace field {
constexpr std::uint32_t kRpcSubscriptions = 1;
constexpr std::uint32_t kRpcPublish = 2;
constexpr std::uint32_t kRpcControl = 3;
constexpr std::uint32_t kSubOptsSubscribe = 1;
constexpr std::uint32_t kSubOptsTopic = 2;
constexpr std::uint32_t kMessageFrom = 1;
constexpr std::uint32_t kMessageData = 2;
constexpr std::uint32_t kMessageSeqno = 3;
constexpr std::uint32_t kMessageTopic = 4;
constexpr std::uint32_t kMessageSignature = 5;
constexpr std::uint32_t kMessageKey = 6;
constexpr std::uint32_t kControlIHave = 1;
constexpr std::uint32_t kControlIWant = 2;
constexpr std::uint32_t kControlGraft = 3;
constexpr std::uint32_t kControlPrune = 4;
constexpr std::uint32_t kControlIDontWant = 5;
constexpr std::uint32_t kIHaveTopic = 1;
constexpr std::uint32_t kIHaveIds = 2;
constexpr std::uint32_t kIWantIds = 1;
constexpr std::uint32_t kGraftTopic = 1;
constexpr std::uint32_t kPruneTopic = 1;
constexpr std::uint32_t kPrunePeers = 2;
constexpr std::uint32_t kPruneBackoff = 3;
constexpr std::uint32_t kPeerInfoId = 1;
constexpr std::uint32_t kPeerInfoRecord = 2;
constexpr std::uint32_t kIDontWantIds = 1;
}  // namespace field

constexpr std::size_t kIdSize = sizeof(relay::MessageId{}.bytes);

// Size of a length-delimited field holding `payload_size` bytes: tag + length varint + payload.
std::size_t delimited_size(std::uint32_t field_number, std::size_t payload_size) {
  return uvarint_size(tag(field_number, WireType::kLengthDelimited)) + uvarint_size(payload_size) +
         payload_size;
}
std::size_t varint_field_size(std::uint32_t field_number, std::uint64_t value) {
  return uvarint_size(tag(field_number, WireType::kVarint)) + uvarint_size(value);
}

// --- body sizes (the bytes inside each sub-message's length prefix) ---

std::size_t subscription_body_size(const relay::Subscription& sub) {
  return varint_field_size(field::kSubOptsSubscribe, sub.subscribe ? 1 : 0) +
         delimited_size(field::kSubOptsTopic, sub.topic.size());
}

const relay::RelayMessage& deref(const relay::RelayMessagePtr& message) {
  WAKU_ASSERT_MSG(message != nullptr, "Rpc::publish holds a null message");
  return *message;
}

std::size_t message_body_size(const relay::RelayMessage& message) {
  return delimited_size(field::kMessageData, message.data.size()) +
         delimited_size(field::kMessageTopic, message.topic.size());
}

std::size_t ids_size(std::uint32_t field_number, const std::vector<relay::MessageId>& ids) {
  return ids.size() * delimited_size(field_number, kIdSize);
}

std::size_t ihave_body_size(const relay::IHave& ihave) {
  return delimited_size(field::kIHaveTopic, ihave.topic.size()) +
         ids_size(field::kIHaveIds, ihave.ids);
}
std::size_t iwant_body_size(const relay::IWant& iwant) {
  return ids_size(field::kIWantIds, iwant.ids);
}
std::size_t graft_body_size(const relay::Graft& graft) {
  return delimited_size(field::kGraftTopic, graft.topic.size());
}
std::size_t px_peer_body_size(const relay::PxPeer& peer) {
  std::size_t size = delimited_size(field::kPeerInfoId, peer.peer_id.size());
  if (!peer.signed_peer_record.empty()) {
    size += delimited_size(field::kPeerInfoRecord, peer.signed_peer_record.size());
  }
  return size;
}
std::size_t prune_body_size(const relay::Prune& prune) {
  std::size_t size = delimited_size(field::kPruneTopic, prune.topic.size());
  for (const auto& peer : prune.peers) {
    size += delimited_size(field::kPrunePeers, px_peer_body_size(peer));
  }
  if (prune.backoff_seconds)
    size += varint_field_size(field::kPruneBackoff, *prune.backoff_seconds);
  return size;
}
std::size_t idontwant_body_size(const relay::IDontWant& idontwant) {
  return ids_size(field::kIDontWantIds, idontwant.ids);
}

// Sum over entries of the whole field (tag + length + body), i.e. what the entries cost inside
// their parent.
template <typename T, typename BodySize>
std::size_t entries_size(std::uint32_t field_number, const std::vector<T>& entries,
                         BodySize body_size) {
  std::size_t size = 0;
  for (const auto& entry : entries) size += delimited_size(field_number, body_size(entry));
  return size;
}

std::size_t control_body_size(const relay::Control& control) {
  return entries_size(field::kControlIHave, control.ihave, ihave_body_size) +
         entries_size(field::kControlIWant, control.iwant, iwant_body_size) +
         entries_size(field::kControlGraft, control.graft, graft_body_size) +
         entries_size(field::kControlPrune, control.prune, prune_body_size) +
         entries_size(field::kControlIDontWant, control.idontwant, idontwant_body_size);
}

std::size_t publish_size(const std::vector<relay::RelayMessagePtr>& publish) {
  std::size_t size = 0;
  for (const auto& message : publish) {
    size += delimited_size(field::kRpcPublish, message_body_size(deref(message)));
  }
  return size;
}

// --- writer ---

class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}

  void header(std::uint32_t field_number, std::size_t payload_size) {
    append_uvarint(out_, tag(field_number, WireType::kLengthDelimited));
    append_uvarint(out_, payload_size);
  }
  void bytes(std::uint32_t field_number, ByteView payload) {
    header(field_number, payload.size());
    out_.insert(out_.end(), payload.begin(), payload.end());
  }
  void varint(std::uint32_t field_number, std::uint64_t value) {
    append_uvarint(out_, tag(field_number, WireType::kVarint));
    append_uvarint(out_, value);
  }
  void ids(std::uint32_t field_number, const std::vector<relay::MessageId>& ids) {
    for (const auto& id : ids) bytes(field_number, id.bytes);
  }

 private:
  Bytes& out_;
};

void write_control(Writer& w, const relay::Control& control) {
  for (const auto& ihave : control.ihave) {
    w.header(field::kControlIHave, ihave_body_size(ihave));
    w.bytes(field::kIHaveTopic, as_bytes(ihave.topic));
    w.ids(field::kIHaveIds, ihave.ids);
  }
  for (const auto& iwant : control.iwant) {
    w.header(field::kControlIWant, iwant_body_size(iwant));
    w.ids(field::kIWantIds, iwant.ids);
  }
  for (const auto& graft : control.graft) {
    w.header(field::kControlGraft, graft_body_size(graft));
    w.bytes(field::kGraftTopic, as_bytes(graft.topic));
  }
  for (const auto& prune : control.prune) {
    w.header(field::kControlPrune, prune_body_size(prune));
    w.bytes(field::kPruneTopic, as_bytes(prune.topic));
    for (const auto& peer : prune.peers) {
      w.header(field::kPrunePeers, px_peer_body_size(peer));
      w.bytes(field::kPeerInfoId, peer.peer_id);
      if (!peer.signed_peer_record.empty()) {
        w.bytes(field::kPeerInfoRecord, peer.signed_peer_record);
      }
    }
    if (prune.backoff_seconds) w.varint(field::kPruneBackoff, *prune.backoff_seconds);
  }
  for (const auto& idontwant : control.idontwant) {
    w.header(field::kControlIDontWant, idontwant_body_size(idontwant));
    w.ids(field::kIDontWantIds, idontwant.ids);
  }
}

// --- decoding helpers ---

// The message with its topic, data and id (sha256(data)), not decoded yet. Mutable until it is
// handed out as a RelayMessagePtr.
std::shared_ptr<relay::RelayMessage> undecoded_relay_message(std::string topic, SharedBytes data) {
  auto message = std::make_shared<relay::RelayMessage>();
  message->topic = std::move(topic);
  message->id = relay::MessageId{crypto::sha256(data.view())};
  message->data = std::move(data);
  return message;
}

std::shared_ptr<relay::RelayMessage> build_relay_message(std::string topic, SharedBytes data) {
  auto message = undecoded_relay_message(std::move(topic), std::move(data));
  if (auto decoded = decode_waku_message(message->data); decoded.has_value()) {
    message->decoded = std::move(decoded).value();
  }
  return message;
}

Bytes string_to_bytes(const std::string& bytes) { return Bytes(bytes.begin(), bytes.end()); }

void count(std::size_t RpcDecodeReport::*counter, RpcDecodeReport* report, std::size_t n) {
  if (report != nullptr) report->*counter += n;
}

// Keeps the 32-byte ids, at most `limits.max_ids_per_control` of them, in `ids` (emptied first;
// from the RPC recycler, so its capacity is reused).
template <typename RepeatedIds>
void decode_ids(const RepeatedIds& wire_ids, const RpcLimits& limits, RpcDecodeReport* report,
                std::vector<relay::MessageId>& ids) {
  ids.clear();
  ids.reserve(
      std::min<std::size_t>(static_cast<std::size_t>(wire_ids.size()), limits.max_ids_per_control));
  std::size_t dropped = 0;
  for (const std::string& wire_id : wire_ids) {
    if (wire_id.size() != kIdSize || ids.size() >= limits.max_ids_per_control) {
      ++dropped;
      continue;
    }
    relay::MessageId id;
    std::memcpy(id.bytes.data(), wire_id.data(), kIdSize);
    ids.push_back(id);
  }
  count(&RpcDecodeReport::ids_dropped, report, dropped);
}

// A published message's fields as decoding sees them: topic and data, and whether any of the
// author fields (from, seqno, signature, key) is present.
struct MessageFields {
  std::optional<ByteView> topic;
  std::optional<ByteView> data;
  bool has_author_fields = false;
};

MessageFields message_fields(const pb::PubsubMessage& wire) {
  MessageFields fields;
  if (wire.has_topic()) fields.topic = as_bytes(wire.topic());
  if (wire.has_data()) fields.data = as_bytes(wire.data());
  fields.has_author_fields =
      wire.has_from() || wire.has_seqno() || wire.has_signature() || wire.has_key();
  return fields;
}

// The same from the encoded message, without the runtime. Every field is `optional bytes`, so the
// last length-delimited occurrence of each is the one a parser keeps, and an occurrence of another
// wire type is an unknown field. nullopt where the walk stops.
std::optional<MessageFields> walk_message_fields(ByteView encoded) {
  MessageFields fields;
  while (!encoded.empty()) {
    const auto field = next_wire_field(encoded);
    if (!field) return std::nullopt;
    if (field->wire_type != kWireLengthDelimited) continue;
    switch (field->number) {
      case field::kMessageTopic: fields.topic = field->value; break;
      case field::kMessageData: fields.data = field->value; break;
      case field::kMessageFrom:
      case field::kMessageSeqno:
      case field::kMessageSignature:
      case field::kMessageKey: fields.has_author_fields = true; break;
      default: break;
    }
  }
  return fields;
}

relay::RelayMessagePtr decode_message(const MessageFields& fields, const RpcLimits& limits) {
  if (!fields.topic || !fields.data || fields.data->size() > limits.max_message_size_bytes) {
    return nullptr;
  }
  auto message =
      build_relay_message(std::string(as_chars(*fields.topic)), SharedBytes::copy_of(*fields.data));
  message->has_author_fields = fields.has_author_fields;
  return message;
}

void decode_control(const pb::ControlMessage& wire, const RpcLimits& limits,
                    RpcDecodeReport* report, relay::Control& out) {
  std::size_t budget = limits.max_control_entries;
  // Takes one entry from the shared budget, or counts it as dropped.
  const auto admit = [&]() {
    if (budget == 0) {
      count(&RpcDecodeReport::entries_dropped, report, 1);
      return false;
    }
    --budget;
    return true;
  };

  for (const auto& ihave : wire.ihave()) {
    if (!admit()) continue;
    relay::IHave entry = relay::rpc_recycler().take_ihave();
    entry.topic = ihave.topicid();
    decode_ids(ihave.messageids(), limits, report, entry.ids);
    out.ihave.push_back(std::move(entry));
  }
  for (const auto& iwant : wire.iwant()) {
    if (!admit()) continue;
    relay::IWant entry{relay::rpc_recycler().take_ids()};
    decode_ids(iwant.messageids(), limits, report, entry.ids);
    out.iwant.push_back(std::move(entry));
  }
  for (const auto& graft : wire.graft()) {
    if (!admit()) continue;
    out.graft.push_back(relay::Graft{std::string(graft.topicid())});
  }
  for (const auto& prune : wire.prune()) {
    if (!admit()) continue;
    relay::Prune entry;
    entry.topic = std::string(prune.topicid());
    const auto peers = static_cast<std::size_t>(prune.peers_size());
    const std::size_t kept = std::min(peers, limits.max_px_peers);
    count(&RpcDecodeReport::px_peers_dropped, report, peers - kept);
    entry.peers.reserve(kept);
    for (std::size_t i = 0; i < kept; ++i) {
      const auto& peer = prune.peers(static_cast<int>(i));
      entry.peers.push_back(
          relay::PxPeer{string_to_bytes(peer.peerid()), string_to_bytes(peer.signedpeerrecord())});
    }
    if (prune.has_backoff()) entry.backoff_seconds = prune.backoff();
    out.prune.push_back(std::move(entry));
  }
  for (const auto& idontwant : wire.idontwant()) {
    if (!admit()) continue;
    relay::IDontWant entry{relay::rpc_recycler().take_ids()};
    decode_ids(idontwant.messageids(), limits, report, entry.ids);
    out.idontwant.push_back(std::move(entry));
  }
}

// Checked before parsing, so an oversized frame costs nothing; the second bound keeps the size
// within the int the protobuf runtime takes, whatever the configured limit.
Result<void> check_frame_size(ByteView frame, const RpcLimits& limits) {
  if (frame.size() > limits.max_frame_bytes ||
      frame.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return unexpected(Errc::kTooLarge, "gossipsub rpc: frame larger than max_frame_bytes");
  }
  return {};
}

// Parses into the thread's reused RPC: a parse keeps the cleared entries and strings for the next
// (at most one largest frame stays allocated per thread).
const pb::RPC* parse_rpc(ByteView bytes) {
  thread_local pb::RPC wire;
  if (bytes.empty()) {
    wire.Clear();  // what parsing no bytes gives
  } else if (!wire.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return nullptr;
  }
  return &wire;
}

// The RPC from `wire` (subscriptions and control) and `messages` (the published messages).
relay::Rpc assemble_rpc(const pb::RPC& wire, const std::vector<MessageFields>& messages,
                        const RpcLimits& limits, RpcDecodeReport* report) {
  relay::Rpc rpc = relay::rpc_recycler().take_rpc();
  const auto subscriptions = static_cast<std::size_t>(wire.subscriptions_size());
  rpc.subscriptions.reserve(std::min(subscriptions, limits.max_subscriptions));
  for (const auto& sub : wire.subscriptions()) {
    if (!sub.has_topicid() || rpc.subscriptions.size() >= limits.max_subscriptions) {
      count(&RpcDecodeReport::subscriptions_dropped, report, 1);
      continue;
    }
    rpc.subscriptions.push_back(relay::Subscription{sub.subscribe(), std::string(sub.topicid())});
  }

  rpc.publish.reserve(messages.size());
  for (const auto& fields : messages) {
    auto message = decode_message(fields, limits);
    if (message == nullptr) {
      count(&RpcDecodeReport::messages_dropped, report, 1);
      continue;
    }
    rpc.publish.push_back(std::move(message));
  }

  if (wire.has_control()) decode_control(wire.control(), limits, report, rpc.control);
  return rpc;
}

// A frame of thousands of empty messages must not pin their entries (40 B each) afterwards.
void release_if_large(std::vector<MessageFields>& messages) {
  constexpr std::size_t kKeptEntries = 1024;
  if (messages.capacity() > kKeptEntries) messages = {};
}

// Splits `frame` into its published messages, walked (publish is field 2, and a field of another
// wire type is an unknown one), and the other fields, appended to `rest` for the runtime. False
// if the walk stops.
bool split_publish(ByteView frame, std::vector<MessageFields>& messages, Bytes& rest) {
  messages.clear();
  return split_field(frame, field::kRpcPublish, rest, [&messages](ByteView value) {
    auto fields = walk_message_fields(value);
    if (fields) messages.push_back(*fields);
    return fields.has_value();
  });
}

}  // namespace

Result<relay::Rpc> decode_rpc(ByteView frame, const RpcLimits& limits, RpcDecodeReport* report) {
  WAKU_TRY_VOID(check_frame_size(frame, limits));
  // The published messages are walked, so that each one's data is copied once, straight into the
  // buffer the relay keeps, instead of into a string and then out of it; the runtime parses the
  // rest (a frame under relay load holds nothing else).
  thread_local std::vector<MessageFields> messages;
  thread_local Bytes rest;
  if (!split_publish(frame, messages, rest)) return decode_rpc_with_protobuf(frame, limits, report);
  const pb::RPC* wire = parse_rpc(rest);
  auto rpc = wire != nullptr ? Result<relay::Rpc>(assemble_rpc(*wire, messages, limits, report))
                             : unexpected(Errc::kDecode, "gossipsub rpc: not a valid protobuf RPC");
  release_if_large(messages);
  return rpc;
}

Result<relay::Rpc> decode_rpc_with_protobuf(ByteView frame, const RpcLimits& limits,
                                            RpcDecodeReport* report) {
  WAKU_TRY_VOID(check_frame_size(frame, limits));
  const pb::RPC* wire = parse_rpc(frame);
  if (wire == nullptr) return unexpected(Errc::kDecode, "gossipsub rpc: not a valid protobuf RPC");
  thread_local std::vector<MessageFields> messages;
  messages.clear();
  for (const auto& wire_message : wire->publish()) messages.push_back(message_fields(wire_message));
  auto rpc = assemble_rpc(*wire, messages, limits, report);
  release_if_large(messages);
  return rpc;
}

namespace {

// Appends the encoding of `rpc`, which is `size` (= encoded_rpc_size(rpc)) bytes.
void write_rpc(Bytes& out, const relay::Rpc& rpc, std::size_t size) {
  const std::size_t start = out.size();
  out.reserve(start + size);
  Writer w(out);
  for (const auto& sub : rpc.subscriptions) {
    w.header(field::kRpcSubscriptions, subscription_body_size(sub));
    w.varint(field::kSubOptsSubscribe, sub.subscribe ? 1 : 0);
    w.bytes(field::kSubOptsTopic, as_bytes(sub.topic));
  }
  for (const auto& message_ptr : rpc.publish) {
    const auto& message = deref(message_ptr);
    w.header(field::kRpcPublish, message_body_size(message));
    w.bytes(field::kMessageData, message.data.view());
    w.bytes(field::kMessageTopic, as_bytes(message.topic));
  }
  if (!rpc.control.empty()) {
    w.header(field::kRpcControl, control_body_size(rpc.control));
    write_control(w, rpc.control);
  }
  WAKU_ASSERT_MSG(out.size() - start == size, "encoded_rpc_size disagrees with encode_rpc");
}

}  // namespace

Bytes encode_rpc(const relay::Rpc& rpc) {
  Bytes out;
  write_rpc(out, rpc, encoded_rpc_size(rpc));
  return out;
}

void append_rpc_frame(Bytes& out, const relay::Rpc& rpc) {
  const std::size_t size = encoded_rpc_size(rpc);
  append_uvarint(out, size);
  write_rpc(out, rpc, size);
}

std::size_t encoded_rpc_size(const relay::Rpc& rpc) {
  std::size_t size =
      entries_size(field::kRpcSubscriptions, rpc.subscriptions, subscription_body_size) +
      publish_size(rpc.publish);
  if (!rpc.control.empty())
    size += delimited_size(field::kRpcControl, control_body_size(rpc.control));
  return size;
}

RpcSizeBreakdown rpc_size_breakdown(const relay::Rpc& rpc) {
  RpcSizeBreakdown out;
  out.subscriptions =
      entries_size(field::kRpcSubscriptions, rpc.subscriptions, subscription_body_size);
  out.messages = publish_size(rpc.publish);
  if (!rpc.control.empty()) {
    const auto& control = rpc.control;
    out.ihave = entries_size(field::kControlIHave, control.ihave, ihave_body_size);
    out.iwant = entries_size(field::kControlIWant, control.iwant, iwant_body_size);
    out.idontwant = entries_size(field::kControlIDontWant, control.idontwant, idontwant_body_size);
    out.graft_prune = entries_size(field::kControlGraft, control.graft, graft_body_size) +
                      entries_size(field::kControlPrune, control.prune, prune_body_size);
    const std::size_t body = out.ihave + out.iwant + out.idontwant + out.graft_prune;
    // The control field's own tag and length prefix.
    out.other = delimited_size(field::kRpcControl, body) - body;
  }
  return out;
}

relay::RelayMessagePtr make_relay_message(std::string topic, SharedBytes data) {
  return build_relay_message(std::move(topic), std::move(data));
}

relay::RelayMessagePtr make_relay_message(std::string topic, message::WakuMessage message) {
  auto relay_message =
      undecoded_relay_message(std::move(topic), encode_waku_message_sharing_payload(message));
  const bool decodable = check_encoded_size(relay_message->data.size()).has_value() &&
                         (!message.meta || check_meta_size(message.meta->size()).has_value());
  if (decodable) relay_message->decoded = std::move(message);
  return relay_message;
}

}  // namespace waku::codec
