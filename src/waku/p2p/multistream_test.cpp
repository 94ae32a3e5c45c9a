#include "waku/p2p/multistream.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace waku::p2p {
namespace {

constexpr std::string_view kHeaderHex = "132f6d756c746973747265616d2f312e302e300a";
constexpr std::string_view kNoiseHex = "072f6e6f6973650a";

Bytes hex(std::string_view text) { return from_hex(text).value(); }
Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}
Bytes message(std::string_view id) {
  Bytes out;
  append_multistream_message(out, id);
  return out;
}

// Feeds `bytes` in chunks of `chunk` bytes; returns the first error, if any.
Result<void> feed(MultistreamNegotiator& negotiator, const Bytes& bytes, std::size_t chunk) {
  for (std::size_t offset = 0; offset < bytes.size(); offset += chunk) {
    const std::size_t size = std::min(chunk, bytes.size() - offset);
    WAKU_TRY_VOID(negotiator.handle_bytes(ByteView(bytes).subspan(offset, size)));
  }
  return ok();
}

// Shuttles bytes between the two sides, `chunk` bytes per delivery, until neither writes.
void run(MultistreamNegotiator& dialer, MultistreamNegotiator& listener, std::size_t chunk) {
  for (int round = 0; round < 100; ++round) {
    const Bytes to_listener = dialer.take_transmit();
    const Bytes to_dialer = listener.take_transmit();
    if (to_listener.empty() && to_dialer.empty()) return;
    ASSERT_TRUE(feed(listener, to_listener, chunk).has_value());
    ASSERT_TRUE(feed(dialer, to_dialer, chunk).has_value());
  }
  FAIL() << "negotiation did not settle";
}

TEST(Multistream, MessageFramingMatchesTheSpec) {
  EXPECT_EQ(to_hex(message(kMultistreamProtocol)), kHeaderHex);
  EXPECT_EQ(to_hex(message("na")), "036e610a");
  EXPECT_EQ(to_hex(message("ls")), "036c730a");
  EXPECT_EQ(to_hex(message("/noise")), kNoiseHex);
}

TEST(Multistream, DialerWritesHeaderAndFirstProposalTogether) {
  // The js dialer's first write in the §B5 trace: 28 bytes.
  auto dialer = MultistreamNegotiator::dialer({"/noise"});
  const Bytes first = dialer.take_transmit();
  EXPECT_EQ(to_hex(first), std::string(kHeaderHex) + std::string(kNoiseHex));
  EXPECT_EQ(first.size(), 28U);
  EXPECT_TRUE(dialer.take_transmit().empty());
}

TEST(Multistream, DialerAcceptsTheJsListenerReply) {
  auto dialer = MultistreamNegotiator::dialer({"/noise"});
  (void)dialer.take_transmit();
  // js replies with the header (20 bytes) and then the echo (8 bytes), as two writes.
  ASSERT_TRUE(dialer.handle_bytes(hex(kHeaderHex)).has_value());
  EXPECT_FALSE(dialer.selected().has_value());
  ASSERT_TRUE(dialer.handle_bytes(hex(kNoiseHex)).has_value());
  EXPECT_EQ(dialer.selected(), "/noise");
  EXPECT_TRUE(dialer.finished());
  EXPECT_TRUE(dialer.take_transmit().empty());
  EXPECT_TRUE(dialer.take_remaining().empty());
}

TEST(Multistream, ListenerAnswersLikeTheJsListenerProbe) {
  // §A3: header + "/tls/1.0.0" + "ls" in one write to a listener with only noise.
  auto listener = MultistreamNegotiator::listener({"/noise"});
  const Bytes probe = concat({hex(kHeaderHex), message("/tls/1.0.0"), message("ls")});
  ASSERT_TRUE(listener.handle_bytes(probe).has_value());
  EXPECT_EQ(to_hex(listener.take_transmit()),
            "132f6d756c746973747265616d2f312e302e300a036e610a09072f6e6f6973650a0a");
  EXPECT_FALSE(listener.selected().has_value());
  EXPECT_FALSE(listener.finished());
}

TEST(Multistream, ListenerSendsItsHeaderRightAway) {
  auto listener = MultistreamNegotiator::listener({"/noise"});
  EXPECT_EQ(to_hex(listener.take_transmit()), kHeaderHex);
}

TEST(Multistream, InMemoryNegotiationWithEverySplit) {
  for (std::size_t chunk = 1; chunk <= 40; ++chunk) {
    auto dialer = MultistreamNegotiator::dialer({"/vac/waku/relay/2.0.0"});
    auto listener = MultistreamNegotiator::listener({"/ipfs/id/1.0.0", "/vac/waku/relay/2.0.0"});
    run(dialer, listener, chunk);
    EXPECT_EQ(dialer.selected(), "/vac/waku/relay/2.0.0") << chunk;
    EXPECT_EQ(listener.selected(), "/vac/waku/relay/2.0.0") << chunk;
    EXPECT_TRUE(dialer.take_remaining().empty());
    EXPECT_TRUE(listener.take_remaining().empty());
  }
}

TEST(Multistream, FallsBackToTheSecondProposalAfterNa) {
  for (std::size_t chunk = 1; chunk <= 30; ++chunk) {
    auto dialer = MultistreamNegotiator::dialer({"/yamux/1.0.0", "/mplex/6.7.0"});
    auto listener = MultistreamNegotiator::listener({"/mplex/6.7.0"});
    run(dialer, listener, chunk);
    EXPECT_EQ(dialer.selected(), "/mplex/6.7.0");
    EXPECT_EQ(listener.selected(), "/mplex/6.7.0");
  }
}

TEST(Multistream, DialerSendsTheNextProposalOnlyAfterNa) {
  auto dialer = MultistreamNegotiator::dialer({"/yamux/1.0.0", "/mplex/6.7.0"});
  (void)dialer.take_transmit();
  ASSERT_TRUE(dialer.handle_bytes(concat({hex(kHeaderHex), hex("036e610a")})).has_value());
  EXPECT_EQ(dialer.take_transmit(), message("/mplex/6.7.0"));
  EXPECT_FALSE(dialer.selected().has_value());
}

TEST(Multistream, BytesAfterTheAgreementAreKept) {
  // An optimistic dialer's application data in the same write as the proposal.
  auto listener = MultistreamNegotiator::listener({"/ipfs/ping/1.0.0"});
  const Bytes data = {0xde, 0xad, 0xbe, 0xef};
  const Bytes in = concat({hex(kHeaderHex), message("/ipfs/ping/1.0.0"), data});
  ASSERT_TRUE(feed(listener, in, 7).has_value());
  EXPECT_EQ(listener.selected(), "/ipfs/ping/1.0.0");
  EXPECT_EQ(listener.take_transmit(), concat({hex(kHeaderHex), message("/ipfs/ping/1.0.0")}));
  EXPECT_EQ(listener.take_remaining(), data);
  // Later bytes belong to the protocol too.
  ASSERT_TRUE(listener.handle_bytes(data).has_value());
  EXPECT_EQ(listener.take_remaining(), data);
  EXPECT_TRUE(listener.take_remaining().empty());

  auto dialer = MultistreamNegotiator::dialer({"/noise"});
  const Bytes reply = concat({hex(kHeaderHex), hex(kNoiseHex), hex("0020")});
  ASSERT_TRUE(dialer.handle_bytes(reply).has_value());
  EXPECT_EQ(dialer.selected(), "/noise");
  EXPECT_EQ(to_hex(dialer.take_remaining()), "0020");
}

TEST(Multistream, HeaderMustComeFirst) {
  auto listener = MultistreamNegotiator::listener({"/noise"});
  const auto result = listener.handle_bytes(hex(kNoiseHex));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kUnsupported);
  EXPECT_TRUE(listener.failed());
  // Final: the header arriving afterwards does not revive it.
  EXPECT_FALSE(listener.handle_bytes(hex(kHeaderHex)).has_value());

  auto dialer = MultistreamNegotiator::dialer({"/noise"});
  EXPECT_FALSE(dialer.handle_bytes(hex(kNoiseHex)).has_value());
}

TEST(Multistream, OversizedMessageIsRefusedBeforeItArrives) {
  auto listener = MultistreamNegotiator::listener({"/noise"});
  ASSERT_TRUE(listener.handle_bytes(hex(kHeaderHex)).has_value());
  // uvarint(1025) = 81 08; nothing of the body is needed to refuse it.
  const auto result = listener.handle_bytes(hex("8108"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kTooLarge);

  // 1024 (80 08) is the largest allowed message.
  auto at_limit = MultistreamNegotiator::listener({"/noise"});
  Bytes big = hex(kHeaderHex);
  append_multistream_message(big, std::string(1023, 'a'));
  ASSERT_TRUE(at_limit.handle_bytes(big).has_value());
  EXPECT_EQ(to_hex(at_limit.take_transmit()), std::string(kHeaderHex) + "036e610a");

  // Two continuation bytes already mean at least 2^14.
  auto huge = MultistreamNegotiator::listener({"/noise"});
  ASSERT_TRUE(huge.handle_bytes(hex(kHeaderHex)).has_value());
  ASSERT_TRUE(huge.handle_bytes(hex("80")).has_value());
  EXPECT_EQ(huge.handle_bytes(hex("80")).error().code, Errc::kTooLarge);
}

TEST(Multistream, MalformedMessagesAreFinalErrors) {
  auto no_newline = MultistreamNegotiator::listener({"/noise"});
  EXPECT_EQ(no_newline.handle_bytes(hex("032f6e6f")).error().code, Errc::kDecode);

  auto empty = MultistreamNegotiator::listener({"/noise"});
  EXPECT_EQ(empty.handle_bytes(hex("00")).error().code, Errc::kDecode);

  auto non_minimal = MultistreamNegotiator::listener({"/noise"});
  EXPECT_EQ(non_minimal.handle_bytes(hex("8300")).error().code, Errc::kBadEncoding);

  // The dialer refuses a reply that is neither its proposal nor "na".
  auto dialer = MultistreamNegotiator::dialer({"/noise"});
  const auto result = dialer.handle_bytes(concat({hex(kHeaderHex), message("/tls/1.0.0")}));
  EXPECT_EQ(result.error().code, Errc::kDecode);
  EXPECT_FALSE(dialer.selected().has_value());
}

TEST(Multistream, EveryProposalRefused) {
  auto dialer = MultistreamNegotiator::dialer({"/yamux/1.0.0", "/mplex/6.7.0"});
  auto listener = MultistreamNegotiator::listener({"/noise"});
  listener.handle_bytes(dialer.take_transmit()).value();
  const auto first = dialer.handle_bytes(listener.take_transmit());
  ASSERT_TRUE(first.has_value());
  listener.handle_bytes(dialer.take_transmit()).value();
  const auto second = dialer.handle_bytes(listener.take_transmit());
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, Errc::kUnsupported);
  EXPECT_TRUE(dialer.failed());
  EXPECT_TRUE(dialer.finished());
  EXPECT_FALSE(listener.finished());
}

TEST(Multistream, ListenerRefusesAtMostSixteenProposals) {
  auto listener = MultistreamNegotiator::listener({"/noise"});
  Bytes in = hex(kHeaderHex);
  for (std::size_t i = 0; i < kMaxNegotiationAttempts; ++i) {
    append_multistream_message(in, "/unknown/" + std::to_string(i));
  }
  ASSERT_TRUE(listener.handle_bytes(in).has_value());
  Bytes expected = hex(kHeaderHex);
  for (std::size_t i = 0; i < kMaxNegotiationAttempts; ++i)
    append_multistream_message(expected, "na");
  EXPECT_EQ(listener.take_transmit(), expected);
  const auto result = listener.handle_bytes(message("ls"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kLimitExceeded);
  EXPECT_TRUE(listener.take_transmit().empty());
  // Even a supported proposal is too late now.
  EXPECT_FALSE(listener.handle_bytes(message("/noise")).has_value());
}

TEST(Multistream, InvalidLocalProtocolListsFail) {
  auto none = MultistreamNegotiator::dialer({});
  EXPECT_TRUE(none.failed());
  EXPECT_TRUE(none.take_transmit().empty());
  EXPECT_EQ(none.handle_bytes(hex(kHeaderHex)).error().code, Errc::kInvalidArgument);

  EXPECT_TRUE(MultistreamNegotiator::dialer({"/a\n/b"}).failed());
  EXPECT_TRUE(MultistreamNegotiator::dialer({std::string(kMaxProtocolIdBytes, 'a')}).failed());
  EXPECT_TRUE(MultistreamNegotiator::listener({""}).failed());
  EXPECT_FALSE(MultistreamNegotiator::listener({}).failed());
}

}  // namespace
}  // namespace waku::p2p
