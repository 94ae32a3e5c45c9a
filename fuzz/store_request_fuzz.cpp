// Fuzzes the store v3 request decoder and the store server core behind it: what any client can
// send to a store node. Checks that a decoded request re-encodes to a fixed point, that the
// server answers every input (at once or through one archive query) within the page bounds, and
// that every answer encodes to a response the client decoder accepts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "fuzz_check.hpp"
#include "waku/archive/memory_archive.hpp"
#include "waku/codec/store_codec.hpp"
#include "waku/store/store_server.hpp"

namespace {

waku::archive::MemoryArchive& archive() {
  static waku::archive::MemoryArchive* instance = [] {
    auto* a = new waku::archive::MemoryArchive();  // NOLINT: lives for the process
    std::vector<waku::archive::ArchivedMessage> rows;
    for (std::uint8_t i = 1; i <= 30; ++i) {
      waku::archive::ArchivedMessage row;
      row.hash.fill(i);
      row.pubsub_topic = i % 2 == 0 ? "/waku/2/rs/16/32" : "/waku/2/rs/16/64";
      row.message.content_topic = i % 3 == 0 ? "/a/1/b/proto" : "/c";
      row.message.payload = waku::Bytes{i};
      row.message.timestamp = i / 2;
      rows.push_back(row);
    }
    (void)a->put(rows);
    return a;
  }();
  return *instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const waku::ByteView input(data, size);
  auto decoded = waku::codec::decode_store_request(input);
  if (decoded) {
    FUZZ_CHECK(decoded->message_hashes.size() <= waku::store::kMaxHashesPerQuery);
    FUZZ_CHECK(decoded->content_topics.size() <= waku::store::kMaxContentTopicsPerQuery);
    const waku::Bytes encoded = waku::codec::encode_store_request(*decoded);
    auto again = waku::codec::decode_store_request(encoded);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(*again == *decoded);
    FUZZ_CHECK(waku::codec::encode_store_request(*again) == encoded);
  }

  static waku::store::StoreServer server(
      waku::store::StoreServerConfig{.rate_limit = {.requests = 0}});
  static const waku::crypto::PeerId peer =
      waku::crypto::PeerId::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N").value();
  auto outcome = server.handle_request(waku::Instant(), peer, input);
  waku::store::StoreQueryResponse response;
  if (auto* command = std::get_if<waku::store::ArchiveQueryCommand>(&outcome)) {
    FUZZ_CHECK(decoded.has_value());
    FUZZ_CHECK(command->query.limit >= 1 && command->query.limit <= waku::store::kMaxPageSize);
    auto answered =
        server.handle_archive_completion(command->ticket, archive().query(command->query));
    FUZZ_CHECK(answered.has_value());
    response = std::move(*answered);
    FUZZ_CHECK(response.messages.size() <= command->query.limit);
  } else {
    response = std::get<waku::store::StoreQueryResponse>(outcome);
    FUZZ_CHECK(!response.is_success());
  }
  FUZZ_CHECK(server.queries_in_flight() == 0);
  auto round_trip =
      waku::codec::decode_store_response(waku::codec::encode_store_response(response));
  FUZZ_CHECK(round_trip.has_value());
  FUZZ_CHECK(*round_trip == response);
  return 0;
}
