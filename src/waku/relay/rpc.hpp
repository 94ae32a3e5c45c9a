// The gossipsub RPC as the relay router sees it: decoded, validated for shape, with every
// relayed message already carrying its id.
//
// The codec (waku/codec/gossipsub_codec.hpp) turns wire bytes into these structs and back; the
// simulator passes them between routers without encoding. A RelayMessage is immutable and shared:
// the id (sha256 of `data`) and the decoded WakuMessage are derived once, when the message enters
// a node (real host) or the simulated network (simulator), never per forwarding hop
// (ARCHITECTURE.md, "Determinism and the simulator").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "waku/base/bytes.hpp"
#include "waku/message/waku_message.hpp"

namespace waku::relay {

// Gossipsub message id. Waku Relay uses sha256(data), so ids are always 32 bytes; ids of another
// length in a peer's IHAVE/IWANT/IDONTWANT can never match a Waku message and are dropped by
// the codec.
struct MessageId {
  Bytes32 bytes{};
  friend bool operator==(const MessageId&, const MessageId&) = default;
  friend auto operator<=>(const MessageId&, const MessageId&) = default;
};

struct MessageIdHash {
  std::size_t operator()(const MessageId& id) const noexcept {
    // The id is a SHA-256 digest: any 8 of its bytes are already uniformly distributed.
    return static_cast<std::size_t>(load_u64_be(ByteView(id.bytes).first(8)));
  }
};

// A pubsub message as relayed under StrictNoSign.
struct RelayMessage {
  std::string topic;  // the pubsub topic, e.g. "/waku/2/rs/16/32"
  SharedBytes data;   // the encoded WakuMessage, forwarded verbatim (never re-encoded)
  MessageId id;       // sha256(data)
  // The WakuMessage decoded from `data` (its payload a slice of `data`, not a copy), or nullopt
  // when `data` is not a valid WakuMessage (the validation pipeline then rejects it).
  std::optional<message::WakuMessage> decoded;
  // StrictNoSign: from/seqno/signature/key were present on the wire. Such a message is rejected
  // (P4 penalty for the sender), never forwarded.
  bool has_author_fields{false};
};

using RelayMessagePtr = std::shared_ptr<const RelayMessage>;

struct Subscription {
  bool subscribe{true};
  std::string topic;
  friend bool operator==(const Subscription&, const Subscription&) = default;
};

struct IHave {
  std::string topic;
  std::vector<MessageId> ids;
  friend bool operator==(const IHave&, const IHave&) = default;
};

struct IWant {
  std::vector<MessageId> ids;
  friend bool operator==(const IWant&, const IWant&) = default;
};

struct Graft {
  std::string topic;
  friend bool operator==(const Graft&, const Graft&) = default;
};

// Peer exchange record in a PRUNE (gossipsub v1.1).
struct PxPeer {
  Bytes peer_id;             // binary multihash
  Bytes signed_peer_record;  // libp2p signed envelope; may be empty
  friend bool operator==(const PxPeer&, const PxPeer&) = default;
};

struct Prune {
  std::string topic;
  std::vector<PxPeer> peers;
  std::optional<std::uint64_t> backoff_seconds;
  friend bool operator==(const Prune&, const Prune&) = default;
};

struct IDontWant {
  std::vector<MessageId> ids;
  friend bool operator==(const IDontWant&, const IDontWant&) = default;
};

struct Control {
  std::vector<IHave> ihave;
  std::vector<IWant> iwant;
  std::vector<Graft> graft;
  std::vector<Prune> prune;
  std::vector<IDontWant> idontwant;

  [[nodiscard]] bool empty() const {
    return ihave.empty() && iwant.empty() && graft.empty() && prune.empty() && idontwant.empty();
  }
  friend bool operator==(const Control&, const Control&) = default;
  // Member by member: std::swap would move the whole struct three times.
  friend void swap(Control& a, Control& b) noexcept {
    a.ihave.swap(b.ihave);
    a.iwant.swap(b.iwant);
    a.graft.swap(b.graft);
    a.prune.swap(b.prune);
    a.idontwant.swap(b.idontwant);
  }
};

// Encoded bytes attributed to each kind, summing to the RPC's encoded size. The tag and length
// prefix of an entry (a subscription, a published message, one IHAVE/IWANT/GRAFT/PRUNE/IDONTWANT
// entry) are charged to its kind; the RPC-level control field's own tag and length prefix (2-4
// bytes) are charged to `other`. Computed by codec::rpc_size_breakdown, or by the router while it
// builds an RPC (Router::poll_transmit_into), for hosts that count bytes by kind.
struct RpcSizeBreakdown {
  std::size_t messages = 0;
  std::size_t ihave = 0;
  std::size_t iwant = 0;
  std::size_t idontwant = 0;
  std::size_t graft_prune = 0;
  std::size_t subscriptions = 0;
  std::size_t other = 0;

  [[nodiscard]] std::size_t total() const {
    return messages + ihave + iwant + idontwant + graft_prune + subscriptions + other;
  }
  friend bool operator==(const RpcSizeBreakdown&, const RpcSizeBreakdown&) = default;
};

struct Rpc {
  std::vector<Subscription> subscriptions;
  std::vector<RelayMessagePtr> publish;
  Control control;

  [[nodiscard]] bool empty() const {
    return subscriptions.empty() && publish.empty() && control.empty();
  }
  friend void swap(Rpc& a, Rpc& b) noexcept {
    a.subscriptions.swap(b.subscriptions);
    a.publish.swap(b.publish);
    swap(a.control, b.control);
  }
};

}  // namespace waku::relay
