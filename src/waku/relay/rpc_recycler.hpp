// RpcRecycler: the parts of consumed RPCs, cleared with their capacity intact, for the next ones.
//
// A relaying router builds an Rpc for every transmit and consumes one for every receipt; in the
// simulator that is nearly every event. Built fresh, each costs several allocations: the publish
// list, the IDONTWANT and IHAVE id lists, the topic strings of IHAVE entries ("/waku/2/rs/16/32"
// is one byte past the short-string buffer). Consumers hand RPCs back to the recycler of their
// thread and builders take from it, so a warm router allocates nothing per RPC.
//
// Per thread, because the simulator's lanes run on two threads and the node on one: an RPC built
// on one thread and consumed on the other simply changes pools. A node consumes each RPC as soon
// as it is built or decoded, so its pools stay a few entries long; a simulator's grow to the
// number of frames in flight (tens of thousands at 10,000 nodes). Bounded: at most kMaxKept of
// each part, and id lists longer than kMaxKeptIds are freed (at most ~0.5 GB per thread kept in
// id lists in the worst case, a few MB in practice).
#pragma once

#include <cstddef>
#include <vector>

#include "waku/relay/rpc.hpp"

namespace waku::relay {

class RpcRecycler {
 public:
  static constexpr std::size_t kMaxKept = 65536;
  static constexpr std::size_t kMaxKeptIds = 256;

  // Empty, possibly with capacity from an earlier RPC.
  Rpc take_rpc();
  std::vector<MessageId> take_ids();
  IHave take_ihave();
  // Empties `rpc` in place, keeping its vectors' capacity; its nested id lists and IHAVE entries
  // are kept here.
  void clear(Rpc& rpc);
  // clear(), and the Rpc itself is kept too.
  void recycle(Rpc&& rpc);

 private:
  void keep_ids(std::vector<MessageId>&& ids);

  std::vector<Rpc> rpcs_;
  std::vector<std::vector<MessageId>> ids_;
  std::vector<IHave> ihaves_;
};

// This thread's recycler.
RpcRecycler& rpc_recycler();

}  // namespace waku::relay
