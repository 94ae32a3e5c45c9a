#include "waku/codec/gossipsub_codec.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "waku/base/rng.hpp"
#include "waku/codec/length_prefixed.hpp"
#include "waku/codec/waku_message_codec.hpp"
#include "waku/crypto/sha256.hpp"

#if __has_include("gossipsub_rpc.pb.h")
#include "gossipsub_rpc.pb.h"
#else
#include "proto/gossipsub_rpc.pb.h"
#endif

namespace waku::codec {
namespace {

using relay::MessageId;
using relay::Rpc;

// --- helpers ---

void put(Bytes& out, std::initializer_list<std::uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}
void put(Bytes& out, std::string_view text) {
  const auto view = as_bytes(text);
  out.insert(out.end(), view.begin(), view.end());
}
void put(Bytes& out, ByteView bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

MessageId id_of(std::uint8_t fill) {
  MessageId id;
  id.bytes.fill(fill);
  return id;
}

std::string as_string(ByteView bytes) { return std::string(as_chars(bytes)); }

// A WakuMessage in the canonical encoding of encode_waku_message.
SharedBytes waku_data(std::string_view payload, std::string_view content_topic) {
  message::WakuMessage m;
  m.payload = to_bytes(payload);
  m.content_topic = std::string(content_topic);
  return SharedBytes(encode_waku_message(m));
}

// Equality of decoded RPCs: messages compare by topic, data, id, decoded and the author flag.
void expect_same_rpc(const Rpc& a, const Rpc& b) {
  EXPECT_EQ(a.subscriptions, b.subscriptions);
  ASSERT_EQ(a.publish.size(), b.publish.size());
  for (std::size_t i = 0; i < a.publish.size(); ++i) {
    EXPECT_EQ(a.publish[i]->topic, b.publish[i]->topic) << i;
    EXPECT_EQ(a.publish[i]->data, b.publish[i]->data) << i;
    EXPECT_EQ(a.publish[i]->id, b.publish[i]->id) << i;
    EXPECT_EQ(a.publish[i]->decoded, b.publish[i]->decoded) << i;
    EXPECT_EQ(a.publish[i]->has_author_fields, b.publish[i]->has_author_fields) << i;
  }
  EXPECT_EQ(a.control, b.control);
}

Rpc decode_ok(ByteView frame, const RpcLimits& limits = {}, RpcDecodeReport* report = nullptr) {
  auto rpc = decode_rpc(frame, limits, report);
  EXPECT_TRUE(rpc.has_value()) << (rpc.has_value() ? "" : rpc.error().message());
  return rpc.has_value() ? std::move(rpc).value() : Rpc{};
}

// The protobuf runtime's serialisation of the same RPC, built field by field with the generated
// classes: an independent check of the hand-written encoder.
Bytes protobuf_encode(const Rpc& rpc) {
  pb::RPC wire;
  for (const auto& sub : rpc.subscriptions) {
    auto* s = wire.add_subscriptions();
    s->set_subscribe(sub.subscribe);
    s->set_topicid(sub.topic);
  }
  for (const auto& m : rpc.publish) {
    auto* p = wire.add_publish();
    p->set_data(as_string(m->data.view()));
    p->set_topic(m->topic);
  }
  if (!rpc.control.empty()) {
    auto* c = wire.mutable_control();
    for (const auto& e : rpc.control.ihave) {
      auto* x = c->add_ihave();
      x->set_topicid(e.topic);
      for (const auto& id : e.ids) x->add_messageids(as_string(id.bytes));
    }
    for (const auto& e : rpc.control.iwant) {
      auto* x = c->add_iwant();
      for (const auto& id : e.ids) x->add_messageids(as_string(id.bytes));
    }
    for (const auto& e : rpc.control.graft) c->add_graft()->set_topicid(e.topic);
    for (const auto& e : rpc.control.prune) {
      auto* x = c->add_prune();
      x->set_topicid(e.topic);
      for (const auto& peer : e.peers) {
        auto* info = x->add_peers();
        info->set_peerid(as_string(peer.peer_id));
        if (!peer.signed_peer_record.empty()) {
          info->set_signedpeerrecord(as_string(peer.signed_peer_record));
        }
      }
      if (e.backoff_seconds) x->set_backoff(*e.backoff_seconds);
    }
    for (const auto& e : rpc.control.idontwant) {
      auto* x = c->add_idontwant();
      for (const auto& id : e.ids) x->add_messageids(as_string(id.bytes));
    }
  }
  const std::string out = wire.SerializeAsString();
  return to_bytes(out);
}

// --- exact bytes ---

TEST(GossipsubCodec, EncodesSmallRpcToExactBytes) {
  // WakuMessage{payload "x", content_topic "c"}: 0a 01 78 12 01 63.
  const Bytes data = {0x0a, 0x01, 0x78, 0x12, 0x01, 0x63};
  Rpc rpc;
  rpc.subscriptions.push_back({true, "/waku/2/rs/16/32"});
  rpc.publish.push_back(make_relay_message("t", SharedBytes(data)));

  Bytes expected;
  // RPC.subscriptions (1, LEN): 20-byte SubOpts {subscribe (1) = 1, topicid (2) = 16 bytes}.
  put(expected, {0x0a, 0x14, 0x08, 0x01, 0x12, 0x10});
  put(expected, "/waku/2/rs/16/32");
  // RPC.publish (2, LEN): 11-byte Message {data (2) = 6 bytes, topic (4) = "t"}.
  put(expected, {0x12, 0x0b, 0x12, 0x06, 0x0a, 0x01, 0x78, 0x12, 0x01, 0x63, 0x22, 0x01, 0x74});

  EXPECT_EQ(encode_rpc(rpc), expected);
  EXPECT_EQ(encoded_rpc_size(rpc), 35U);
  const auto breakdown = rpc_size_breakdown(rpc);
  EXPECT_EQ(breakdown.subscriptions, 22U);
  EXPECT_EQ(breakdown.messages, 13U);
  EXPECT_EQ(breakdown.other, 0U);
  EXPECT_EQ(breakdown.total(), 35U);

  const Rpc decoded = decode_ok(expected);
  ASSERT_EQ(decoded.publish.size(), 1U);
  const auto& m = *decoded.publish[0];
  EXPECT_EQ(m.topic, "t");
  EXPECT_EQ(m.data.view().size(), 6U);
  EXPECT_EQ(m.id.bytes, crypto::sha256(data));
  ASSERT_TRUE(m.decoded.has_value());
  EXPECT_EQ(m.decoded->payload, to_bytes("x"));
  EXPECT_EQ(m.decoded->content_topic, "c");
  EXPECT_FALSE(m.has_author_fields);
  EXPECT_EQ(decoded.subscriptions, rpc.subscriptions);
}

TEST(GossipsubCodec, EncodesControlToExactBytes) {
  Rpc rpc;
  rpc.control.ihave.push_back({"g", {id_of(0xab)}});
  rpc.control.graft.push_back({"g"});
  rpc.control.prune.push_back({"g", {}, 60});

  Bytes expected;
  // RPC.control (3, LEN) of 39 + 5 + 7 = 51 bytes.
  put(expected, {0x1a, 0x33});
  // ihave (1): 37-byte body {topicID (1) = "g", messageIDs (2) = 32 bytes}.
  put(expected, {0x0a, 0x25, 0x0a, 0x01, 0x67, 0x12, 0x20});
  put(expected, id_of(0xab).bytes);
  // graft (3): {topicID = "g"}.
  put(expected, {0x1a, 0x03, 0x0a, 0x01, 0x67});
  // prune (4): {topicID = "g", backoff (3, varint) = 60}.
  put(expected, {0x22, 0x05, 0x0a, 0x01, 0x67, 0x18, 0x3c});

  EXPECT_EQ(encode_rpc(rpc), expected);
  const auto breakdown = rpc_size_breakdown(rpc);
  EXPECT_EQ(breakdown.ihave, 39U);
  EXPECT_EQ(breakdown.graft_prune, 12U);
  EXPECT_EQ(breakdown.other, 2U);
  EXPECT_EQ(breakdown.total(), expected.size());
  EXPECT_EQ(decode_ok(expected).control, rpc.control);
}

TEST(GossipsubCodec, EmptyRpcIsEmptyFrame) {
  EXPECT_TRUE(encode_rpc(Rpc{}).empty());
  EXPECT_EQ(encoded_rpc_size(Rpc{}), 0U);
  EXPECT_TRUE(decode_ok(Bytes{}).empty());
}

// --- round trips ---

TEST(GossipsubCodec, RoundTripsEveryFieldKind) {
  Rpc rpc;
  rpc.subscriptions = {{true, "/waku/2/rs/16/32"}, {false, "/waku/2/rs/16/64"}, {true, ""}};
  rpc.publish.push_back(
      make_relay_message("/waku/2/rs/16/32", waku_data("hello", "/app/1/a/proto")));
  rpc.publish.push_back(make_relay_message("/waku/2/rs/16/64", SharedBytes(Bytes{0xff, 0x00})));
  rpc.publish.push_back(make_relay_message("", SharedBytes(Bytes{})));
  rpc.control.ihave = {{"/waku/2/rs/16/32", {id_of(1), id_of(2)}}, {"", {}}};
  rpc.control.iwant = {{{id_of(3)}}, {{}}};
  rpc.control.graft = {{"/waku/2/rs/16/32"}, {""}};
  rpc.control.prune = {
      {"/waku/2/rs/16/64",
       {{to_bytes("peer-a"), to_bytes("record-a")}, {to_bytes("peer-b"), {}}, {{}, {}}},
       60},
      {"x", {}, std::nullopt},
      {"y", {}, 0xffff'ffff'ffff'ffffULL}};
  rpc.control.idontwant = {{{id_of(4), id_of(5), id_of(6)}}};

  const Bytes frame = encode_rpc(rpc);
  EXPECT_EQ(frame, protobuf_encode(rpc));
  EXPECT_EQ(encoded_rpc_size(rpc), frame.size());
  RpcDecodeReport report;
  const Rpc decoded = decode_ok(frame, {}, &report);
  EXPECT_EQ(report.total(), 0U);
  expect_same_rpc(decoded, rpc);
  EXPECT_FALSE(decoded.publish[1]->decoded.has_value());
  EXPECT_EQ(decoded.control.prune[2].backoff_seconds, 0xffff'ffff'ffff'ffffULL);
  // Same RPC, same bytes.
  EXPECT_EQ(encode_rpc(decoded), frame);
}

Rpc random_rpc(Rng& rng) {
  const auto small = [&](std::uint64_t bound) {
    return static_cast<std::size_t>(rng.uniform(bound));
  };
  const auto random_bytes = [&](std::size_t n) {
    Bytes out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(rng.next_u64());
    return out;
  };
  const auto random_text = [&](std::size_t n) { return as_string(random_bytes(n)); };
  // Lengths cross the one-/two-/three-byte varint boundaries now and then.
  const auto length = [&]() {
    switch (rng.uniform(4)) {
      case 0: return small(4);
      case 1: return small(130);
      case 2: return small(300);
      default: return rng.bernoulli(0.1) ? 16380 + small(10) : small(40);
    }
  };
  const auto random_ids = [&]() {
    std::vector<MessageId> ids(small(rng.bernoulli(0.1) ? 200 : 6));
    for (auto& id : ids) id = id_of(static_cast<std::uint8_t>(rng.next_u64()));
    return ids;
  };

  Rpc rpc;
  for (std::size_t i = small(4); i > 0; --i)
    rpc.subscriptions.push_back({rng.bernoulli(0.5), random_text(length())});
  for (std::size_t i = small(4); i > 0; --i) {
    SharedBytes data = rng.bernoulli(0.5) ? waku_data(random_text(length()), random_text(small(30)))
                                          : SharedBytes(random_bytes(length()));
    rpc.publish.push_back(make_relay_message(random_text(length()), std::move(data)));
  }
  for (std::size_t i = small(3); i > 0; --i)
    rpc.control.ihave.push_back({random_text(length()), random_ids()});
  for (std::size_t i = small(3); i > 0; --i) rpc.control.iwant.push_back({random_ids()});
  for (std::size_t i = small(3); i > 0; --i) rpc.control.graft.push_back({random_text(length())});
  for (std::size_t i = small(3); i > 0; --i) {
    relay::Prune prune{random_text(length()), {}, std::nullopt};
    for (std::size_t p = small(4); p > 0; --p) {
      prune.peers.push_back(
          {random_bytes(small(40)), random_bytes(rng.bernoulli(0.5) ? 0 : length())});
    }
    if (rng.bernoulli(0.5)) prune.backoff_seconds = rng.next_u64() >> rng.uniform(64);
    rpc.control.prune.push_back(std::move(prune));
  }
  for (std::size_t i = small(3); i > 0; --i) rpc.control.idontwant.push_back({random_ids()});
  return rpc;
}

TEST(GossipsubCodec, EncodedSizeMatchesEncodingOnRandomRpcs) {
  Rng rng(0x5eed'6055'1b5bULL);
  RpcLimits limits;
  limits.max_frame_bytes = 1U << 24U;
  limits.max_message_size_bytes = 1U << 20U;
  for (int i = 0; i < 300; ++i) {
    const Rpc rpc = random_rpc(rng);
    const Bytes frame = encode_rpc(rpc);
    ASSERT_EQ(encoded_rpc_size(rpc), frame.size()) << "rpc " << i;
    ASSERT_EQ(rpc_size_breakdown(rpc).total(), frame.size()) << "rpc " << i;
    ASSERT_EQ(frame, protobuf_encode(rpc)) << "rpc " << i;
    // The framed form appends to what is already there: prefix bytes, then uvarint length.
    Bytes framed = {0xaa};
    append_rpc_frame(framed, rpc);
    Bytes expected = {0xaa};
    append_length_prefixed(expected, frame);
    ASSERT_EQ(framed, expected) << "rpc " << i;
    RpcDecodeReport report;
    const Rpc decoded = decode_ok(frame, limits, &report);
    EXPECT_EQ(report.total(), 0U);
    expect_same_rpc(decoded, rpc);
  }
}

// --- StrictNoSign ---

TEST(GossipsubCodec, FlagsAuthorFieldsAndNeverWritesThem) {
  const auto set_from = [](pb::PubsubMessage& m) { m.set_from("peer"); };
  const auto set_seqno = [](pb::PubsubMessage& m) { m.set_seqno(std::string(8, '\0')); };
  const auto set_signature = [](pb::PubsubMessage& m) { m.set_signature("sig"); };
  // Empty but present is still present: StrictNoSign requires absence.
  const auto set_key = [](pb::PubsubMessage& m) { m.set_key(""); };
  const std::vector<void (*)(pb::PubsubMessage&)> setters = {set_from, set_seqno, set_signature,
                                                             set_key};
  for (std::size_t i = 0; i < setters.size(); ++i) {
    pb::RPC wire;
    auto* m = wire.add_publish();
    m->set_data(as_string(waku_data("p", "/a/1/b/proto").view()));
    m->set_topic("/waku/2/rs/16/32");
    setters[i](*m);
    const Bytes frame = to_bytes(wire.SerializeAsString());

    RpcDecodeReport report;
    const Rpc rpc = decode_ok(frame, {}, &report);
    ASSERT_EQ(rpc.publish.size(), 1U) << i;  // kept, so that the router can penalise the sender
    EXPECT_TRUE(rpc.publish[0]->has_author_fields) << i;
    EXPECT_TRUE(rpc.publish[0]->decoded.has_value()) << i;
    EXPECT_EQ(report.total(), 0U);

    pb::RPC reencoded;
    const Bytes out = encode_rpc(rpc);
    ASSERT_TRUE(reencoded.ParseFromArray(out.data(), static_cast<int>(out.size())));
    ASSERT_EQ(reencoded.publish_size(), 1);
    const auto& r = reencoded.publish(0);
    EXPECT_FALSE(r.has_from() || r.has_seqno() || r.has_signature() || r.has_key()) << i;
    EXPECT_TRUE(r.has_data() && r.has_topic());
    EXPECT_EQ(r.data(), m->data());
  }
}

// --- limits ---

TEST(GossipsubCodec, RejectsOversizeFrameBeforeParsing) {
  Rpc rpc;
  rpc.subscriptions.push_back({true, "/waku/2/rs/16/32"});
  const Bytes frame = encode_rpc(rpc);
  RpcLimits limits;
  limits.max_frame_bytes = frame.size();
  EXPECT_TRUE(decode_rpc(frame, limits).has_value());
  limits.max_frame_bytes = frame.size() - 1;
  const auto result = decode_rpc(frame, limits);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kTooLarge);

  // The default limit: 150 KiB + 64 KiB, however the bytes look.
  const Bytes huge(message::kMaxMessageSizeBytes + 64 * 1024 + 1, 0x00);
  const auto huge_result = decode_rpc(huge, RpcLimits{});
  ASSERT_FALSE(huge_result.has_value());
  EXPECT_EQ(huge_result.error().code, Errc::kTooLarge);
}

TEST(GossipsubCodec, RejectsMalformedProtobuf) {
  const std::vector<Bytes> frames = {
      {0x0a, 0x05, 0x08},        // length beyond the end
      {0x12},                    // tag without a value
      {0x0f, 0x00},              // wire type 7
      {0x1a, 0x02, 0x0a, 0x7f},  // control whose ihave runs past its parent
      {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},  // 11-byte varint
  };
  for (const auto& frame : frames) {
    const auto result = decode_rpc(frame, RpcLimits{});
    ASSERT_FALSE(result.has_value()) << to_hex(frame);
    EXPECT_EQ(result.error().code, Errc::kDecode) << to_hex(frame);
  }
}

TEST(GossipsubCodec, DropsOversizeAndIncompleteMessages) {
  RpcLimits limits;
  limits.max_message_size_bytes = 8;
  pb::RPC wire;
  const auto add = [&](std::string data, std::string topic) {
    auto* m = wire.add_publish();
    m->set_data(std::move(data));
    m->set_topic(std::move(topic));
    return m;
  };
  add(std::string(8, 'a'), "t");  // exactly the limit: kept
  add(std::string(9, 'b'), "t");  // over: dropped
  add("c", "t")->clear_topic();   // no topic: dropped
  add("d", "t")->clear_data();    // no data: dropped
  add("", "t");                   // empty but present: kept
  const Bytes frame = to_bytes(wire.SerializeAsString());

  RpcDecodeReport report;
  const Rpc rpc = decode_ok(frame, limits, &report);
  ASSERT_EQ(rpc.publish.size(), 2U);
  EXPECT_EQ(rpc.publish[0]->data, SharedBytes(to_bytes(std::string(8, 'a'))));
  EXPECT_TRUE(rpc.publish[1]->data.empty());
  EXPECT_EQ(rpc.publish[1]->id.bytes, crypto::sha256({}));
  EXPECT_EQ(report.messages_dropped, 3U);
  EXPECT_EQ(report.total(), 3U);
}

TEST(GossipsubCodec, CutsTenThousandIHaveIdsToTheLimit) {
  Rpc rpc;
  relay::IHave ihave{"/waku/2/rs/16/32", {}};
  for (std::uint32_t i = 0; i < 10'000; ++i) {
    MessageId id;
    id.bytes[0] = static_cast<std::uint8_t>(i >> 8U);
    id.bytes[1] = static_cast<std::uint8_t>(i);
    ihave.ids.push_back(id);
  }
  rpc.control.ihave.push_back(ihave);
  const Bytes frame = encode_rpc(rpc);
  // control and ihave headers (4 bytes each), the topic field, 34 bytes per id: larger than the
  // default frame limit, so this peer's node would have to allow 1 MiB frames to get here.
  ASSERT_EQ(frame.size(), 4 + 4 + 18 + 10'000U * 34);
  EXPECT_FALSE(decode_rpc(frame, RpcLimits{}).has_value());
  RpcLimits limits;
  limits.max_frame_bytes = 1U << 20U;

  RpcDecodeReport report;
  const Rpc decoded = decode_ok(frame, limits, &report);
  ASSERT_EQ(decoded.control.ihave.size(), 1U);
  const auto& kept = decoded.control.ihave[0].ids;
  ASSERT_EQ(kept.size(), 5000U);
  EXPECT_TRUE(std::equal(kept.begin(), kept.end(), ihave.ids.begin()));  // the first 5000
  EXPECT_EQ(report.ids_dropped, 5000U);
  EXPECT_EQ(report.entries_dropped, 0U);
}

TEST(GossipsubCodec, EnforcesEntrySubscriptionAndPxLimits) {
  RpcLimits limits;
  limits.max_control_entries = 4;
  limits.max_subscriptions = 2;
  limits.max_px_peers = 1;
  limits.max_ids_per_control = 2;

  Rpc rpc;
  rpc.subscriptions = {{true, "a"}, {true, "b"}, {false, "c"}};
  rpc.control.ihave = {{"a", {id_of(1), id_of(2), id_of(3)}}};
  rpc.control.iwant = {{{id_of(4)}}};
  rpc.control.graft = {{"a"}, {"b"}};
  rpc.control.prune = {{"c", {{to_bytes("p1"), {}}, {to_bytes("p2"), {}}}, 10}};
  rpc.control.idontwant = {{{id_of(5)}}};

  RpcDecodeReport report;
  const Rpc decoded = decode_ok(encode_rpc(rpc), limits, &report);
  EXPECT_EQ(decoded.subscriptions, (std::vector<relay::Subscription>{{true, "a"}, {true, "b"}}));
  // The entry budget is spent in field order: ihave, iwant, graft, then nothing is left.
  ASSERT_EQ(decoded.control.ihave.size(), 1U);
  EXPECT_EQ(decoded.control.ihave[0].ids, (std::vector<MessageId>{id_of(1), id_of(2)}));
  EXPECT_EQ(decoded.control.iwant.size(), 1U);
  EXPECT_EQ(decoded.control.graft.size(), 2U);
  EXPECT_TRUE(decoded.control.prune.empty());
  EXPECT_TRUE(decoded.control.idontwant.empty());
  EXPECT_EQ(report.subscriptions_dropped, 1U);
  EXPECT_EQ(report.entries_dropped, 2U);
  EXPECT_EQ(report.ids_dropped, 1U);

  // PX records are cut per PRUNE.
  Rpc prune_only;
  prune_only.control.prune = rpc.control.prune;
  RpcDecodeReport px_report;
  const Rpc px = decode_ok(encode_rpc(prune_only), limits, &px_report);
  ASSERT_EQ(px.control.prune.size(), 1U);
  EXPECT_EQ(px.control.prune[0].peers, (std::vector<relay::PxPeer>{{to_bytes("p1"), {}}}));
  EXPECT_EQ(px.control.prune[0].backoff_seconds, 10U);
  EXPECT_EQ(px_report.px_peers_dropped, 1U);
}

TEST(GossipsubCodec, DropsIdsThatAreNotThirtyTwoBytes) {
  pb::RPC wire;
  auto* control = wire.mutable_control();
  auto* ihave = control->add_ihave();
  ihave->set_topicid("t");
  ihave->add_messageids(std::string(31, 'a'));
  ihave->add_messageids(std::string(32, 'b'));
  ihave->add_messageids(std::string(33, 'c'));
  ihave->add_messageids("");
  auto* iwant = control->add_iwant();
  iwant->add_messageids(std::string(20, 'd'));  // an Ethereum-style 20-byte id
  iwant->add_messageids(std::string(32, 'e'));
  control->add_idontwant()->add_messageids(std::string(64, 'f'));
  const Bytes frame = to_bytes(wire.SerializeAsString());

  RpcDecodeReport report;
  const Rpc rpc = decode_ok(frame, {}, &report);
  ASSERT_EQ(rpc.control.ihave.size(), 1U);
  EXPECT_EQ(rpc.control.ihave[0].ids, std::vector<MessageId>{id_of('b')});
  ASSERT_EQ(rpc.control.iwant.size(), 1U);
  EXPECT_EQ(rpc.control.iwant[0].ids, std::vector<MessageId>{id_of('e')});
  ASSERT_EQ(rpc.control.idontwant.size(), 1U);  // the entry stays, empty
  EXPECT_TRUE(rpc.control.idontwant[0].ids.empty());
  EXPECT_EQ(report.ids_dropped, 5U);
  EXPECT_EQ(report.entries_dropped, 0U);
}

// --- message data ---

TEST(GossipsubCodec, KeepsMessageWhoseDataIsNotAWakuMessage) {
  // 0a 05 "ab": payload claims 5 bytes but only 2 follow.
  const Bytes data = {0x0a, 0x05, 0x61, 0x62};
  Rpc rpc;
  rpc.publish.push_back(make_relay_message("/waku/2/rs/16/32", SharedBytes(data)));
  EXPECT_FALSE(rpc.publish[0]->decoded.has_value());

  const Rpc decoded = decode_ok(encode_rpc(rpc));
  ASSERT_EQ(decoded.publish.size(), 1U);
  EXPECT_FALSE(decoded.publish[0]->decoded.has_value());
  EXPECT_EQ(decoded.publish[0]->data, SharedBytes(data));
  EXPECT_EQ(decoded.publish[0]->id.bytes, crypto::sha256(data));
}

TEST(GossipsubCodec, ForwardsNonCanonicalWakuMessageVerbatim) {
  // version=0 written explicitly (as nwaku does) and content_topic (2) before payload (1).
  const Bytes data = {0x18, 0x00, 0x12, 0x01, 0x63, 0x0a, 0x01, 0x78};
  Bytes frame;
  put(frame, {0x12, 0x0d, 0x22, 0x01, 0x74, 0x12, 0x08});  // topic before data, too
  put(frame, data);

  const Rpc rpc = decode_ok(frame);
  ASSERT_EQ(rpc.publish.size(), 1U);
  const auto& m = *rpc.publish[0];
  ASSERT_TRUE(m.decoded.has_value());
  EXPECT_EQ(m.decoded->version, 0U);
  EXPECT_EQ(m.decoded->payload, to_bytes("x"));
  EXPECT_EQ(m.id.bytes, crypto::sha256(data));
  // Re-encoding the WakuMessage would change the bytes and hence the gossip id.
  const Bytes canonical = encode_waku_message(*m.decoded);
  EXPECT_NE(canonical, data);
  EXPECT_NE(crypto::sha256(canonical), m.id.bytes);

  Bytes expected;
  put(expected, {0x12, 0x0d, 0x12, 0x08});
  put(expected, data);
  put(expected, {0x22, 0x01, 0x74});
  EXPECT_EQ(encode_rpc(rpc), expected);
}

TEST(GossipsubCodec, MakeRelayMessageDerivesIdAndDecodedForm) {
  const SharedBytes data = waku_data("payload", "/app/1/topic/proto");
  const auto m = make_relay_message("/waku/2/rs/16/32", data);
  EXPECT_EQ(m->topic, "/waku/2/rs/16/32");
  EXPECT_EQ(m->id.bytes, crypto::sha256(data.view()));
  ASSERT_TRUE(m->decoded.has_value());
  EXPECT_EQ(m->decoded->content_topic, "/app/1/topic/proto");
  EXPECT_FALSE(m->has_author_fields);
  EXPECT_EQ(m->data.data(), data.data());  // shared, not copied
}

// From a WakuMessage: the same message as encoding it and taking the bytes, decoded form included,
// also where the decoder refuses the encoding.
TEST(GossipsubCodec, MakeRelayMessageFromWakuMessageMatchesTheEncodedPath) {
  message::WakuMessage full;
  full.payload = Bytes{1, 2, 3};
  full.content_topic = "/app/1/topic/proto";
  full.version = 0;
  full.timestamp = -5;
  full.meta = Bytes(message::kMaxMetaSizeBytes, 0x07);
  full.rate_limit_proof = Bytes{9};
  full.ephemeral = false;
  message::WakuMessage meta_too_long = full;
  meta_too_long.meta = Bytes(message::kMaxMetaSizeBytes + 1, 0x07);
  message::WakuMessage too_large;
  too_large.payload = Bytes(kMaxMessageSizeLimitBytes, 0x01);
  too_large.content_topic = "/app/1/topic/proto";

  for (const auto& message : {full, meta_too_long, too_large, message::WakuMessage{}}) {
    const auto via_bytes = make_relay_message("t", SharedBytes(encode_waku_message(message)));
    const auto direct = make_relay_message("t", message);
    EXPECT_EQ(direct->topic, via_bytes->topic);
    EXPECT_EQ(direct->data, via_bytes->data);
    EXPECT_EQ(direct->id, via_bytes->id);
    EXPECT_EQ(direct->decoded, via_bytes->decoded);
    EXPECT_EQ(direct->has_author_fields, via_bytes->has_author_fields);
  }
  EXPECT_TRUE(make_relay_message("t", full)->decoded.has_value());
  EXPECT_FALSE(make_relay_message("t", meta_too_long)->decoded.has_value());
  EXPECT_FALSE(make_relay_message("t", too_large)->decoded.has_value());
}

// --- tolerance ---

TEST(GossipsubCodec, SkipsUnknownFields) {
  Bytes frame;
  // subscription with an unknown SubOpts field 3 (requestsPartial, varint 1).
  put(frame, {0x0a, 0x07, 0x08, 0x01, 0x12, 0x01, 0x61, 0x18, 0x01});
  // message with an unknown field 7 (LEN "zz"), data "d", topic "t".
  put(frame, {0x12, 0x0a, 0x3a, 0x02, 0x7a, 0x7a, 0x12, 0x01, 0x64, 0x22, 0x01, 0x74});
  // RPC field 10 (partial, LEN 2).
  put(frame, {0x52, 0x02, 0x01, 0x02});
  // control: graft "g", then field 6 (v1.3 extensions, LEN 3: {partialMessages (10) = 1}),
  // then an experimental varint field 6492434 (4-byte tag).
  put(frame, {0x1a, 0x0e, 0x1a, 0x03, 0x0a, 0x01, 0x67, 0x32, 0x02, 0x50, 0x01});
  put(frame, {0x90, 0x91, 0xe2, 0x18, 0x01});
  // RPC-level experimental field 6492434 as LEN.
  put(frame, {0x92, 0x91, 0xe2, 0x18, 0x01, 0x00});
  // proto2 group (field 9, start/end) at RPC level.
  put(frame, {0x4b, 0x08, 0x01, 0x4c});

  RpcDecodeReport report;
  const Rpc rpc = decode_ok(frame, {}, &report);
  EXPECT_EQ(rpc.subscriptions, (std::vector<relay::Subscription>{{true, "a"}}));
  ASSERT_EQ(rpc.publish.size(), 1U);
  EXPECT_EQ(rpc.publish[0]->data, SharedBytes(to_bytes("d")));
  EXPECT_FALSE(rpc.publish[0]->has_author_fields);
  EXPECT_EQ(rpc.control.graft, (std::vector<relay::Graft>{{"g"}}));
  EXPECT_EQ(report.total(), 0U);
}

// decode_rpc walks the published messages itself; on every frame it must give what the protobuf
// runtime gives: the same verdict, report and RPC.
TEST(GossipsubCodec, WalkedDecodingAgreesWithTheRuntime) {
  const SharedBytes data = waku_data("payload", "/app/1/t/proto");
  Bytes message;  // data, then topic "t"
  put(message, {0x12, static_cast<std::uint8_t>(data.size())});
  put(message, data.view());
  put(message, {0x22, 0x01, 't'});
  Bytes publish;
  put(publish, {0x12, static_cast<std::uint8_t>(message.size())});
  put(publish, message);
  const Bytes graft{0x1a, 0x05, 0x1a, 0x03, 0x0a, 0x01, 'g'};
  const Bytes subscription{0x0a, 0x05, 0x08, 0x01, 0x12, 0x01, 'a'};
  const auto frame_of = [](std::initializer_list<ByteView> parts) {
    Bytes out;
    for (const ByteView part : parts) put(out, part);
    return out;
  };
  const auto publish_of = [&](std::initializer_list<ByteView> fields) {
    const Bytes body = frame_of(fields);
    Bytes out{0x12, static_cast<std::uint8_t>(body.size())};
    put(out, body);
    return out;
  };
  const Bytes topic_t{0x22, 0x01, 't'};
  const std::vector<Bytes> frames = {
      publish,
      frame_of({publish, publish}),
      frame_of({subscription, publish, graft, publish, graft}),  // control merged from two fields
      publish_of({Bytes{0x12, 0x01, 'x'}, Bytes{0x12, 0x01, 'y'}, topic_t}),  // the last data
      publish_of({Bytes{0x10, 0x05}, topic_t}),  // data as a varint: an unknown field
      publish_of({Bytes{0x0a, 0x01, 'f'}, Bytes{0x12, 0x00}, topic_t}),  // author field `from`
      publish_of({Bytes{0x2a, 0x00}, Bytes{0x12, 0x00}, topic_t}),       // author field `signature`
      publish_of({Bytes{0x12, 0x00}, Bytes{0x4b, 0x4c}, topic_t}),  // a group: the runtime parses
      frame_of({Bytes{0x10, 0x01}, publish}),  // publish as a varint at the top: unknown
      frame_of({publish, Bytes{0x1a, 0x02, 0x0a, 0x05}}),  // a control the runtime rejects
      frame_of({publish, Bytes{0x12, 0x04, 0x12, 0x01}}),  // a message that runs past its end
      publish_of({Bytes{0x12, 0x01, 'x'}}),                // no topic: dropped
  };
  RpcLimits tiny;
  tiny.max_message_size_bytes = 4;
  for (const RpcLimits& limits : {RpcLimits{}, tiny}) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
      RpcDecodeReport walked_report;
      RpcDecodeReport runtime_report;
      const auto walked = decode_rpc(frames[i], limits, &walked_report);
      const auto runtime = decode_rpc_with_protobuf(frames[i], limits, &runtime_report);
      ASSERT_EQ(walked.has_value(), runtime.has_value()) << i;
      EXPECT_EQ(walked_report.total(), runtime_report.total()) << i;
      EXPECT_EQ(walked_report.messages_dropped, runtime_report.messages_dropped) << i;
      if (walked) expect_same_rpc(*walked, *runtime);
    }
  }
  // Spot checks that the cases test what they say.
  EXPECT_EQ(decode_ok(frames[2]).control.graft.size(), 2U);
  EXPECT_EQ(decode_ok(frames[3]).publish.at(0)->data, SharedBytes(to_bytes("y")));
  EXPECT_TRUE(decode_ok(frames[4]).publish.empty());
  EXPECT_TRUE(decode_ok(frames[5]).publish.at(0)->has_author_fields);
  EXPECT_FALSE(decode_rpc(frames[9], {}).has_value());
  EXPECT_FALSE(decode_rpc(frames[10], {}).has_value());
}

TEST(GossipsubCodec, CountsEveryEmptyMessageOfALargeFrame) {
  Bytes frame;
  for (int i = 0; i < 50000; ++i) put(frame, {0x12, 0x00});  // 50,000 empty messages
  for (const bool walked : {true, false}) {
    RpcDecodeReport report;
    const auto rpc =
        walked ? decode_rpc(frame, {}, &report) : decode_rpc_with_protobuf(frame, {}, &report);
    ASSERT_TRUE(rpc.has_value()) << walked;
    EXPECT_TRUE(rpc->publish.empty()) << walked;
    EXPECT_EQ(report.messages_dropped, 50000U) << walked;
  }
  // The next frame decodes as usual.
  EXPECT_EQ(decode_ok(Bytes{0x12, 0x06, 0x12, 0x01, 'd', 0x22, 0x01, 't'}).publish.size(), 1U);
}

TEST(GossipsubCodec, AppliesProtobufDefaultsToAbsentEntryFields) {
  Bytes frame;
  put(frame, {0x0a, 0x02, 0x08, 0x01});        // subscription without a topic: dropped
  put(frame, {0x0a, 0x03, 0x12, 0x01, 0x61});  // without the flag: an unsubscribe
  put(frame, {0x1a, 0x08, 0x0a, 0x00, 0x1a, 0x00, 0x22, 0x02, 0x12, 0x00});  // empty entries

  RpcDecodeReport report;
  const Rpc rpc = decode_ok(frame, {}, &report);
  EXPECT_EQ(rpc.subscriptions, (std::vector<relay::Subscription>{{false, "a"}}));
  EXPECT_EQ(report.subscriptions_dropped, 1U);
  EXPECT_EQ(rpc.control.ihave, (std::vector<relay::IHave>{{"", {}}}));
  EXPECT_EQ(rpc.control.graft, (std::vector<relay::Graft>{{""}}));
  ASSERT_EQ(rpc.control.prune.size(), 1U);
  EXPECT_EQ(rpc.control.prune[0].peers, (std::vector<relay::PxPeer>{{}}));
  EXPECT_FALSE(rpc.control.prune[0].backoff_seconds.has_value());
}

}  // namespace
}  // namespace waku::codec
