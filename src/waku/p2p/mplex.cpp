#include "waku/p2p/mplex.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "waku/base/fifo_queue.hpp"
#include "waku/base/flat_map.hpp"
#include "waku/base/varint.hpp"

namespace waku::p2p {
namespace mplex {

void append_header(Bytes& out, std::uint64_t stream_id, Flag flag, std::size_t length) {
  append_uvarint(out, (stream_id << 3U) | static_cast<std::uint8_t>(flag));
  append_uvarint(out, length);
}

std::size_t data_wire_bytes(std::uint64_t stream_id, std::size_t payload_bytes) {
  const std::size_t header = uvarint_size(stream_id << 3U);
  std::size_t total = 0;
  while (payload_bytes > 0) {
    const std::size_t n = std::min(payload_bytes, kMaxMessageBytes);
    total += header + uvarint_size(n) + n;
    payload_bytes -= n;
  }
  return total;
}

}  // namespace mplex

namespace {

using mplex::Flag;

// StreamId layout: wire id << 1, plus 1 if the peer opened the stream.
constexpr StreamId local_key(std::uint64_t wire_id) { return wire_id << 1U; }
constexpr StreamId remote_key(std::uint64_t wire_id) { return (wire_id << 1U) | 1U; }
constexpr bool opened_by_peer(StreamId key) { return (key & 1U) != 0; }
constexpr std::uint64_t wire_id(StreamId key) { return key >> 1U; }
// Wire ids above this cannot be encoded in a header varint (id << 3) nor in a StreamId.
constexpr std::uint64_t kMaxWireId = (std::uint64_t{1} << 61U) - 1;

class MplexMuxer final : public Muxer {
 public:
  explicit MplexMuxer(MuxerLimits limits) : limits_(limits) {}

  [[nodiscard]] std::string_view protocol_id() const override { return kMplexProtocol; }

  Result<void> handle_bytes(ByteView bytes) override {
    if (failed_) return error_;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
      if (in_payload_) {
        const std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>(payload_remaining_, bytes.size() - pos));
        // The stream may have been reset locally while the frame was arriving.
        if (payload_deliver_ && streams_.contains(payload_stream_)) {
          const auto first = bytes.begin() + static_cast<std::ptrdiff_t>(pos);
          events_.push_back(MuxerEvent{MuxerEventKind::kData, payload_stream_,
                                       Bytes(first, first + static_cast<std::ptrdiff_t>(n))});
        }
        pos += n;
        payload_remaining_ -= n;
        if (payload_remaining_ == 0) in_payload_ = false;
        continue;
      }
      // Varints are read a byte at a time so that any split works; non-minimal encodings are
      // accepted (nothing here is compared or hashed).
      const std::uint8_t byte = bytes[pos++];
      if (varint_bytes_ == kUvarintMaxBytes - 1 && byte > 1) {
        return fail(make_error(Errc::kBadEncoding, "mplex: varint overflows 64 bits"));
      }
      varint_value_ |= std::uint64_t{byte & 0x7fU} << (7U * varint_bytes_);
      ++varint_bytes_;
      if ((byte & 0x80U) != 0) continue;
      const std::uint64_t value = varint_value_;
      varint_value_ = 0;
      varint_bytes_ = 0;
      if (!have_header_) {
        frame_header_ = value;
        have_header_ = true;
        continue;
      }
      have_header_ = false;
      if (auto result = handle_frame(frame_header_, value); !result) return fail(result.error());
    }
    return ok();
  }

  std::optional<MuxerEvent> poll_event() override {
    if (events_.empty()) return std::nullopt;
    MuxerEvent event = std::move(events_.front());
    events_.pop_front();
    return event;
  }

  void take_transmit(Bytes& out) override {
    if (out.empty()) {
      out.swap(tx_);
    } else {
      out.insert(out.end(), tx_.begin(), tx_.end());
    }
    tx_.clear();
  }

  Result<StreamId> open_stream() override {
    if (failed_ || going_away_) return unexpected(Errc::kLimitExceeded, "mplex: going away");
    if (outbound_count_ >= limits_.max_outbound_streams) {
      return unexpected(Errc::kLimitExceeded, "mplex: too many outbound streams");
    }
    if (next_id_ > kMaxWireId) return unexpected(Errc::kLimitExceeded, "mplex: ids exhausted");
    const std::uint64_t id = next_id_++;
    streams_.try_emplace(local_key(id));
    ++outbound_count_;
    // js names a stream after its id; the name is informational only.
    const std::string name = std::to_string(id);
    mplex::append_header(tx_, id, Flag::kNewStream, name.size());
    const ByteView name_bytes = as_bytes(name);
    tx_.insert(tx_.end(), name_bytes.begin(), name_bytes.end());
    return local_key(id);
  }

  Result<void> write(StreamId stream_id, ByteView data) override {
    const auto it = streams_.find(stream_id);
    if (it == streams_.end()) return unexpected(Errc::kNotFound, "mplex: no such stream");
    if (it->second.local_closed) {
      return unexpected(Errc::kInvalidArgument, "mplex: write after close");
    }
    if (data.empty()) return ok();
    if (tx_.size() + data.size() > limits_.max_write_buffer_bytes) {
      return unexpected(Errc::kQueueFull, "mplex: transmit buffer full");
    }
    const Flag flag = opened_by_peer(stream_id) ? Flag::kMessageReceiver : Flag::kMessageInitiator;
    while (!data.empty()) {
      const std::size_t n = std::min(data.size(), mplex::kMaxMessageBytes);
      mplex::append_header(tx_, wire_id(stream_id), flag, n);
      tx_.insert(tx_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
      data = data.subspan(n);
    }
    return ok();
  }

  void close_write(StreamId stream_id) override {
    const auto it = streams_.find(stream_id);
    if (it == streams_.end() || it->second.local_closed) return;
    it->second.local_closed = true;
    mplex::append_header(tx_, wire_id(stream_id),
                         opened_by_peer(stream_id) ? Flag::kCloseReceiver : Flag::kCloseInitiator,
                         0);
    if (it->second.remote_closed) free_stream(stream_id);
  }

  void reset(StreamId stream_id) override {
    if (!streams_.contains(stream_id)) return;
    send_reset(stream_id);
    free_stream(stream_id);
  }

  [[nodiscard]] std::size_t pending_write_bytes(StreamId /*stream*/) const override {
    return 0;  // no window: every write goes straight to the transmit buffer
  }

  [[nodiscard]] std::size_t stream_count() const override { return streams_.size(); }

  void go_away() override {
    going_away_ = true;
    for (const auto& [key, stream] : streams_) {
      send_reset(key);
      events_.push_back(MuxerEvent{MuxerEventKind::kReset, key, {}});
    }
    streams_.clear();
    inbound_count_ = 0;
    outbound_count_ = 0;
  }

  [[nodiscard]] bool remote_going_away() const override { return false; }

 private:
  struct Stream {
    bool local_closed = false;
    bool remote_closed = false;
  };

  Result<void> fail(Error error) {
    failed_ = true;
    error_ = std::move(error);
    return error_;
  }

  Result<void> handle_frame(std::uint64_t header, std::uint64_t length) {
    if (length > limits_.max_frame_bytes) {
      return unexpected(Errc::kTooLarge, "mplex: frame too large");
    }
    const std::uint64_t id = header >> 3U;
    bool deliver = false;
    StreamId key = 0;
    switch (static_cast<Flag>(header & 7U)) {
      case Flag::kNewStream:
        key = remote_key(id);
        if (streams_.contains(key)) return unexpected(Errc::kDecode, "mplex: stream opened twice");
        if (going_away_ || inbound_count_ >= limits_.max_inbound_streams) {
          mplex::append_header(tx_, id, Flag::kResetReceiver, 0);
        } else {
          streams_.try_emplace(key);
          ++inbound_count_;
          events_.push_back(MuxerEvent{MuxerEventKind::kInboundStream, key, {}});
        }
        break;  // the name is skipped
      case Flag::kMessageInitiator:
      case Flag::kMessageReceiver: {
        key = (header & 7U) == static_cast<std::uint8_t>(Flag::kMessageInitiator) ? remote_key(id)
                                                                                  : local_key(id);
        // Messages for unknown or remotely closed streams are dropped.
        const auto it = streams_.find(key);
        deliver = it != streams_.end() && !it->second.remote_closed;
        break;
      }
      case Flag::kCloseInitiator:
      case Flag::kCloseReceiver: {
        key = (header & 7U) == static_cast<std::uint8_t>(Flag::kCloseInitiator) ? remote_key(id)
                                                                                : local_key(id);
        const auto it = streams_.find(key);
        if (it != streams_.end() && !it->second.remote_closed) {
          it->second.remote_closed = true;
          events_.push_back(MuxerEvent{MuxerEventKind::kRemoteClosed, key, {}});
          if (it->second.local_closed) free_stream(key);
        }
        break;
      }
      case Flag::kResetInitiator:
      case Flag::kResetReceiver:
        key = (header & 7U) == static_cast<std::uint8_t>(Flag::kResetInitiator) ? remote_key(id)
                                                                                : local_key(id);
        if (streams_.contains(key)) {
          events_.push_back(MuxerEvent{MuxerEventKind::kReset, key, {}});
          free_stream(key);
        }
        break;
      default: return unexpected(Errc::kDecode, "mplex: unknown flag");
    }
    payload_stream_ = key;
    payload_remaining_ = length;
    payload_deliver_ = deliver;
    in_payload_ = length > 0;
    return ok();
  }

  void send_reset(StreamId key) {
    mplex::append_header(tx_, wire_id(key),
                         opened_by_peer(key) ? Flag::kResetReceiver : Flag::kResetInitiator, 0);
  }

  void free_stream(StreamId key) {
    if (streams_.erase(key) == 0) return;
    if (opened_by_peer(key)) {
      --inbound_count_;
    } else {
      --outbound_count_;
    }
  }

  MuxerLimits limits_;
  FlatMap<StreamId, Stream> streams_;
  std::size_t inbound_count_ = 0;
  std::size_t outbound_count_ = 0;
  std::uint64_t next_id_ = 0;

  FifoQueue<MuxerEvent> events_;
  Bytes tx_;

  // Frame reader.
  std::uint64_t varint_value_ = 0;
  std::size_t varint_bytes_ = 0;
  bool have_header_ = false;
  std::uint64_t frame_header_ = 0;
  bool in_payload_ = false;
  bool payload_deliver_ = false;
  StreamId payload_stream_ = 0;
  std::uint64_t payload_remaining_ = 0;

  bool going_away_ = false;
  bool failed_ = false;
  Error error_{};
};

}  // namespace

std::unique_ptr<Muxer> make_mplex(ConnectionRole /*role*/, MuxerLimits limits) {
  // Both sides number their streams alike; the role does not matter on the wire.
  return std::make_unique<MplexMuxer>(limits);
}

}  // namespace waku::p2p
