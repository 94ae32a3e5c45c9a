// The store v3 server core (/vac/waku/store-query/3.0.0): turns a client's query into one archive
// query, and the archive's page into the response, without touching the archive itself.
//
// handle_request either answers at once (bad request, rate limited, overloaded) or returns an
// ArchiveQueryCommand with a ticket; the host runs the query on its worker pool
// (ArchiveDriver::query) and feeds the result to handle_archive_completion, which gives the
// response. The number of queries in flight is bounded: beyond it the server answers 503 rather
// than queue work behind a slow database.
//
// Rules we chose where the spec and nwaku differ (waku-wire.md §4):
// - A query mixing message hashes with content criteria (pubsub topic, content topics, time
//   range) is refused with 400, as the spec asks; nwaku ANDs the clauses instead. No known client
//   sends such a query (js-waku and go-waku build the two kinds separately).
// - A pubsub topic without content topics is accepted ("everything on this shard"), and so are
//   content topics without a pubsub topic, as nwaku does; the spec calls both invalid.
// - The end of the time range is inclusive, as in both nwaku drivers.
// - A cursor of all zeros is refused with 400 (nwaku: 300 "archive error"); a cursor unknown to
//   the archive is 300 "archive error: ..." like every other archive failure, as nwaku.
// - Decode failures answer 400 "decoding rpc failed: ..." with an empty request id (as nwaku);
//   rate-limited queries answer 429 with the request's own id (nwaku writes "N/A" because it
//   limits before decoding; decoding is bounded and cheap, and the id helps clients).
// - A page whose encoding would not fit what the host's stream can hold (max_response_bytes) is
//   cut short, its cursor pointing where the client continues; nwaku sends the whole page.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "waku/archive/archive.hpp"
#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"
#include "waku/base/strong_id.hpp"
#include "waku/base/time.hpp"
#include "waku/codec/store_codec.hpp"
#include "waku/crypto/peer_id.hpp"
#include "waku/store/rate_limiter.hpp"
#include "waku/store/rpc.hpp"

namespace waku::store {

struct StoreServerConfig {
  std::size_t default_page_size{kDefaultPageSize};  // for an absent or zero limit
  std::size_t max_page_size{kMaxPageSize};          // larger limits are capped to this
  RateLimitConfig rate_limit{};
  std::size_t max_queries_in_flight{64};  // beyond: 503
  // The most an encoded response may take; a page that would be larger is cut short (its cursor
  // then points where the client continues). The host sets what its stream can hold.
  std::size_t max_response_bytes{codec::kMaxStoreResponseBytes};
};

using QueryTicket = StrongId<struct QueryTicketTag, std::uint64_t>;

// Run `query` against the archive and hand the result to handle_archive_completion(ticket, ...).
struct ArchiveQueryCommand {
  QueryTicket ticket;
  archive::ArchiveQuery query;
};

using StoreServerOutcome = std::variant<StoreQueryResponse, ArchiveQueryCommand>;

struct StoreServerStats {
  std::uint64_t requests{0};
  std::uint64_t bad_requests{0};       // 400
  std::uint64_t rate_limited{0};       // 429
  std::uint64_t overloaded{0};         // 503
  std::uint64_t archive_errors{0};     // 300
  std::uint64_t answered{0};           // 200
  std::uint64_t messages_returned{0};  // entries in 200 responses
  std::uint64_t pages_cut{0};          // 200 responses cut short to max_response_bytes
};

// The archive query for a store request, or why the request is bad (kInvalidArgument; the context
// is the text of the 400 answer). Also used by the REST API, which answers the same queries.
Result<archive::ArchiveQuery> to_archive_query(const StoreQueryRequest& request,
                                               std::size_t default_page_size,
                                               std::size_t max_page_size);

// The response to a request with this id and include_data, given the archive's result: 200 with
// the page (ascending; hashes only unless include_data) or 300 "archive error: ...".
StoreQueryResponse response_for_page(std::string request_id, bool include_data,
                                     Result<archive::ArchivePage> page);

// Cuts `response` short until it encodes in at most `max_bytes`, dropping the messages farthest
// from where the page started and pointing the cursor at the new last one (the first, going
// backward), where the next page then continues. Keeps at least one message. True if it cut.
bool fit_response(StoreQueryResponse& response, bool forward, std::size_t max_bytes);

// An error response: request id, code, and the description.
StoreQueryResponse error_response(std::string request_id, StatusCode code, std::string desc);

class StoreServer {
 public:
  explicit StoreServer(StoreServerConfig config = {});

  // kExempt: the node's own REST API (nwaku's REST path has no store rate limit either).
  enum class RateLimit : std::uint8_t { kApply, kExempt };

  // A request body as read from the stream (length prefix removed).
  StoreServerOutcome handle_request(Instant now, const crypto::PeerId& peer, ByteView body);
  // An already decoded request.
  StoreServerOutcome handle_request(Instant now, const crypto::PeerId& peer,
                                    const StoreQueryRequest& request,
                                    RateLimit rate_limit = RateLimit::kApply);

  // The response for a ticket, or nullopt for a ticket that is not in flight (a stale or repeated
  // completion).
  std::optional<StoreQueryResponse> handle_archive_completion(QueryTicket ticket,
                                                              Result<archive::ArchivePage> page);

  [[nodiscard]] std::size_t queries_in_flight() const { return in_flight_.size(); }
  [[nodiscard]] const StoreServerStats& stats() const { return stats_; }

 private:
  struct InFlight {
    std::string request_id;
    bool include_data{false};
    bool forward{false};
  };

  StoreServerConfig config_;
  RateLimiter limiter_;
  std::map<QueryTicket, InFlight> in_flight_;
  std::uint64_t next_ticket_{1};
  StoreServerStats stats_;
};

}  // namespace waku::store
