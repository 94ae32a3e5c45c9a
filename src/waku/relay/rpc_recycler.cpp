#include "waku/relay/rpc_recycler.hpp"

#include <utility>

namespace waku::relay {

namespace {

template <typename T>
T take_from(std::vector<T>& pool) {
  if (pool.empty()) return T{};
  T out = std::move(pool.back());
  pool.pop_back();
  return out;
}

bool has_capacity(const Rpc& rpc) {
  const Control& c = rpc.control;
  return rpc.subscriptions.capacity() + rpc.publish.capacity() + c.ihave.capacity() +
             c.iwant.capacity() + c.graft.capacity() + c.prune.capacity() + c.idontwant.capacity() >
         0;
}

}  // namespace

Rpc RpcRecycler::take_rpc() { return take_from(rpcs_); }

std::vector<MessageId> RpcRecycler::take_ids() { return take_from(ids_); }

IHave RpcRecycler::take_ihave() { return take_from(ihaves_); }

void RpcRecycler::keep_ids(std::vector<MessageId>&& ids) {
  if (ids.capacity() == 0 || ids.capacity() > kMaxKeptIds || ids_.size() >= kMaxKept) return;
  ids.clear();
  ids_.push_back(std::move(ids));
}

void RpcRecycler::clear(Rpc& rpc) {
  Control& c = rpc.control;
  for (IHave& ihave : c.ihave) {
    if (ihaves_.size() >= kMaxKept) break;
    if (ihave.ids.capacity() > kMaxKeptIds) continue;
    ihave.topic.clear();
    ihave.ids.clear();
    ihaves_.push_back(std::move(ihave));
  }
  for (IWant& iwant : c.iwant) keep_ids(std::move(iwant.ids));
  for (IDontWant& idontwant : c.idontwant) keep_ids(std::move(idontwant.ids));
  rpc.subscriptions.clear();
  rpc.publish.clear();
  c.ihave.clear();
  c.iwant.clear();
  c.graft.clear();
  c.prune.clear();
  c.idontwant.clear();
}

void RpcRecycler::recycle(Rpc&& rpc) {
  clear(rpc);
  if (!has_capacity(rpc) || rpcs_.size() >= kMaxKept) return;
  rpcs_.push_back(std::move(rpc));
}

RpcRecycler& rpc_recycler() {
  thread_local RpcRecycler recycler;
  return recycler;
}

}  // namespace waku::relay
