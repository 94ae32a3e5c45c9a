#include "runtime/rest/json_codec.hpp"

#include <fmt/format.h>

#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <limits>
#include <set>

namespace waku::runtime {

namespace json = boost::json;

namespace {

Unexpected bad(std::string detail) {
  return Unexpected{make_error(Errc::kBadEncoding, "bad request", std::move(detail))};
}

// Hand-written rather than OpenSSL's EVP_DecodeBlock, which skips whitespace and returns lengths
// that include the padding, or Beast's, which lives in a detail namespace: a strict decoder is
// twenty lines.
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Finds duplicate keys in any object; the values themselves are parsed later by json::parse.
class DuplicateKeyHandler {
 public:
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();

  bool duplicate{false};
  std::string duplicate_key;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t, json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    keys_.pop_back();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key_.append(s.data(), s.size());
    if (!keys_.back().insert(key_).second) {
      duplicate = true;
      duplicate_key = key_;
      ec = json::error::syntax;  // stops the parser; the caller reports the duplicate
      return false;
    }
    key_.clear();
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  std::vector<std::set<std::string>> keys_;
  std::string key_;
};

Result<std::string> string_field(const json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr) return bad(fmt::format("field `{}` is missing", name));
  if (!value->is_string()) return bad(fmt::format("field `{}` must be a string", name));
  return std::string(value->get_string());
}

Result<Bytes> base64_field(const json::value& value, std::string_view name) {
  if (!value.is_string()) return bad(fmt::format("field `{}` must be a base64 string", name));
  auto bytes = base64_decode(std::string_view(value.get_string()));
  if (!bytes) return bad(fmt::format("field `{}`: {}", name, bytes.error().detail));
  return bytes;
}

}  // namespace

std::string base64_encode(ByteView bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{bytes[i]} << 16U) | (std::uint32_t{bytes[i + 1]} << 8U) |
                            std::uint32_t{bytes[i + 2]};
    out.push_back(kAlphabet[(n >> 18U) & 63U]);
    out.push_back(kAlphabet[(n >> 12U) & 63U]);
    out.push_back(kAlphabet[(n >> 6U) & 63U]);
    out.push_back(kAlphabet[n & 63U]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = std::uint32_t{bytes[i]} << 16U;
    if (rest == 2) n |= std::uint32_t{bytes[i + 1]} << 8U;
    out.push_back(kAlphabet[(n >> 18U) & 63U]);
    out.push_back(kAlphabet[(n >> 12U) & 63U]);
    out.push_back(rest == 2 ? kAlphabet[(n >> 6U) & 63U] : '=');
    out.push_back('=');
  }
  return out;
}

Result<Bytes> base64_decode(std::string_view text) {
  // Strip correct padding, then require the unpadded length to be possible.
  std::size_t padding = 0;
  if (text.size() % 4 == 0) {
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
      ++padding;
    }
  }
  const std::string_view body = text.substr(0, text.size() - padding);
  if (body.size() % 4 == 1) return bad("invalid base64 length");
  if (padding > 0 && (body.size() + padding) % 4 != 0) return bad("invalid base64 padding");
  Bytes out;
  out.reserve(body.size() / 4 * 3 + 2);
  std::uint32_t accumulator = 0;
  unsigned bits = 0;
  for (const char c : body) {
    const int v = base64_value(c);
    if (v < 0) return bad("invalid base64 character");
    accumulator = (accumulator << 6U) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((accumulator >> bits) & 0xFFU));
    }
  }
  // Leftover bits must be zero, so that each byte string has one encoding.
  if (bits > 0 && (accumulator & ((1U << bits) - 1U)) != 0) return bad("invalid base64 ending");
  return out;
}

Result<std::string> url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return bad("bad percent-encoding");
    const auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = hex(text[i + 1]);
    const int lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return bad("bad percent-encoding");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

Result<json::value> parse_json_strict(std::string_view text) {
  json::basic_parser<DuplicateKeyHandler> checker{json::parse_options{}};
  json::error_code ec;
  checker.write_some(false, text.data(), text.size(), ec);
  if (checker.handler().duplicate) {
    return bad(fmt::format("duplicate field `{}`", checker.handler().duplicate_key));
  }
  if (ec) return bad("invalid JSON");
  json::value value = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) return bad("invalid JSON");
  return value;
}

json::object message_to_json(const message::WakuMessage& message) {
  json::object out;
  out["payload"] = base64_encode(message.payload);
  out["contentTopic"] = message.content_topic;
  out["version"] = message.version.value_or(0);
  out["timestamp"] = message.timestamp_or_zero();
  if (message.meta && !message.meta->empty()) out["meta"] = base64_encode(*message.meta);
  out["ephemeral"] = message.is_ephemeral();
  out["proof"] = base64_encode(message.rate_limit_proof.value_or(Bytes{}));
  return out;
}

Result<message::WakuMessage> message_from_json(
    const json::value& value, std::int64_t now_unix_ns,
    const std::optional<std::string>& default_content_topic) {
  if (!value.is_object()) return bad("expected a JSON object (a WakuMessage)");
  const json::object& object = value.as_object();
  message::WakuMessage message;

  auto payload_text = string_field(object, "payload");
  if (!payload_text) return Unexpected{payload_text.error()};
  if (payload_text->empty()) return bad("field `payload` is missing or empty");
  auto payload = base64_decode(*payload_text);
  if (!payload) return bad(fmt::format("field `payload`: {}", payload.error().detail));
  message.payload = std::move(payload).value();

  if (object.contains("contentTopic") || !default_content_topic) {
    auto topic = string_field(object, "contentTopic");
    if (!topic) return Unexpected{topic.error()};
    if (topic->empty()) return bad("field `contentTopic` is missing or empty");
    message.content_topic = std::move(topic).value();
  } else {
    message.content_topic = *default_content_topic;
  }

  message.version = 0;
  if (const auto* version = object.if_contains("version")) {
    const auto n = version->is_int64()    ? std::optional<std::int64_t>(version->get_int64())
                   : version->is_uint64() ? std::optional<std::int64_t>(-1)
                                          : std::nullopt;
    if (!n || *n < 0 || *n > std::numeric_limits<std::uint32_t>::max()) {
      return bad("field `version` must be an integer in [0, 2^32)");
    }
    message.version = static_cast<std::uint32_t>(*n);
  }

  std::int64_t timestamp = 0;
  if (const auto* field = object.if_contains("timestamp")) {
    if (!field->is_int64()) return bad("field `timestamp` must be an int64 (nanoseconds)");
    timestamp = field->get_int64();
  }
  message.timestamp = timestamp == 0 ? now_unix_ns : timestamp;

  if (const auto* field = object.if_contains("meta")) {
    auto meta = base64_field(*field, "meta");
    if (!meta) return Unexpected{meta.error()};
    if (meta->size() > message::kMaxMetaSizeBytes) {
      return bad(fmt::format("field `meta` is longer than {} bytes", message::kMaxMetaSizeBytes));
    }
    if (!meta->empty()) message.meta = std::move(meta).value();
  }

  message.ephemeral = false;
  if (const auto* field = object.if_contains("ephemeral")) {
    if (!field->is_bool()) return bad("field `ephemeral` must be a boolean");
    message.ephemeral = field->get_bool();
  }

  if (const auto* field = object.if_contains("proof")) {
    auto proof = base64_field(*field, "proof");
    if (!proof) return Unexpected{proof.error()};
    if (!proof->empty()) message.rate_limit_proof = std::move(proof).value();
  }
  return message;
}

Result<std::vector<std::string>> string_array_from_json(const json::value& value,
                                                        std::size_t max_items) {
  if (!value.is_array()) return bad("expected a JSON array of strings");
  const auto& array = value.as_array();
  if (array.size() > max_items) return bad(fmt::format("more than {} items", max_items));
  std::vector<std::string> out;
  out.reserve(array.size());
  for (const auto& item : array) {
    if (!item.is_string()) return bad("expected a JSON array of strings");
    out.emplace_back(item.get_string());
  }
  return out;
}

}  // namespace waku::runtime
