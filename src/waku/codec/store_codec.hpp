// Store v3 (/vac/waku/store-query/3.0.0) request and response bodies <-> store::StoreQueryRequest
// and store::StoreQueryResponse (waku-wire.md §4).
//
// Both directions carry peer input: a server decodes what any client sends, a client decodes
// what a possibly hostile store node answers. So the decoders bound everything before trusting
// it: the frame size (checked before parsing), the number of hashes and content topics in a
// request, the number of messages in a response, the length of every hash and cursor (exactly 32
// bytes), and every returned message (through decode_waku_message: presence rules; the frame
// bound limits their size).
// The encoders write the fields nwaku requires even when they hold defaults (request_id,
// include_data, pagination_forward; request_id, status_code, status_desc), in field order.
#pragma once

#include <cstddef>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"
#include "waku/message/waku_message.hpp"
#include "waku/store/rpc.hpp"

namespace waku::codec {

// A request holds at most 100 hashes (3.4 KB) and 100 content topics; 64 KiB leaves room for
// long topics and is the read limit a host should give the length-prefixed reader.
inline constexpr std::size_t kMaxStoreRequestBytes = std::size_t{64} * 1024;
// A full page: 100 messages of the maximum size, each with its hash, pubsub topic and framing
// (1 KiB is generous), plus 64 KiB for the rest. About 15.5 MB; nwaku reads store responses
// without limit, so this is the bound that keeps a hostile store node from exhausting memory.
inline constexpr std::size_t kMaxStoreResponseBytes =
    store::kMaxPageSize * (message::kMaxMessageSizeBytes + 1024) + std::size_t{64} * 1024;

// Errors: body over kMaxStoreRequestBytes (kTooLarge), not a protobuf message (kDecode), more than
// kMaxHashesPerQuery hashes or kMaxContentTopicsPerQuery content topics (kLimitExceeded), a hash
// or cursor that is not 32 bytes long (kBadEncoding). An absent request_id decodes as empty
// (nwaku would refuse it; we answer it). Unknown fields are skipped.
Result<store::StoreQueryRequest> decode_store_request(ByteView body);

// Always writes request_id, include_data and pagination_forward; the optional fields iff set.
Bytes encode_store_request(const store::StoreQueryRequest& request);

// Errors: body over kMaxStoreResponseBytes (kTooLarge), not a protobuf message (kDecode), more
// than kMaxPageSize messages (kLimitExceeded), an entry without message_hash (kMissingField), a
// hash or cursor that is not 32 bytes long (kBadEncoding), a message without pubsub topic or the
// reverse (kInvalidMessage), or a message decode_waku_message refuses (its error). An absent
// status code decodes as 0 (nwaku's UNKNOWN).
Result<store::StoreQueryResponse> decode_store_response(ByteView body);

// Always writes request_id, status_code and status_desc (nwaku fails the decode otherwise), each
// entry's hash, and message plus pubsub topic iff the message is set.
Bytes encode_store_response(const store::StoreQueryResponse& response);

}  // namespace waku::codec
