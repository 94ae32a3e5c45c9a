// JSON, base64 and URL helpers for the REST API, matching nwaku's wire shapes.
//
// nwaku's REST clients (waku-simulator, nwaku-compose tooling, test suites) parse exactly these
// shapes: camelCase fields, payload/meta/proof in standard base64, timestamps as int64
// nanoseconds, message hashes as 0x-hex. Everything here takes untrusted input and returns an
// Error whose message is safe to send back as a 400 body.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"
#include "waku/message/waku_message.hpp"

namespace waku::runtime {

// RFC 4648 standard alphabet with '=' padding.
std::string base64_encode(ByteView bytes);
// Strict: standard alphabet; padding may be omitted but, if present, must be correct; no
// whitespace; non-zero trailing bits are rejected.
Result<Bytes> base64_decode(std::string_view text);

// Percent-decoding of one path segment ("%2Fwaku%2F2%2Frs%2F0%2F1" -> "/waku/2/rs/0/1"). '+' is
// kept (it is not a space in a path).
Result<std::string> url_decode(std::string_view text);

// Parses JSON, rejecting duplicate object keys (nwaku does, so that {"payload":..,"payload":..}
// cannot mean different things to a proxy and to the node).
Result<boost::json::value> parse_json_strict(std::string_view text);

// nwaku's RelayWakuMessage as JSON: payload, contentTopic, version, timestamp, meta (only if not
// empty), ephemeral, proof (toRelayWakuMessage).
boost::json::object message_to_json(const message::WakuMessage& message);

// A RelayWakuMessage from a request body. `payload` and `contentTopic` are required and must not
// be empty (nwaku readValue), except that a missing contentTopic takes `default_content_topic`
// when given; a missing or zero timestamp becomes `now_unix_ns`. Unknown fields are ignored.
Result<message::WakuMessage> message_from_json(
    const boost::json::value& json, std::int64_t now_unix_ns,
    const std::optional<std::string>& default_content_topic = std::nullopt);

// A JSON array of strings (topic lists, multiaddr lists), at most `max_items`.
Result<std::vector<std::string>> string_array_from_json(const boost::json::value& json,
                                                        std::size_t max_items);

}  // namespace waku::runtime
