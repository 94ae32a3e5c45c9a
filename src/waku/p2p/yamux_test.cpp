#include "waku/p2p/yamux.hpp"

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
      : muxer_test::Peer(make_yamux(role, limits)) {}
};

TEST(Yamux, HeaderEncoding) {
  Bytes out;
  yamux::append_header(out, yamux::FrameType::kWindowUpdate, yamux::kFlagSyn, 1, 0);
  EXPECT_EQ(to_hex(out), "000100010000000100000000");
  out.clear();
  yamux::append_header(out, yamux::FrameType::kData, 0x0102, 0xa1b2c3d4, 0x01020304);
  EXPECT_EQ(to_hex(out), "00000102a1b2c3d401020304");
  EXPECT_EQ(yamux::data_wire_bytes(0), 0U);
  EXPECT_EQ(yamux::data_wire_bytes(1), 13U);
  EXPECT_EQ(yamux::data_wire_bytes(65524), 65536U);
  EXPECT_EQ(yamux::data_wire_bytes(65525), 65549U);
}

TEST(Yamux, OpenStreamSendsWindowUpdateSyn) {
  auto dialer = make_yamux(ConnectionRole::kDialer);
  EXPECT_EQ(dialer->protocol_id(), "/yamux/1.0.0");
  EXPECT_EQ(dialer->open_stream().value(), 1U);
  EXPECT_EQ(dialer->open_stream().value(), 3U);
  EXPECT_EQ(to_hex(take(*dialer)), "000100010000000100000000000100010000000300000000");
  auto listener = make_yamux(ConnectionRole::kListener);
  EXPECT_EQ(listener->open_stream().value(), 2U);
  EXPECT_EQ(to_hex(take(*listener)), "000100010000000200000000");
  EXPECT_EQ(dialer->stream_count(), 2U);
}

TEST(Yamux, DataFinAndRstFrames) {
  auto dialer = make_yamux(ConnectionRole::kDialer);
  const StreamId a = dialer->open_stream().value();
  const StreamId b = dialer->open_stream().value();
  (void)take(*dialer);
  ASSERT_TRUE(dialer->write(a, as_bytes("hi")).has_value());
  EXPECT_EQ(to_hex(take(*dialer)),
            "000000000000000100000002"
            "6869");
  dialer->close_write(a);
  EXPECT_EQ(to_hex(take(*dialer)), "000100040000000100000000");
  EXPECT_EQ(dialer->write(a, as_bytes("x")).error().code, Errc::kInvalidArgument);
  dialer->reset(b);
  EXPECT_EQ(to_hex(take(*dialer)), "000100080000000300000000");
  EXPECT_EQ(dialer->write(b, as_bytes("x")).error().code, Errc::kNotFound);
  EXPECT_EQ(dialer->write(99, as_bytes("x")).error().code, Errc::kNotFound);
  EXPECT_EQ(dialer->stream_count(), 1U);  // a waits for the peer's FIN
}

TEST(Yamux, DataIsSplitAt64KiBFrames) {
  auto dialer = make_yamux(ConnectionRole::kDialer);
  const StreamId id = dialer->open_stream().value();
  (void)take(*dialer);
  const Bytes data = pattern(100000, 1);
  ASSERT_TRUE(dialer->write(id, data).has_value());
  const Bytes wire = take(*dialer);
  ASSERT_EQ(wire.size(), 100000U + 24U);
  EXPECT_EQ(to_hex(ByteView(wire).first(12)), "00000000000000010000fff4");  // 65524
  EXPECT_EQ(to_hex(ByteView(wire).subspan(12 + 65524, 12)), "0000000000000001000086ac");
  EXPECT_TRUE(std::equal(data.begin(), data.begin() + 65524, wire.begin() + 12));
}

TEST(Yamux, InboundStreamIsAckedWhenPolled) {
  auto listener = make_yamux(ConnectionRole::kListener);
  ASSERT_TRUE(listener->handle_bytes(hex("000100010000000100000000")).has_value());
  EXPECT_TRUE(take(*listener).empty());
  const auto event = listener->poll_event();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->kind, MuxerEventKind::kInboundStream);
  EXPECT_EQ(event->stream, 1U);
  EXPECT_EQ(to_hex(take(*listener)), "000100020000000100000000");
  // Data on the accepted stream, then FIN on an empty data frame.
  ASSERT_TRUE(listener
                  ->handle_bytes(hex("000000000000000100000003"
                                     "616263"
                                     "000000040000000100000000"))
                  .has_value());
  const auto events = drain(*listener);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].kind, MuxerEventKind::kData);
  EXPECT_EQ(as_chars(events[0].data), "abc");
  EXPECT_EQ(events[1].kind, MuxerEventKind::kRemoteClosed);
  // Our FIN completes the close and frees the stream.
  listener->close_write(1);
  EXPECT_EQ(to_hex(take(*listener)), "000100040000000100000000");
  EXPECT_EQ(listener->stream_count(), 0U);
}

TEST(Yamux, AckRidesOnFirstFrameWhenWrittenBeforePoll) {
  auto listener = make_yamux(ConnectionRole::kListener);
  ASSERT_TRUE(listener->handle_bytes(hex("000100010000000100000000")).has_value());
  ASSERT_TRUE(listener->write(1, as_bytes("z")).has_value());
  EXPECT_EQ(to_hex(take(*listener)),
            "000000020000000100000001"
            "7a");
  (void)drain(*listener);
  EXPECT_TRUE(take(*listener).empty());  // no second ACK
}

TEST(Yamux, PingIsAnsweredWithSameValue) {
  auto listener = make_yamux(ConnectionRole::kListener);
  ASSERT_TRUE(listener->handle_bytes(hex("00020001000000000000002a")).has_value());
  EXPECT_EQ(to_hex(take(*listener)), "00020002000000000000002a");
  // An unrequested ping response is ignored.
  ASSERT_TRUE(listener->handle_bytes(hex("00020002000000000000002a")).has_value());
  EXPECT_TRUE(take(*listener).empty());
}

TEST(Yamux, GoAway) {
  auto dialer = make_yamux(ConnectionRole::kDialer);
  dialer->go_away();
  EXPECT_EQ(to_hex(take(*dialer)), "000300000000000000000000");
  EXPECT_EQ(dialer->open_stream().error().code, Errc::kLimitExceeded);
  // A SYN after our GoAway is refused.
  ASSERT_TRUE(dialer->handle_bytes(hex("000100010000000200000000")).has_value());
  EXPECT_EQ(to_hex(take(*dialer)), "000100080000000200000000");
  EXPECT_FALSE(dialer->poll_event().has_value());

  auto listener = make_yamux(ConnectionRole::kListener);
  EXPECT_FALSE(listener->remote_going_away());
  ASSERT_TRUE(listener->handle_bytes(hex("000300000000000000000000")).has_value());
  EXPECT_TRUE(listener->remote_going_away());
  EXPECT_EQ(listener->open_stream().error().code, Errc::kLimitExceeded);
}

TEST(Yamux, ProtocolErrorsQueueGoAwayAndStick) {
  const auto expect_error = [](ConnectionRole role, std::string_view frame, Errc code) {
    auto mux = make_yamux(role);
    const auto result = mux->handle_bytes(hex(frame));
    ASSERT_FALSE(result.has_value()) << frame;
    EXPECT_EQ(result.error().code, code) << frame;
    EXPECT_EQ(to_hex(take(*mux)), "000300000000000000000001") << frame;
    EXPECT_FALSE(mux->handle_bytes(hex("00020001000000000000002a")).has_value());
    EXPECT_TRUE(take(*mux).empty());
  };
  expect_error(ConnectionRole::kListener, "010100010000000100000000", Errc::kDecode);  // version
  expect_error(ConnectionRole::kListener, "000400000000000000000000", Errc::kDecode);  // type
  expect_error(ConnectionRole::kListener, "000000000000000000000001", Errc::kDecode);  // id 0
  expect_error(ConnectionRole::kListener, "000200010000000100000000", Errc::kDecode);  // ping id
  // The listener's peer must use odd ids, the dialer's even ones.
  expect_error(ConnectionRole::kListener, "000100010000000200000000", Errc::kDecode);
  expect_error(ConnectionRole::kDialer, "000100010000000100000000", Errc::kDecode);
  // A data frame above max_frame_bytes, even for an unknown stream.
  expect_error(ConnectionRole::kListener, "000000000000000700100001", Errc::kTooLarge);
}

TEST(Yamux, ReceiveWindowExceededIsAProtocolError) {
  auto listener = make_yamux(ConnectionRole::kListener);
  // SYN + exactly the window is fine ...
  ASSERT_TRUE(listener->handle_bytes(hex("000000010000000100040000")).has_value());
  ASSERT_TRUE(listener->handle_bytes(Bytes(262144, 0x55)).has_value());
  // ... one more byte (not yet consumed by polling) is not.
  const auto result = listener->handle_bytes(hex("000000000000000100000001"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kLimitExceeded);
  EXPECT_EQ(to_hex(take(*listener)), "000300000000000000000001");
}

TEST(Yamux, WindowUpdateAfterHalfConsumed) {
  for (const bool grow : {true, false}) {
    MuxerLimits limits;
    if (!grow) limits.max_receive_window_bytes = yamux::kInitialWindow;
    auto listener = make_yamux(ConnectionRole::kListener, limits);
    ASSERT_TRUE(listener->handle_bytes(hex("000100010000000100000000")).has_value());
    (void)drain(*listener);
    EXPECT_EQ(to_hex(take(*listener)), "000100020000000100000000");
    // 131071 bytes consumed: below half the window, no update yet.
    ASSERT_TRUE(listener
                    ->handle_bytes(hex("0000000000000001"
                                       "0001ffff"))
                    .has_value());
    ASSERT_TRUE(listener->handle_bytes(Bytes(131071, 1)).has_value());
    (void)drain(*listener);
    EXPECT_TRUE(take(*listener).empty());
    ASSERT_TRUE(listener
                    ->handle_bytes(hex("000000000000000100000001"
                                       "01"))
                    .has_value());
    (void)drain(*listener);
    // Half consumed: the consumed bytes come back, plus the growth 256 KiB -> 512 KiB.
    EXPECT_EQ(to_hex(take(*listener)),
              grow ? "000100000000000100060000" : "000100000000000100020000");
    // The peer may now send 512 KiB (grown) or 256 KiB at once.
    const std::uint32_t window = grow ? 524288 : 262144;
    Bytes frame;
    yamux::append_header(frame, yamux::FrameType::kData, 0, 1, window);
    frame.resize(frame.size() + window, 2);
    ASSERT_TRUE(listener->handle_bytes(frame).has_value());
    EXPECT_FALSE(listener
                     ->handle_bytes(hex("000000000000000100000001"
                                        "01"))
                     .has_value());
  }
}

// Frames that arrive together for one stream come out as one data event; another stream's frame
// in between starts a new one.
TEST(Yamux, ConsecutiveDataForOneStreamIsOneEvent) {
  auto listener = make_yamux(ConnectionRole::kListener);
  // Stream 1 opened (SYN) with "ab", then "cd" and "e" on it, "x" on stream 3 (SYN), "f" on 1.
  const Bytes wire =
      hex("000000010000000100000002"
          "6162"
          "000000000000000100000002"
          "6364"
          "000000000000000100000001"
          "65"
          "000000010000000300000001"
          "78"
          "000000000000000100000001"
          "66");
  ASSERT_TRUE(listener->handle_bytes(wire).has_value());
  std::vector<std::pair<MuxerEventKind, std::string>> events;
  while (auto event = listener->poll_event()) {
    events.emplace_back(event->kind, std::string(event->data.begin(), event->data.end()));
  }
  const std::vector<std::pair<MuxerEventKind, std::string>> expected = {
      {MuxerEventKind::kInboundStream, ""},
      {MuxerEventKind::kData, "abcde"},
      {MuxerEventKind::kInboundStream, ""},
      {MuxerEventKind::kData, "x"},
      {MuxerEventKind::kData, "f"}};
  EXPECT_EQ(events, expected);
}

TEST(Yamux, DataAlternatingBetweenStreamsReservesAtMostTheInputOnce) {
  auto listener = make_yamux(ConnectionRole::kListener);
  // Streams 1 and 3 opened (SYN, one byte each), then 2,000 one-byte frames alternating between
  // them: each is an event of its own, and none may reserve the rest of the input for joining.
  std::string text =
      "000000010000000100000001"
      "61"
      "000000010000000300000001"
      "62";
  for (int i = 0; i < 2000; ++i) {
    text += (i % 2 == 0) ? "000000000000000100000001"
                           "63"
                         : "000000000000000300000001"
                           "64";
  }
  const Bytes wire = hex(text);
  ASSERT_TRUE(listener->handle_bytes(wire).has_value());
  std::size_t data_events = 0;
  std::size_t reserved = 0;
  while (auto event = listener->poll_event()) {
    if (event->kind != MuxerEventKind::kData) continue;
    ++data_events;
    reserved += event->data.capacity();
  }
  EXPECT_EQ(data_events, 2002U);
  EXPECT_LE(reserved, 2 * wire.size());
}

TEST(Yamux, UnknownStreamDataIsDiscarded) {
  auto listener = make_yamux(ConnectionRole::kListener);
  // Data for stream 5 (never opened) in pieces, a window update for it, then a ping.
  const Bytes wire =
      hex("000000000000000500000003616263"
          "000100000000000500001000"
          "00020001000000000000002a");
  for (std::size_t i = 0; i < wire.size(); ++i) {
    ASSERT_TRUE(listener->handle_bytes(ByteView(wire).subspan(i, 1)).has_value());
  }
  EXPECT_FALSE(listener->poll_event().has_value());
  EXPECT_EQ(to_hex(take(*listener)), "00020002000000000000002a");
  EXPECT_EQ(listener->stream_count(), 0U);
}

TEST(Yamux, PairExchangesDataBothWaysOnManyStreams) {
  Rng rng(7);
  Peer dialer(ConnectionRole::kDialer);
  Peer listener(ConnectionRole::kListener);
  std::map<StreamId, Bytes> sent_by_dialer;
  std::map<StreamId, Bytes> sent_by_listener;
  for (int i = 0; i < 3; ++i) {
    const StreamId id = dialer.mux->open_stream().value();
    sent_by_dialer[id] = pattern(300000 + 1000 * i, static_cast<std::uint8_t>(i));
    ASSERT_TRUE(dialer.mux->write(id, sent_by_dialer[id]).has_value());
  }
  for (int i = 0; i < 2; ++i) {
    const StreamId id = listener.mux->open_stream().value();
    sent_by_listener[id] = pattern(5000 + i, static_cast<std::uint8_t>(40 + i));
    ASSERT_TRUE(listener.mux->write(id, sent_by_listener[id]).has_value());
  }
  pump(dialer, listener, rng);
  // Replies on the streams the peer opened, then everyone closes.
  for (const auto& [id, bytes] : sent_by_dialer) {
    ASSERT_TRUE(listener.inbound.contains(id));
    const Bytes reply = pattern(70000, static_cast<std::uint8_t>(id));
    sent_by_listener[id] = reply;
    ASSERT_TRUE(listener.mux->write(id, reply).has_value());
  }
  for (const auto& [id, bytes] : sent_by_listener) {
    if (id % 2 != 0) continue;  // the dialer's own streams
    ASSERT_TRUE(dialer.inbound.contains(id));
    ASSERT_TRUE(dialer.mux->write(id, as_bytes("ok")).has_value());
    sent_by_dialer[id] = to_bytes("ok");
  }
  for (const auto& [id, bytes] : sent_by_dialer) dialer.mux->close_write(id);
  for (const auto& [id, bytes] : sent_by_listener) listener.mux->close_write(id);
  pump(dialer, listener, rng);
  EXPECT_EQ(listener.received, sent_by_dialer);
  EXPECT_EQ(dialer.received, sent_by_listener);
  EXPECT_EQ(dialer.remote_closed.size(), 5U);
  EXPECT_EQ(listener.remote_closed.size(), 5U);
  EXPECT_TRUE(dialer.resets.empty());
  EXPECT_EQ(dialer.mux->stream_count(), 0U);
  EXPECT_EQ(listener.mux->stream_count(), 0U);
}

TEST(Yamux, WindowExhaustionAndResume) {
  Rng rng(3);
  Peer dialer(ConnectionRole::kDialer);
  Peer listener(ConnectionRole::kListener);
  const StreamId id = dialer.mux->open_stream().value();
  const Bytes data = pattern(1 << 20, 9);
  ASSERT_TRUE(dialer.mux->write(id, data).has_value());
  EXPECT_EQ(dialer.mux->pending_write_bytes(id), (1U << 20) - yamux::kInitialWindow);
  // The listener does not read: only the initial window crosses, the rest waits.
  deliver(dialer, listener, rng);
  deliver(listener, dialer, rng);
  EXPECT_TRUE(take(*dialer.mux).empty());
  EXPECT_EQ(dialer.mux->pending_write_bytes(id), (1U << 20) - yamux::kInitialWindow);
  // Reading releases window updates, and the writer resumes until all has crossed.
  pump(dialer, listener, rng);
  EXPECT_EQ(dialer.mux->pending_write_bytes(id), 0U);
  EXPECT_EQ(listener.received[id], data);
}

TEST(Yamux, CloseWaitsForBufferedDataBeforeFin) {
  Rng rng(5);
  Peer dialer(ConnectionRole::kDialer);
  Peer listener(ConnectionRole::kListener);
  const StreamId id = dialer.mux->open_stream().value();
  const Bytes data = pattern(600000, 2);
  ASSERT_TRUE(dialer.mux->write(id, data).has_value());
  dialer.mux->close_write(id);
  deliver(dialer, listener, rng);
  listener.poll();
  EXPECT_FALSE(listener.remote_closed.contains(id));  // FIN still behind the window
  pump(dialer, listener, rng);
  EXPECT_TRUE(listener.remote_closed.contains(id));
  EXPECT_EQ(listener.received[id], data);
  listener.mux->close_write(id);
  pump(dialer, listener, rng);
  EXPECT_EQ(dialer.mux->stream_count(), 0U);
  EXPECT_EQ(listener.mux->stream_count(), 0U);
}

TEST(Yamux, WriteBufferLimit) {
  MuxerLimits limits;
  limits.max_write_buffer_bytes = 1000;
  auto dialer = make_yamux(ConnectionRole::kDialer, limits);
  const StreamId id = dialer->open_stream().value();
  (void)take(*dialer);
  ASSERT_TRUE(dialer->write(id, Bytes(yamux::kInitialWindow, 1)).has_value());  // all sent
  EXPECT_EQ(dialer->pending_write_bytes(id), 0U);
  (void)take(*dialer);
  const auto full = dialer->write(id, Bytes(1001, 1));
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error().code, Errc::kQueueFull);
  EXPECT_TRUE(take(*dialer).empty());
  ASSERT_TRUE(dialer->write(id, Bytes(1000, 1)).has_value());
  EXPECT_EQ(dialer->pending_write_bytes(id), 1000U);
  EXPECT_EQ(dialer->write(id, Bytes(1, 1)).error().code, Errc::kQueueFull);
  // A window update of 600 sends 600; 600 more fit again.
  ASSERT_TRUE(dialer->handle_bytes(hex("000100000000000100000258")).has_value());
  EXPECT_EQ(take(*dialer).size(), 12U + 600U);
  EXPECT_EQ(dialer->pending_write_bytes(id), 400U);
  ASSERT_TRUE(dialer->write(id, Bytes(600, 1)).has_value());
  EXPECT_EQ(dialer->write(id, Bytes(1, 1)).error().code, Errc::kQueueFull);
}

TEST(Yamux, InboundStreamLimitResetsFurtherSyns) {
  Rng rng(1);
  MuxerLimits limits;
  limits.max_inbound_streams = 2;
  Peer dialer(ConnectionRole::kDialer);
  Peer listener(ConnectionRole::kListener, limits);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(dialer.mux->open_stream().has_value());
  deliver(dialer, listener, rng);
  listener.poll();
  const Bytes reply = take(*listener.mux);
  // RST for 5 (at SYN time), then the ACKs for 1 and 3 (at poll time).
  EXPECT_EQ(to_hex(reply),
            "000100080000000500000000"
            "000100020000000100000000"
            "000100020000000300000000");
  EXPECT_EQ(listener.inbound, (std::set<StreamId>{1, 3}));
  ASSERT_TRUE(dialer.mux->handle_bytes(reply).has_value());
  dialer.poll();
  EXPECT_EQ(dialer.resets, (std::set<StreamId>{5}));
  EXPECT_EQ(dialer.mux->stream_count(), 2U);
  // Once one closes, a new stream fits.
  dialer.mux->reset(1);
  ASSERT_TRUE(dialer.mux->open_stream().has_value());
  pump(dialer, listener, rng);
  EXPECT_EQ(listener.inbound, (std::set<StreamId>{1, 3, 7}));
  EXPECT_EQ(listener.resets, (std::set<StreamId>{1}));
  EXPECT_EQ(listener.mux->stream_count(), 2U);
}

TEST(Yamux, UnackedBacklogLimit) {
  MuxerLimits limits;
  limits.max_unacked_inbound = 1;
  auto listener = make_yamux(ConnectionRole::kListener, limits);
  ASSERT_TRUE(listener->handle_bytes(hex("000100010000000100000000")).has_value());
  ASSERT_TRUE(listener->handle_bytes(hex("000100010000000300000000")).has_value());
  EXPECT_EQ(to_hex(take(*listener)), "000100080000000300000000");
  (void)drain(*listener);  // accepts 1
  (void)take(*listener);
  ASSERT_TRUE(listener->handle_bytes(hex("000100010000000500000000")).has_value());
  EXPECT_TRUE(take(*listener).empty());
  EXPECT_EQ(listener->stream_count(), 2U);
}

TEST(Yamux, OutboundStreamLimit) {
  MuxerLimits limits;
  limits.max_outbound_streams = 2;
  auto dialer = make_yamux(ConnectionRole::kDialer, limits);
  ASSERT_TRUE(dialer->open_stream().has_value());
  ASSERT_TRUE(dialer->open_stream().has_value());
  EXPECT_EQ(dialer->open_stream().error().code, Errc::kLimitExceeded);
  dialer->reset(3);
  EXPECT_EQ(dialer->open_stream().value(), 5U);
}

TEST(Yamux, ResetByPeerFreesStream) {
  Rng rng(2);
  Peer dialer(ConnectionRole::kDialer);
  Peer listener(ConnectionRole::kListener);
  const StreamId id = dialer.mux->open_stream().value();
  ASSERT_TRUE(dialer.mux->write(id, as_bytes("hello")).has_value());
  pump(dialer, listener, rng);
  listener.mux->reset(id);
  EXPECT_EQ(listener.mux->stream_count(), 0U);
  pump(dialer, listener, rng);
  EXPECT_EQ(dialer.resets, (std::set<StreamId>{id}));
  EXPECT_EQ(dialer.mux->stream_count(), 0U);
  EXPECT_EQ(dialer.mux->write(id, as_bytes("late")).error().code, Errc::kNotFound);
}

TEST(Yamux, ManyShortStreamsDoNotLeak) {
  Rng rng(11);
  Peer dialer(ConnectionRole::kDialer);
  Peer listener(ConnectionRole::kListener);
  for (int i = 0; i < 1000; ++i) {
    const StreamId id = dialer.mux->open_stream().value();
    ASSERT_TRUE(dialer.mux->write(id, as_bytes("req")).has_value());
    dialer.mux->close_write(id);
    pump(dialer, listener, rng);
    ASSERT_TRUE(listener.mux->write(id, as_bytes("resp")).has_value());
    if (i % 2 == 0) {
      listener.mux->close_write(id);
    } else {
      listener.mux->reset(id);
    }
    pump(dialer, listener, rng);
  }
  EXPECT_EQ(dialer.mux->stream_count(), 0U);
  EXPECT_EQ(listener.mux->stream_count(), 0U);
  EXPECT_EQ(listener.inbound.size(), 1000U);
  EXPECT_EQ(dialer.resets.size(), 500U);
}

}  // namespace
}  // namespace waku::p2p
