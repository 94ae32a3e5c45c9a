// Fuzzes what the REST API decodes from a request: the path segment (percent-decoding), the body
// (strict JSON, then a RelayWakuMessage or a string array) and base64. Whatever decodes must
// survive its encoding: a message read from JSON and written back reads the same.
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "runtime/rest/json_codec.hpp"

namespace {

constexpr std::int64_t kNowUnixNs = 1'700'000'000'000'000'000;
constexpr std::size_t kMaxItems = 8;

void check_base64(std::string_view text) {
  auto decoded = waku::runtime::base64_decode(text);
  if (!decoded) return;
  // One encoding per byte string: re-encoding gives the input, with its padding if it had none.
  const std::string encoded = waku::runtime::base64_encode(*decoded);
  FUZZ_CHECK(encoded.substr(0, text.size()) == text);
  FUZZ_CHECK(encoded.find_first_not_of('=', text.size()) == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace waku::runtime;

  if (auto segment = url_decode(text)) FUZZ_CHECK(segment->size() <= text.size());
  check_base64(text);
  const auto bytes = waku::ByteView(data, size);
  FUZZ_CHECK(base64_decode(base64_encode(bytes)).value() ==
             waku::Bytes(bytes.begin(), bytes.end()));

  auto json = parse_json_strict(text);
  if (!json) {
    FUZZ_CHECK(!json.error().detail.empty());
    return 0;
  }
  if (auto items = string_array_from_json(*json, kMaxItems)) FUZZ_CHECK(items->size() <= kMaxItems);

  for (const auto& default_topic :
       {std::optional<std::string>{}, std::optional<std::string>{"/a/1/b/proto"}}) {
    auto message = message_from_json(*json, kNowUnixNs, default_topic);
    if (!message) {
      FUZZ_CHECK(!message.error().detail.empty());
      continue;
    }
    FUZZ_CHECK(!message->payload.empty() && !message->content_topic.empty());
    FUZZ_CHECK(message->timestamp.value_or(0) != 0);
    // Through the text a client reads (boost::json keeps the unsigned version as uint64 until
    // it is printed).
    auto written = parse_json_strict(boost::json::serialize(message_to_json(*message)));
    FUZZ_CHECK(written.has_value());
    auto again = message_from_json(*written, kNowUnixNs);
    FUZZ_CHECK(again.has_value() && *again == *message);
  }
  return 0;
}
