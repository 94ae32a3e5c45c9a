// The relay validator for protected (signed) shards (57/STATUS-SIMPLE-SCALING), as nwaku installs
// it with --protected-shard.
//
// On a protected shard only messages signed with the shard's key, within five minutes of the
// node's clock, are accepted; anything else is rejected, so gossipsub penalises the peer that sent
// it (P4) and the message goes no further. Messages on other topics pass untouched, so one
// validator can be registered for every topic. The signature rules themselves live in
// waku/message/protected_shard.hpp.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "waku/base/result.hpp"
#include "waku/crypto/secp256k1.hpp"
#include "waku/message/topics.hpp"
#include "waku/relay/validation.hpp"

namespace waku::relay {

struct ProtectedShard {
  message::RelayShard shard;
  crypto::Secp256k1PublicKey public_key;
};

// Parses an operator's --protected-shard value: "<shard>:<hex pubkey>" (the node's cluster_id is
// used) or the deprecated "/waku/2/rs/<cluster>/<shard>:<hex pubkey>" (its cluster must equal
// cluster_id). The key may be compressed or uncompressed hex, with or without 0x. Errors carry a
// human-readable explanation in Error::detail.
Result<ProtectedShard> parse_protected_shard(std::string_view text, std::uint16_t cluster_id);

class ProtectedShardValidator final : public Validator {
 public:
  // When a shard is listed twice, the first key wins (nwaku checks the list in order and stops
  // at the first matching shard).
  explicit ProtectedShardValidator(std::vector<ProtectedShard> shards);

  // Non-protected topic: kAccept. Protected topic: kAccept only if the message decodes and
  // check_signed_message() says kValid against context.unix_now, else kReject.
  Verdict validate(const ValidationContext& context, const RelayMessage& message) override;

  // Outcomes on protected topics only (nwaku waku_msg_validator_signed_outcome{result}).
  struct Counters {
    std::uint64_t accepted{0};
    std::uint64_t rejected{0};
  };
  [[nodiscard]] const Counters& counters() const { return counters_; }

 private:
  // Keyed by pubsub topic string, the form in which the router hands messages over.
  std::map<std::string, crypto::Secp256k1PublicKey, std::less<>> keys_;
  Counters counters_;
};

}  // namespace waku::relay
