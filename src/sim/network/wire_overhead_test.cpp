#include "sim/network/wire_overhead.hpp"

#include <gtest/gtest.h>

namespace waku::sim {
namespace {

// Every expected value below is worked out by hand from the default stack: varint prefix, yamux
// 12 B per frame (max 262,144 B payload), Noise 16 + 2 B per message (max 65,519 B plaintext),
// MSS 1,448 B, 52 B of IPv4 + TCP + timestamps per segment, one ACK per two segments.

TEST(WireCost, SmallFrameIsOneSegment) {
  // 100 + 1 (varint) + 12 (yamux) + 18 (Noise) = 131 B in one segment: 131 + 52 = 183 B.
  const WireCost cost = wire_cost(100);
  EXPECT_EQ(cost.segments, 1u);
  EXPECT_EQ(cost.sender_bytes, 183u);
  EXPECT_EQ(cost.receiver_bytes, 52u);  // a lone segment is still acknowledged (delayed ACK)
}

TEST(WireCost, TwoSegmentFrame) {
  // 2,100 + 2 (varint: 2,100 >= 128) + 12 + 18 = 2,132 B = 2 segments of <= 1,448 B:
  // 2,132 + 2 * 52 = 2,236 B; one ACK for the pair.
  const WireCost cost = wire_cost(2100);
  EXPECT_EQ(cost.segments, 2u);
  EXPECT_EQ(cost.sender_bytes, 2236u);
  EXPECT_EQ(cost.receiver_bytes, 52u);
}

TEST(WireCost, MaximumWakuMessageNeedsThreeNoiseMessages) {
  // 153,600 + 3 (varint: < 2^21) + 12 = 153,615 B of plaintext: ceil(153,615 / 65,519) = 3 Noise
  // messages, + 54 B = 153,669 B; ceil(153,669 / 1,448) = 107 segments (106 * 1,448 = 153,488).
  // Sender: 153,669 + 107 * 52 = 159,233 B. ACKs: ceil(107 / 2) = 54, 54 * 52 = 2,808 B.
  const WireCost cost = wire_cost(153'600);
  EXPECT_EQ(cost.segments, 107u);
  EXPECT_EQ(cost.sender_bytes, 159'233u);
  EXPECT_EQ(cost.receiver_bytes, 2'808u);
}

TEST(WireCost, FrameAboveYamuxWindowIsSplit) {
  // 300,000 + 3 = 300,003 stream bytes: yamux frames of 262,144 and 37,859 B.
  // Frame 1: 262,156 B with header -> ceil(262,156 / 65,519) = 5 Noise messages (4 hold 262,076).
  // Frame 2: 37,871 B -> 1 Noise message. Noise total: 300,003 + 24 + 6 * 18 = 300,135 B.
  // Segments: ceil(300,135 / 1,448) = 208; sender 300,135 + 208 * 52 = 310,951 B; 104 ACKs.
  const WireCost cost = wire_cost(300'000);
  EXPECT_EQ(cost.segments, 208u);
  EXPECT_EQ(cost.sender_bytes, 310'951u);
  EXPECT_EQ(cost.receiver_bytes, 104u * 52u);
}

TEST(WireCost, StackParametersAreHonoured) {
  WireStack stack;
  stack.segments_per_ack = 0;  // do not count ACKs
  stack.mss_bytes = 536;       // the IPv4 default MSS
  stack.tcp_ip_header_bytes = 40;
  // 1,000 + 2 + 12 + 18 = 1,032 B -> ceil(1,032 / 536) = 2 segments, + 80 B = 1,112 B.
  const WireCost cost = wire_cost(1000, stack);
  EXPECT_EQ(cost.segments, 2u);
  EXPECT_EQ(cost.sender_bytes, 1112u);
  EXPECT_EQ(cost.receiver_bytes, 0u);

  WireStack one_ack_per_segment;
  one_ack_per_segment.segments_per_ack = 1;
  EXPECT_EQ(wire_cost(2100, one_ack_per_segment).receiver_bytes, 104u);
}

TEST(WireCost, EmptyFrameStillCostsItsFraming) {
  // 0 + 1 + 12 + 18 = 31 B + 52 B header.
  const WireCost cost = wire_cost(0);
  EXPECT_EQ(cost.segments, 1u);
  EXPECT_EQ(cost.sender_bytes, 83u);
}

TEST(WireCost, ZeroLimitsMeanUnlimited) {
  WireStack stack;
  stack.yamux_max_frame_bytes = 0;
  stack.noise_max_message_bytes = 0;
  // 300,003 + 12 + 18 = 300,033 B; ceil(300,033 / 1,448) = 208 segments.
  const WireCost cost = wire_cost(300'000, stack);
  EXPECT_EQ(cost.segments, 208u);
  EXPECT_EQ(cost.sender_bytes, 300'033u + 208u * 52u);
}

}  // namespace
}  // namespace waku::sim
