// PeerQueue: one peer's bounded output queue, and the RPC size estimate that splits it into
// frames of at most max_transmit_size_bytes.
//
// It implements the drop policy documented in router.hpp: control entries (subscriptions, GRAFT,
// PRUNE) are never dropped — past `max_control` the push reports an overflow and the router asks
// the host to disconnect the slow peer; IDONTWANT ids past `max_idontwant` drop the oldest half
// (they are advice: a lost one costs at most a duplicate, and at a high message rate they would
// otherwise disconnect a peer that was descheduled for a few tens of milliseconds); gossip entries
// (IHAVE, IWANT) past `max_gossip` drop the oldest gossip; messages past `max_messages` drop the
// oldest forwarded message, and our own publications only when no forwarded message is left.
// `pop_rpc` coalesces everything waiting into one Rpc (control piggybacked on messages) without
// exceeding the byte limit, in FIFO order per kind, except IDONTWANT, which is urgent and leaves
// in an RPC without gossip or messages. Sizes are those of the protobuf encoding the
// codec writes, computed here because the relay library cannot depend on the codec;
// peer_queue_codec_test checks them against codec::encoded_rpc_size byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "waku/base/fifo_queue.hpp"
#include "waku/relay/rpc.hpp"

namespace waku::relay {

// Encoded size of each RPC part, tag and length prefix included.
std::size_t encoded_size(const Subscription& subscription);
std::size_t encoded_size(const RelayMessage& message);  // as an RPC `publish` entry
std::size_t encoded_size(const IHave& ihave);           // as a ControlMessage entry
std::size_t encoded_size(const IWant& iwant);
std::size_t encoded_size(const Graft& graft);
std::size_t encoded_size(const Prune& prune);
std::size_t encoded_size(const IDontWant& idontwant);
// The whole RPC's encoded size (== codec::encoded_rpc_size).
std::size_t estimated_rpc_size(const Rpc& rpc);

enum class MessageOrigin : std::uint8_t { kOwn, kForwarded };

class PeerQueue {
 public:
  struct Limits {
    std::size_t max_messages{512};
    std::size_t max_gossip{64};
    std::size_t max_control{2048};
    std::size_t max_idontwant{2048};
  };
  // What a push cost: entries dropped to make room, or a control overflow.
  struct PushResult {
    std::size_t dropped{0};
    bool control_overflow{false};
  };

  explicit PeerQueue(Limits limits) : limits_(limits) {}

  PushResult push_subscription(Subscription subscription);
  PushResult push_graft(Graft graft);
  PushResult push_prune(Prune prune);
  PushResult push_idontwant(const MessageId& id);
  PushResult push_ihave(IHave ihave);
  PushResult push_iwant(IWant iwant);
  PushResult push_message(RelayMessagePtr message, MessageOrigin origin);

  // Inline: the router asks after every push and every pop.
  [[nodiscard]] bool empty() const {
    return subscriptions_.empty() && grafts_.empty() && prunes_.empty() && idontwant_.empty() &&
           gossip_.empty() && own_.empty() && forwarded_.empty();
  }
  [[nodiscard]] std::size_t control_entries() const;
  [[nodiscard]] std::size_t gossip_entries() const { return gossip_.size(); }
  [[nodiscard]] std::size_t message_count() const { return own_.size() + forwarded_.size(); }

  // Takes as much as fits in `max_bytes` (estimated_rpc_size) into one Rpc, control first, then
  // gossip, then messages in arrival order; an RPC that carries IDONTWANT ids stops after the
  // control, and the gossip and messages wait for the next pop. An entry that alone exceeds
  // `max_bytes` can never be sent and is discarded; `oversized_messages`/`oversized_gossip` count
  // those.
  struct Discarded {
    std::size_t oversized_messages{0};
    std::size_t oversized_gossip{0};
  };
  // Builds the RPC into `rpc`, which must be empty; its vectors' capacity is reused. `sizes`,
  // if given, receives its encoded bytes by kind (the sizes the limit was checked with).
  Discarded pop_rpc(std::size_t max_bytes, Rpc& rpc, RpcSizeBreakdown* sizes = nullptr);
  // Drops everything (peer gone).
  void clear();

 private:
  struct Gossip {
    bool is_ihave{true};
    IHave ihave;
    IWant iwant;
  };
  struct QueuedMessage {
    std::uint64_t seq{0};
    RelayMessagePtr message;
  };

  PushResult control_pushed() const;

  Limits limits_;
  std::vector<Subscription> subscriptions_;
  std::vector<Graft> grafts_;
  std::vector<Prune> prunes_;
  std::vector<MessageId> idontwant_;
  FifoQueue<Gossip> gossip_;
  FifoQueue<QueuedMessage> own_;
  FifoQueue<QueuedMessage> forwarded_;
  std::uint64_t next_seq_{0};
};

}  // namespace waku::relay
