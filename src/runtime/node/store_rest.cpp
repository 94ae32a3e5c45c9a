#include "runtime/node/store_rest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>

#include "runtime/rest/json_codec.hpp"

namespace waku::runtime {

namespace json = boost::json;

namespace {

Error bad(std::string detail) {
  Error error{Errc::kInvalidArgument, "store query"};
  error.detail = std::move(detail);
  return error;
}

Result<Bytes32> parse_hash(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  auto bytes = from_hex(text);
  if (!bytes || bytes->size() != 32) {
    return unexpected(bad(fmt::format("'{}' is not a 32-byte hex hash", text)));
  }
  Bytes32 hash{};
  std::copy(bytes->begin(), bytes->end(), hash.begin());
  return hash;
}

Result<std::int64_t> parse_int(std::string_view name, std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return unexpected(bad(fmt::format("{}: '{}' is not an integer", name, text)));
  }
  return value;
}

Result<bool> parse_flag(std::string_view name, std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return unexpected(bad(fmt::format("{}: '{}' is not true or false", name, text)));
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (!text.empty()) {
    const auto at = text.find(separator);
    const auto part = text.substr(0, at);
    if (!part.empty()) parts.push_back(part);
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return parts;
}

std::string hex_hash(const Bytes32& hash) { return "0x" + to_hex(hash); }

// The query parameters of nwaku's GET /store/v3/messages; any other is refused.
bool is_parameter(std::string_view key) {
  static constexpr std::array<std::string_view, 10> kParameters = {
      "peerAddr", "includeData", "pubsubTopic", "contentTopics", "startTime",
      "endTime",  "hashes",      "cursor",      "ascending",     "pageSize"};
  return std::find(kParameters.begin(), kParameters.end(), key) != kParameters.end();
}

HttpResponse json_response(const store::StoreQueryResponse& response) {
  unsigned status = 200;
  if (!response.is_success()) {
    status = response.status_code >= 400 && response.status_code < 600 ? response.status_code : 500;
  }
  return HttpResponse{status, "application/json", store_response_to_json(response)};
}

}  // namespace

Result<store::StoreQueryRequest> store_request_from_query(std::string_view query,
                                                          std::optional<std::string>* peer_addr) {
  store::StoreQueryRequest request;
  // nwaku's REST defaults: hashes only, oldest first (its `includeData` and `ascending`).
  request.include_data = false;
  request.pagination_forward = true;
  for (const auto pair : split(query, '&')) {
    const auto equals = pair.find('=');
    const auto key = pair.substr(0, equals);
    auto value = url_decode(equals == std::string_view::npos ? "" : pair.substr(equals + 1));
    if (!value) return unexpected(bad(fmt::format("{}: bad percent-encoding", key)));
    const std::string& v = *value;
    // As nwaku: a parameter given empty ("startTime=") is a parameter not given.
    if (v.empty() && is_parameter(key)) continue;
    if (key == "pubsubTopic") {
      request.pubsub_topic = v;
    } else if (key == "contentTopics") {
      for (const auto topic : split(v, ',')) request.content_topics.emplace_back(topic);
    } else if (key == "startTime") {
      auto t = parse_int(key, v);
      if (!t) return unexpected(t.error());
      request.time_start_ns = *t;
    } else if (key == "endTime") {
      auto t = parse_int(key, v);
      if (!t) return unexpected(t.error());
      request.time_end_ns = *t;
    } else if (key == "hashes") {
      for (const auto text : split(v, ',')) {
        auto hash = parse_hash(text);
        if (!hash) return unexpected(hash.error());
        request.message_hashes.push_back(*hash);
      }
    } else if (key == "cursor") {
      auto hash = parse_hash(v);
      if (!hash) return unexpected(hash.error());
      request.pagination_cursor = *hash;
    } else if (key == "ascending") {
      auto flag = parse_flag(key, v);
      if (!flag) return unexpected(flag.error());
      request.pagination_forward = *flag;
    } else if (key == "includeData") {
      auto flag = parse_flag(key, v);
      if (!flag) return unexpected(flag.error());
      request.include_data = *flag;
    } else if (key == "pageSize") {
      auto size = parse_int(key, v);
      if (!size || *size < 0) return unexpected(bad(fmt::format("pageSize: '{}'", v)));
      request.pagination_limit = static_cast<std::uint64_t>(*size);
    } else if (key == "peerAddr") {
      if (peer_addr) *peer_addr = v;
    } else {
      return unexpected(bad(fmt::format("unknown query parameter '{}'", key)));
    }
  }
  return request;
}

std::string store_response_to_json(const store::StoreQueryResponse& response) {
  json::object out;
  out["requestId"] = response.request_id;
  out["statusCode"] = response.status_code;
  out["statusDesc"] = response.status_desc;
  json::array messages;
  for (const auto& entry : response.messages) {
    json::object item;
    item["messageHash"] = hex_hash(entry.message_hash);
    if (entry.message) item["message"] = message_to_json(*entry.message);
    if (entry.pubsub_topic) item["pubsubTopic"] = *entry.pubsub_topic;
    messages.emplace_back(std::move(item));
  }
  out["messages"] = std::move(messages);
  if (response.pagination_cursor) out["paginationCursor"] = hex_hash(*response.pagination_cursor);
  return json::serialize(out);
}

RestRoute store_rest_route(Node& node, const std::optional<std::string>& default_store_node) {
  auto next_id = std::make_shared<std::uint64_t>(0);
  return RestRoute{
      "GET", "/store/v3/messages",
      [&node, default_store_node, next_id](const HttpRequest& http, const HttpResponder& respond) {
        const std::string_view target = http.target;
        const auto question = target.find('?');
        const std::string_view query =
            question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
        std::optional<std::string> peer_addr;
        auto request = store_request_from_query(query, &peer_addr);
        if (!request) {
          respond(HttpResponse{400, "text/plain", request.error().message()});
          return;
        }
        request->request_id = fmt::format("rest-{:016x}", ++*next_id);
        auto reply = [respond](const store::StoreQueryResponse& response) {
          respond(json_response(response));
        };
        // As nwaku: without peerAddr a store node answers from its own archive; --storenode is
        // asked only by a node that has none.
        if (!peer_addr && node.store() == nullptr) peer_addr = default_store_node;
        if (peer_addr) {
          node.query_remote_store(*peer_addr, std::move(request).value(), std::move(reply));
        } else if (node.store() != nullptr) {
          node.store()->query(node.identity_peer_id(), *request, std::move(reply));
        } else {
          respond(
              HttpResponse{412, "text/plain", "No suitable service peer & no discovery method"});
        }
      }};
}

}  // namespace waku::runtime
