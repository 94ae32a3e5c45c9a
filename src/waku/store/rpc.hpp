// The store v3 protocol (/vac/waku/store-query/3.0.0) as domain structs: what a store client asks
// and what a store server answers, independent of the protobuf encoding
// (waku/codec/store_codec.hpp) and of the archive that answers (waku/archive/archive.hpp).
//
// Presence is kept where the wire distinguishes it (an absent pubsub topic is "any", an absent
// limit is "the default page size"); status codes are nwaku's (waku_store/common.nim), since
// clients compare against them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "waku/base/bytes.hpp"
#include "waku/message/waku_message.hpp"

namespace waku::store {

inline constexpr std::string_view kStoreProtocol = "/vac/waku/store-query/3.0.0";

// nwaku DefaultPageSize / MaxPageSize: an absent or zero limit means 20, larger ones are capped.
inline constexpr std::size_t kDefaultPageSize = 20;
inline constexpr std::size_t kMaxPageSize = 100;
// Bounds on what one request may carry. nwaku's PostgreSQL driver allows 100 hashes per query
// (MaxHashesPerQuery); nwaku allows 10 content topics but checks it only with a cursor, and
// Status communities ask for up to ~30, so we accept 100 of each.
inline constexpr std::size_t kMaxHashesPerQuery = 100;
inline constexpr std::size_t kMaxContentTopicsPerQuery = 100;

// nwaku StoreQueryStatusCode values.
enum class StatusCode : std::uint32_t {
  kUnknown = 0,
  kSuccess = 200,
  kBadResponse = 300,  // nwaku answers every archive failure with it ("archive error: ...")
  kBadRequest = 400,
  kTooManyRequests = 429,
  kServiceUnavailable = 503,
  kPeerDialFailure = 504,
};

struct StoreQueryRequest {
  std::string request_id;
  bool include_data{false};  // false: answer hashes only (the wire default)
  std::optional<std::string> pubsub_topic;
  std::vector<std::string> content_topics;
  std::optional<std::int64_t> time_start_ns;  // inclusive
  std::optional<std::int64_t> time_end_ns;    // inclusive, as nwaku (the spec says exclusive)
  std::vector<Bytes32> message_hashes;
  std::optional<Bytes32> pagination_cursor;
  bool pagination_forward{false};  // false: backward, newest first (the wire default)
  std::optional<std::uint64_t> pagination_limit;

  friend bool operator==(const StoreQueryRequest&, const StoreQueryRequest&) = default;
};

struct WakuMessageKeyValue {
  Bytes32 message_hash{};
  // Both set (include_data) or both unset (hashes only).
  std::optional<message::WakuMessage> message;
  std::optional<std::string> pubsub_topic;

  friend bool operator==(const WakuMessageKeyValue&, const WakuMessageKeyValue&) = default;
};

struct StoreQueryResponse {
  std::string request_id;
  std::uint32_t status_code{0};  // a StatusCode value; kept raw since peers may send others
  std::string status_desc;
  std::vector<WakuMessageKeyValue> messages;  // ascending (timestamp, hash) in every direction
  std::optional<Bytes32> pagination_cursor;   // set iff more results follow

  [[nodiscard]] bool is_success() const { return status_code >= 200 && status_code < 300; }
  friend bool operator==(const StoreQueryResponse&, const StoreQueryResponse&) = default;
};

}  // namespace waku::store
