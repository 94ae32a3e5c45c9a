#include "waku/store/store_client.hpp"

#include <utility>

#include "waku/codec/store_codec.hpp"

namespace waku::store {

Result<void> validate_query(const StoreQueryRequest& request) {
  const bool content_criteria =
      request.pubsub_topic.has_value() || !request.content_topics.empty() ||
      request.time_start_ns.has_value() || request.time_end_ns.has_value();
  if (!request.message_hashes.empty() && content_criteria) {
    return unexpected(Errc::kInvalidArgument,
                      "store query: message hashes cannot be combined with topics or time");
  }
  if (!request.content_topics.empty() && !request.pubsub_topic) {
    return unexpected(Errc::kInvalidArgument, "store query: content topics need a pubsub topic");
  }
  if (request.message_hashes.size() > kMaxHashesPerQuery) {
    return unexpected(Errc::kInvalidArgument, "store query: more than 100 message hashes");
  }
  if (request.content_topics.size() > kMaxContentTopicsPerQuery) {
    return unexpected(Errc::kInvalidArgument, "store query: more than 100 content topics");
  }
  if (request.pagination_limit && *request.pagination_limit > kMaxPageSize) {
    return unexpected(Errc::kInvalidArgument, "store query: page limit above 100");
  }
  if (request.time_start_ns && request.time_end_ns &&
      *request.time_start_ns > *request.time_end_ns) {
    return unexpected(Errc::kInvalidArgument, "store query: time range ends before it starts");
  }
  return ok();
}

std::optional<StoreQueryRequest> next_page(const StoreQueryRequest& previous,
                                           const StoreQueryResponse& response) {
  if (!response.is_success() || !response.pagination_cursor) return std::nullopt;
  StoreQueryRequest next = previous;
  next.request_id.clear();
  next.pagination_cursor = response.pagination_cursor;
  return next;
}

StoreClient::StoreClient(StoreClientConfig config, Rng rng) : config_(config), rng_(rng) {}

std::string StoreClient::fresh_request_id() {
  // Request ids only need to be unique among this node's queries (each travels on its own
  // stream), not unguessable, so the core's seeded Rng serves.
  while (true) {
    const auto a = u64_be(rng_.next_u64());
    const auto b = u64_be(rng_.next_u64());
    std::string id = to_hex(a) + to_hex(b);
    if (!deadlines_.contains(id)) return id;
  }
}

Result<StoreQueryRequest> StoreClient::start_query(Instant now, StoreQueryRequest request) {
  WAKU_TRY_VOID(validate_query(request));
  if (deadlines_.size() >= config_.max_pending) {
    return unexpected(Errc::kLimitExceeded, "store query: too many queries in flight");
  }
  request.request_id = fresh_request_id();
  deadlines_.emplace(request.request_id, now + config_.request_timeout);
  return request;
}

Result<StoreQueryResponse> StoreClient::handle_response(Instant /*now*/,
                                                        std::string_view request_id,
                                                        ByteView body) {
  const auto it = deadlines_.find(request_id);
  if (it == deadlines_.end()) {
    return unexpected(Errc::kNotFound, "store response: no query in flight with this id");
  }
  deadlines_.erase(it);
  auto response = codec::decode_store_response(body);
  if (!response) return response;
  const bool same_id = response->request_id == request_id;
  const bool anonymous_error =
      !response->is_success() && (response->request_id.empty() || response->request_id == "N/A");
  if (!same_id && !anonymous_error) {
    return unexpected(Errc::kInvalidMessage, "store response: request id does not match");
  }
  return response;
}

void StoreClient::handle_stream_failed(std::string_view request_id) {
  const auto it = deadlines_.find(request_id);
  if (it != deadlines_.end()) deadlines_.erase(it);
}

Instant StoreClient::poll_timeout() const {
  Instant next = Instant::max();
  for (const auto& [id, deadline] : deadlines_) next = std::min(next, deadline);
  return next;
}

void StoreClient::handle_timeout(Instant now) {
  // Sorted by id, so expired ids come out in a deterministic order.
  for (auto it = deadlines_.begin(); it != deadlines_.end();) {
    if (it->second <= now) {
      expired_.push_back(it->first);
      it = deadlines_.erase(it);
    } else {
      ++it;
    }
  }
}

std::optional<std::string> StoreClient::poll_expired() {
  if (expired_.empty()) return std::nullopt;
  std::string id = std::move(expired_.front());
  expired_.pop_front();
  return id;
}

}  // namespace waku::store
