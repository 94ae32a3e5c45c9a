#include "waku/p2p/mplex.hpp"

#include <gtest/gtest.h>

#include "waku/p2p/muxer_test_support.hpp"

namespace waku::p2p {
namespace {

using muxer_test::deliver;
using muxer_test::drain;
using muxer_test::hex;
using muxer_test::pattern;
using muxer_test::pump;
using muxer_test::take;

struct Peer : muxer_test::Peer {
  explicit Peer(ConnectionRole role, MuxerLimits limits = {})
      : muxer_test::Peer(make_mplex(role, limits)) {}
};

// The StreamId of a stream the peer opened with wire id `id`.
constexpr StreamId remote(std::uint64_t id) { return (id << 1U) | 1U; }

TEST(Mplex, HeaderEncoding) {
  Bytes out;
  mplex::append_header(out, 17, mplex::Flag::kMessageReceiver, 300);
  EXPECT_EQ(to_hex(out), "8901ac02");  // 17<<3|1 = 137, 300
  EXPECT_EQ(mplex::data_wire_bytes(0, 0), 0U);
  EXPECT_EQ(mplex::data_wire_bytes(0, 5), 7U);
  EXPECT_EQ(mplex::data_wire_bytes(17, 300), 304U);
  EXPECT_EQ(mplex::data_wire_bytes(0, (1U << 20) + 5), (1U << 20) + 4 + 7);
}

TEST(Mplex, OutboundStreamFrames) {
  auto mux = make_mplex(ConnectionRole::kDialer);
  EXPECT_EQ(mux->protocol_id(), "/mplex/6.7.0");
  const StreamId a = mux->open_stream().value();
  const StreamId b = mux->open_stream().value();
  EXPECT_EQ(a, 0U);
  EXPECT_EQ(b, 2U);
  // NewStream named after the id, as js does: "0", "1".
  EXPECT_EQ(to_hex(take(*mux)),
            "000130"
            "080131");
  ASSERT_TRUE(mux->write(a, as_bytes("hi")).has_value());
  ASSERT_TRUE(mux->write(b, as_bytes("yo")).has_value());
  EXPECT_EQ(to_hex(take(*mux)),
            "02026869"
            "0a02796f");  // MessageInitiator
  mux->close_write(a);
  mux->reset(b);
  EXPECT_EQ(to_hex(take(*mux)),
            "0400"
            "0e00");  // CloseInitiator, ResetInitiator
  EXPECT_EQ(mux->write(a, as_bytes("x")).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(mux->write(b, as_bytes("x")).error().code, Errc::kNotFound);
  EXPECT_EQ(mux->stream_count(), 1U);
}

TEST(Mplex, InboundStreamFrames) {
  auto mux = make_mplex(ConnectionRole::kListener);
  // NewStream 0 "0", NewStream 17 with no name, a message on 17, split byte by byte.
  const Bytes wire =
      hex("000130"
          "8801"
          "00"
          "8a01"
          "03"
          "616263");
  for (std::size_t i = 0; i < wire.size(); ++i) {
    ASSERT_TRUE(mux->handle_bytes(ByteView(wire).subspan(i, 1)).has_value());
  }
  Bytes data;
  std::vector<StreamId> opened;
  for (const auto& event : drain(*mux)) {
    if (event.kind == MuxerEventKind::kInboundStream) opened.push_back(event.stream);
    if (event.kind == MuxerEventKind::kData) {
      EXPECT_EQ(event.stream, remote(17));
      data.insert(data.end(), event.data.begin(), event.data.end());
    }
  }
  EXPECT_EQ(opened, (std::vector<StreamId>{remote(0), remote(17)}));
  EXPECT_EQ(as_chars(data), "abc");
  ASSERT_TRUE(mux->write(remote(0), as_bytes("hi")).has_value());
  ASSERT_TRUE(mux->write(remote(17), as_bytes("a")).has_value());
  mux->close_write(remote(0));
  mux->reset(remote(17));
  // MessageReceiver, CloseReceiver, ResetReceiver.
  EXPECT_EQ(to_hex(take(*mux)),
            "01026869"
            "890101"
            "61"
            "0300"
            "8d0100");
  EXPECT_EQ(mux->stream_count(), 1U);
}

TEST(Mplex, SameNumberOnBothSidesIsTwoStreams) {
  auto mux = make_mplex(ConnectionRole::kDialer);
  ASSERT_EQ(mux->open_stream().value(), 0U);
  (void)take(*mux);
  // The peer opens its own stream 0, sends on it (Initiator) and on ours (Receiver).
  ASSERT_TRUE(mux->handle_bytes(hex("0000"
                                    "0203616263"
                                    "01027879"))
                  .has_value());
  const auto events = drain(*mux);
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0].kind, MuxerEventKind::kInboundStream);
  EXPECT_EQ(events[0].stream, remote(0));
  EXPECT_EQ(events[1].stream, remote(0));
  EXPECT_EQ(as_chars(events[1].data), "abc");
  EXPECT_EQ(events[2].stream, 0U);
  EXPECT_EQ(as_chars(events[2].data), "xy");
  // Their reset of their stream 0 leaves ours alone.
  ASSERT_TRUE(mux->handle_bytes(hex("0600")).has_value());
  const auto after = drain(*mux);
  ASSERT_EQ(after.size(), 1U);
  EXPECT_EQ(after[0].kind, MuxerEventKind::kReset);
  EXPECT_EQ(after[0].stream, remote(0));
  EXPECT_EQ(mux->stream_count(), 1U);
  EXPECT_TRUE(mux->write(0, as_bytes("q")).has_value());
}

TEST(Mplex, ProtocolErrors) {
  const auto expect_error = [](std::string_view frame, Errc code) {
    auto mux = make_mplex(ConnectionRole::kListener);
    const auto result = mux->handle_bytes(hex(frame));
    ASSERT_FALSE(result.has_value()) << frame;
    EXPECT_EQ(result.error().code, code) << frame;
    EXPECT_FALSE(mux->handle_bytes(hex("0000")).has_value());  // sticky
  };
  expect_error("02818040", Errc::kTooLarge);                 // a message of 1 MiB + 1
  expect_error("0700", Errc::kDecode);                       // flag 7
  expect_error("00000000", Errc::kDecode);                   // stream 0 opened twice
  expect_error("ffffffffffffffffff02", Errc::kBadEncoding);  // varint past 64 bits
  // Exactly 1 MiB is fine.
  auto mux = make_mplex(ConnectionRole::kListener);
  ASSERT_TRUE(mux->handle_bytes(hex("0000"
                                    "02808040"))
                  .has_value());
  ASSERT_TRUE(mux->handle_bytes(Bytes(1 << 20, 1)).has_value());
  EXPECT_FALSE(mux->handle_bytes(hex("0000")).has_value());  // 0 again: opened twice
}

TEST(Mplex, UnknownStreamMessagesAreDropped) {
  auto mux = make_mplex(ConnectionRole::kListener);
  ASSERT_TRUE(mux->handle_bytes(hex("2a03616263"
                                    "2903616263"
                                    "2c00"
                                    "2e00"))
                  .has_value());
  EXPECT_FALSE(mux->poll_event().has_value());
  EXPECT_TRUE(take(*mux).empty());
}

TEST(Mplex, LargeWritesSplitAt1MiB) {
  auto mux = make_mplex(ConnectionRole::kDialer);
  const StreamId id = mux->open_stream().value();
  (void)take(*mux);
  ASSERT_TRUE(mux->write(id, Bytes((1U << 20) + 5, 7)).has_value());
  const Bytes wire = take(*mux);
  ASSERT_EQ(wire.size(), (1U << 20) + 5 + 4 + 2);
  EXPECT_EQ(to_hex(ByteView(wire).first(4)), "02808040");
  EXPECT_EQ(to_hex(ByteView(wire).subspan((1U << 20) + 4, 2)), "0205");
}

TEST(Mplex, TransmitBufferLimit) {
  MuxerLimits limits;
  limits.max_write_buffer_bytes = 100;
  auto mux = make_mplex(ConnectionRole::kDialer, limits);
  const StreamId id = mux->open_stream().value();  // 3 bytes queued
  ASSERT_TRUE(mux->write(id, Bytes(90, 1)).has_value());
  const auto full = mux->write(id, Bytes(10, 1));
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error().code, Errc::kQueueFull);
  EXPECT_EQ(take(*mux).size(), 3U + 2U + 90U);
  ASSERT_TRUE(mux->write(id, Bytes(100, 1)).has_value());
  EXPECT_EQ(mux->pending_write_bytes(id), 0U);
}

TEST(Mplex, InboundLimitResetsNewStreams) {
  MuxerLimits limits;
  limits.max_inbound_streams = 1;
  auto mux = make_mplex(ConnectionRole::kListener, limits);
  ASSERT_TRUE(mux->handle_bytes(hex("000130"
                                    "080131"
                                    "0a0161"))
                  .has_value());
  EXPECT_EQ(to_hex(take(*mux)), "0d00");  // ResetReceiver for 1
  const auto events = drain(*mux);
  ASSERT_EQ(events.size(), 1U);  // the message on the refused stream is dropped
  EXPECT_EQ(events[0].stream, remote(0));
  // Once 0 is reset, 2 fits.
  ASSERT_TRUE(mux->handle_bytes(hex("0600"
                                    "100132"))
                  .has_value());
  EXPECT_TRUE(take(*mux).empty());
  EXPECT_EQ(drain(*mux).size(), 2U);
  EXPECT_EQ(mux->stream_count(), 1U);
}

TEST(Mplex, OutboundLimit) {
  MuxerLimits limits;
  limits.max_outbound_streams = 1;
  auto mux = make_mplex(ConnectionRole::kDialer, limits);
  ASSERT_TRUE(mux->open_stream().has_value());
  EXPECT_EQ(mux->open_stream().error().code, Errc::kLimitExceeded);
  mux->reset(0);
  EXPECT_EQ(mux->open_stream().value(), 2U);
}

TEST(Mplex, GoAwayResetsAllStreams) {
  auto mux = make_mplex(ConnectionRole::kDialer);
  ASSERT_TRUE(mux->open_stream().has_value());
  ASSERT_TRUE(mux->handle_bytes(hex("0000")).has_value());
  (void)drain(*mux);
  (void)take(*mux);
  mux->go_away();
  EXPECT_EQ(to_hex(take(*mux)),
            "0600"
            "0500");
  const auto events = drain(*mux);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].kind, MuxerEventKind::kReset);
  EXPECT_EQ(events[1].stream, remote(0));
  EXPECT_EQ(mux->stream_count(), 0U);
  EXPECT_EQ(mux->open_stream().error().code, Errc::kLimitExceeded);
  ASSERT_TRUE(mux->handle_bytes(hex("0800")).has_value());
  EXPECT_EQ(to_hex(take(*mux)), "0d00");
}

TEST(Mplex, CloseLifecycle) {
  auto mux = make_mplex(ConnectionRole::kListener);
  ASSERT_TRUE(mux->handle_bytes(hex("0000"
                                    "0400"
                                    "020161"))
                  .has_value());
  const auto events = drain(*mux);
  ASSERT_EQ(events.size(), 2U);  // inbound, remote closed; data after close dropped
  EXPECT_EQ(events[1].kind, MuxerEventKind::kRemoteClosed);
  EXPECT_TRUE(mux->write(remote(0), as_bytes("still")).has_value());
  mux->close_write(remote(0));
  EXPECT_EQ(mux->stream_count(), 0U);
}

TEST(Mplex, PairExchangesDataBothWays) {
  Rng rng(17);
  Peer dialer(ConnectionRole::kDialer);
  Peer listener(ConnectionRole::kListener);
  std::map<StreamId, Bytes> to_listener;  // keyed by the listener's StreamId
  std::map<StreamId, Bytes> to_dialer;    // keyed by the dialer's StreamId
  for (int i = 0; i < 3; ++i) {
    const StreamId id = dialer.mux->open_stream().value();
    const Bytes data = pattern(std::size_t{100000} * static_cast<std::size_t>(i + 1),
                               static_cast<std::uint8_t>(i));
    ASSERT_TRUE(dialer.mux->write(id, data).has_value());
    to_listener[id | 1U] = data;
  }
  const StreamId own = listener.mux->open_stream().value();
  ASSERT_TRUE(listener.mux->write(own, as_bytes("from listener")).has_value());
  to_dialer[own | 1U] = to_bytes("from listener");
  pump(dialer, listener, rng);
  EXPECT_EQ(listener.received, to_listener);
  // Replies, then both sides close everything.
  for (const StreamId id : listener.inbound) {
    const Bytes reply = pattern(3000, static_cast<std::uint8_t>(id));
    ASSERT_TRUE(listener.mux->write(id, reply).has_value());
    to_dialer[id & ~StreamId{1}] = reply;
    listener.mux->close_write(id);
  }
  listener.mux->close_write(own);
  for (const auto& [id, bytes] : to_listener) dialer.mux->close_write(id & ~StreamId{1});
  dialer.mux->close_write(own | 1U);
  pump(dialer, listener, rng);
  EXPECT_EQ(dialer.received, to_dialer);
  EXPECT_EQ(dialer.remote_closed.size(), 4U);
  EXPECT_EQ(listener.remote_closed.size(), 4U);
  EXPECT_EQ(dialer.mux->stream_count(), 0U);
  EXPECT_EQ(listener.mux->stream_count(), 0U);
}

}  // namespace
}  // namespace waku::p2p
