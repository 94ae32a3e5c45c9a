#include "waku/store/store_server.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "waku/codec/store_codec.hpp"

namespace waku::store {
namespace {

bool all_zero(const Bytes32& hash) {
  return std::all_of(hash.begin(), hash.end(), [](std::uint8_t b) { return b == 0; });
}

}  // namespace

Result<archive::ArchiveQuery> to_archive_query(const StoreQueryRequest& request,
                                               std::size_t default_page_size,
                                               std::size_t max_page_size) {
  // A pubsub topic may accompany hashes: js-waku 0.0.36 always sends its decoder's topic with a
  // hash look-up, and nwaku ANDs the two. Content topics or a time range with hashes are the
  // spec's mixed query and refused.
  const bool content_criteria = !request.content_topics.empty() ||
                                request.time_start_ns.has_value() ||
                                request.time_end_ns.has_value();
  if (!request.message_hashes.empty() && content_criteria) {
    return unexpected(Errc::kInvalidArgument,
                      "message hashes cannot be combined with content topics or a time range");
  }
  if (request.message_hashes.size() > kMaxHashesPerQuery) {
    return unexpected(Errc::kInvalidArgument, "more than 100 message hashes");
  }
  if (request.content_topics.size() > kMaxContentTopicsPerQuery) {
    return unexpected(Errc::kInvalidArgument, "more than 100 content topics");
  }
  if (request.pagination_cursor && all_zero(*request.pagination_cursor)) {
    return unexpected(Errc::kInvalidArgument, "invalid cursor: all zeros");
  }

  archive::ArchiveQuery query;
  query.pubsub_topic = request.pubsub_topic;
  query.content_topics = request.content_topics;
  query.start_time_ns = request.time_start_ns;
  query.end_time_ns = request.time_end_ns;
  query.hashes = request.message_hashes;
  query.cursor = request.pagination_cursor;
  query.direction = request.pagination_forward ? archive::PageDirection::kForward
                                               : archive::PageDirection::kBackward;
  const std::size_t max_page = std::max<std::size_t>(max_page_size, 1);
  const std::uint64_t limit = request.pagination_limit.value_or(0);
  query.limit = limit == 0 ? std::clamp<std::size_t>(default_page_size, 1, max_page)
                           : static_cast<std::size_t>(std::min<std::uint64_t>(limit, max_page));
  query.include_data =
      request.include_data ? archive::IncludeData::kFull : archive::IncludeData::kHashesOnly;
  return query;
}

StoreQueryResponse error_response(std::string request_id, StatusCode code, std::string desc) {
  StoreQueryResponse response;
  response.request_id = std::move(request_id);
  response.status_code = static_cast<std::uint32_t>(code);
  response.status_desc = std::move(desc);
  return response;
}

StoreQueryResponse response_for_page(std::string request_id, bool include_data,
                                     Result<archive::ArchivePage> page) {
  if (!page) {
    return error_response(std::move(request_id), StatusCode::kBadResponse,
                          "archive error: " + page.error().message());
  }
  StoreQueryResponse response;
  response.request_id = std::move(request_id);
  response.status_code = static_cast<std::uint32_t>(StatusCode::kSuccess);
  response.status_desc = "OK";
  response.pagination_cursor = page->next_cursor;
  response.messages.reserve(page->messages.size());
  for (auto& archived : page->messages) {
    WakuMessageKeyValue value;
    value.message_hash = archived.hash;
    if (include_data) {
      value.message = std::move(archived.message);
      value.pubsub_topic = std::move(archived.pubsub_topic);
    }
    response.messages.push_back(std::move(value));
  }
  return response;
}

bool fit_response(StoreQueryResponse& response, bool forward, std::size_t max_bytes) {
  if (response.messages.size() <= 1) return false;
  // The encoding is additive: the response's own fields, plus each entry's field, measured alone.
  StoreQueryResponse fields;
  fields.request_id = response.request_id;
  fields.status_code = response.status_code;
  fields.status_desc = response.status_desc;
  fields.pagination_cursor = response.pagination_cursor;
  const std::size_t nothing = codec::encode_store_response(StoreQueryResponse{}).size();
  std::size_t entries = 0;
  std::vector<std::size_t> entry_bytes;
  entry_bytes.reserve(response.messages.size());
  StoreQueryResponse one;
  for (const auto& entry : response.messages) {
    one.messages.assign(1, entry);
    entry_bytes.push_back(codec::encode_store_response(one).size() - nothing);
    entries += entry_bytes.back();
  }
  if (codec::encode_store_response(fields).size() + entries <= max_bytes) return false;
  fields.pagination_cursor = Bytes32{};  // a cut page has one
  std::size_t total = codec::encode_store_response(fields).size() + entries;
  // Drop from the end farthest from where the page started (the newest going forward, the oldest
  // going backward), so that the next page continues from the cursor without a gap. One message
  // always stays: a host's limit holds at least one message of the largest size.
  const std::size_t count = response.messages.size();
  std::size_t keep = count;
  while (keep > 1 && total > max_bytes) {
    --keep;
    total -= entry_bytes[forward ? keep : count - 1 - keep];
  }
  const auto dropped = static_cast<std::ptrdiff_t>(count - keep);
  if (forward) {
    response.messages.erase(response.messages.end() - dropped, response.messages.end());
    response.pagination_cursor = response.messages.back().message_hash;
  } else {
    response.messages.erase(response.messages.begin(), response.messages.begin() + dropped);
    response.pagination_cursor = response.messages.front().message_hash;
  }
  return true;
}

StoreServer::StoreServer(StoreServerConfig config) : config_(config), limiter_(config.rate_limit) {}

StoreServerOutcome StoreServer::handle_request(Instant now, const crypto::PeerId& peer,
                                               ByteView body) {
  auto request = codec::decode_store_request(body);
  if (!request) {
    ++stats_.requests;
    ++stats_.bad_requests;
    return error_response("", StatusCode::kBadRequest,
                          "decoding rpc failed: " + request.error().message());
  }
  return handle_request(now, peer, *request);
}

StoreServerOutcome StoreServer::handle_request(Instant now, const crypto::PeerId& peer,
                                               const StoreQueryRequest& request,
                                               RateLimit rate_limit) {
  ++stats_.requests;
  if (rate_limit == RateLimit::kApply && !limiter_.try_acquire(now, peer)) {
    ++stats_.rate_limited;
    return error_response(request.request_id, StatusCode::kTooManyRequests, "rate limit exceeded");
  }
  auto query = to_archive_query(request, config_.default_page_size, config_.max_page_size);
  if (!query) {
    ++stats_.bad_requests;
    return error_response(request.request_id, StatusCode::kBadRequest,
                          std::string("bad request: ") + query.error().context);
  }
  if (in_flight_.size() >= config_.max_queries_in_flight) {
    ++stats_.overloaded;
    return error_response(request.request_id, StatusCode::kServiceUnavailable,
                          "service unavailable: too many queries in flight");
  }
  const QueryTicket ticket(next_ticket_++);
  in_flight_.emplace(
      ticket, InFlight{request.request_id, request.include_data, request.pagination_forward});
  return ArchiveQueryCommand{ticket, std::move(*query)};
}

std::optional<StoreQueryResponse> StoreServer::handle_archive_completion(
    QueryTicket ticket, Result<archive::ArchivePage> page) {
  const auto it = in_flight_.find(ticket);
  if (it == in_flight_.end()) return std::nullopt;
  InFlight done = std::move(it->second);
  in_flight_.erase(it);
  if (!page) ++stats_.archive_errors;
  StoreQueryResponse response =
      response_for_page(std::move(done.request_id), done.include_data, std::move(page));
  if (response.is_success()) {
    if (fit_response(response, done.forward, config_.max_response_bytes)) ++stats_.pages_cut;
    ++stats_.answered;
    stats_.messages_returned += response.messages.size();
  }
  return response;
}

}  // namespace waku::store
