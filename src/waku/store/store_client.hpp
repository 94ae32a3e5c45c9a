// The store v3 client core: builds queries with fresh request ids, checks them the way the spec
// and js-waku do before they leave the node, matches responses to the queries in flight, follows
// cursors, and times out queries that get no answer.
//
// The host opens one stream per query (/vac/waku/store-query/3.0.0), writes
// encode_store_request(request), reads one length-prefixed response (at most
// codec::kMaxStoreResponseBytes) and passes it with the request id it sent to handle_response.
// Queries in flight are bounded (max_pending); each has a deadline, and expired ids come out of
// poll_expired so the host can reset their streams.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "waku/base/bytes.hpp"
#include "waku/base/fifo_queue.hpp"
#include "waku/base/result.hpp"
#include "waku/base/rng.hpp"
#include "waku/base/time.hpp"
#include "waku/store/rpc.hpp"

namespace waku::store {

struct StoreClientConfig {
  Duration request_timeout{10s};
  std::size_t max_pending{64};
};

// Client-side rules (the spec's, as js-waku enforces them): hashes or content criteria, not both;
// content topics need a pubsub topic; at most kMaxHashesPerQuery hashes and
// kMaxContentTopicsPerQuery content topics; a limit of at most kMaxPageSize; a time range with
// start <= end. kInvalidArgument otherwise.
Result<void> validate_query(const StoreQueryRequest& request);

// The request for the page after `response`, or nullopt when there is none (no cursor). The
// criteria are repeated, as the spec requires; the request id is left for start_query to set.
std::optional<StoreQueryRequest> next_page(const StoreQueryRequest& previous,
                                           const StoreQueryResponse& response);

class StoreClient {
 public:
  StoreClient(StoreClientConfig config, Rng rng);

  // Validates the query, gives it a fresh request id (32 hex digits), and records it as in flight.
  // kLimitExceeded when max_pending queries are already in flight.
  Result<StoreQueryRequest> start_query(Instant now, StoreQueryRequest request);

  // The response body read on the stream of query `request_id`. Errors: the id is not in flight
  // (kNotFound), the body does not decode (its error), or the response carries another id
  // (kInvalidMessage). nwaku leaves the id empty (or "N/A") on its error answers, so an empty or
  // "N/A" id is accepted when the status is not a success. The query stops being in flight
  // whatever the outcome, except for kNotFound.
  Result<StoreQueryResponse> handle_response(Instant now, std::string_view request_id,
                                             ByteView body);

  // The stream of `request_id` failed or was closed without an answer.
  void handle_stream_failed(std::string_view request_id);

  [[nodiscard]] Instant poll_timeout() const;
  void handle_timeout(Instant now);
  // A query that timed out (its stream should be reset); those of one handle_timeout by id.
  std::optional<std::string> poll_expired();

  [[nodiscard]] std::size_t pending() const { return deadlines_.size(); }

 private:
  std::string fresh_request_id();

  StoreClientConfig config_;
  Rng rng_;
  std::map<std::string, Instant, std::less<>> deadlines_;
  FifoQueue<std::string> expired_;
};

}  // namespace waku::store
