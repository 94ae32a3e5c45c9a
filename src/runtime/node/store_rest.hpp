// GET /store/v3/messages: nwaku's REST store query, served from the node's own archive or, with
// `peerAddr` (or --storenode on a node without an archive), by querying another store node over
// store v3.
//
// Query parameters as nwaku: pubsubTopic, contentTopics (comma list), startTime, endTime (ns),
// hashes (comma list of 0x-hex), cursor (0x-hex), ascending (true|false, default true: nwaku's
// REST pages forward unless asked not to), pageSize (default 20, at most 100), includeData
// (true|false, default false), peerAddr. A parameter given empty counts as absent, as nwaku's. The
// answer is nwaku's JSON: {"requestId","statusCode","statusDesc","messages":[{
// "messageHash","message","pubsubTopic"}],"paginationCursor"}.
#pragma once

#include "runtime/node/node.hpp"
#include "runtime/rest/rest_server.hpp"
#include "waku/store/rpc.hpp"

namespace waku::runtime {

// Parses the query string of a /store/v3/messages request (without the leading '?').
Result<store::StoreQueryRequest> store_request_from_query(std::string_view query,
                                                          std::optional<std::string>* peer_addr);
std::string store_response_to_json(const store::StoreQueryResponse& response);

RestRoute store_rest_route(Node& node, const std::optional<std::string>& default_store_node);

}  // namespace waku::runtime
