// Fuzzes the store v3 response decoder and the client core: what a possibly hostile store node
// can answer. A decoded response must respect the page bound, re-encode to bytes that decode to
// the same response, and pass through the client's matching without harm.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fuzz_check.hpp"
#include "waku/codec/store_codec.hpp"
#include "waku/store/store_client.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const waku::ByteView input(data, size);
  auto decoded = waku::codec::decode_store_response(input);
  if (decoded) {
    FUZZ_CHECK(decoded->messages.size() <= waku::store::kMaxPageSize);
    for (const auto& entry : decoded->messages) {
      FUZZ_CHECK(entry.message.has_value() == entry.pubsub_topic.has_value());
    }
    const waku::Bytes encoded = waku::codec::encode_store_response(*decoded);
    auto again = waku::codec::decode_store_response(encoded);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(*again == *decoded);
    FUZZ_CHECK(waku::codec::encode_store_response(*again) == encoded);
  }

  waku::store::StoreClient client({}, waku::Rng(1));
  waku::store::StoreQueryRequest query;
  query.pubsub_topic = "/waku/2/rs/16/32";
  query.content_topics = {"/c"};
  auto request = client.start_query(waku::Instant(), query);
  FUZZ_CHECK(request.has_value());
  auto matched = client.handle_response(waku::Instant(), request->request_id, input);
  FUZZ_CHECK(client.pending() == 0);
  if (matched) {
    FUZZ_CHECK(decoded.has_value());
    auto next = waku::store::next_page(*request, *matched);
    if (next) FUZZ_CHECK(next->pagination_cursor == matched->pagination_cursor);
  }
  return 0;
}
