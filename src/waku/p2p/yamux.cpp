#include "waku/p2p/yamux.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "waku/base/fifo_queue.hpp"
#include "waku/base/flat_map.hpp"

namespace waku::p2p {
namespace yamux {

void append_header(Bytes& out, FrameType type, std::uint16_t flags, std::uint32_t stream_id,
                   std::uint32_t length) {
  const std::array<std::uint8_t, kHeaderBytes> header{
      kVersion,
      static_cast<std::uint8_t>(type),
      static_cast<std::uint8_t>(flags >> 8U),
      static_cast<std::uint8_t>(flags),
      static_cast<std::uint8_t>(stream_id >> 24U),
      static_cast<std::uint8_t>(stream_id >> 16U),
      static_cast<std::uint8_t>(stream_id >> 8U),
      static_cast<std::uint8_t>(stream_id),
      static_cast<std::uint8_t>(length >> 24U),
      static_cast<std::uint8_t>(length >> 16U),
      static_cast<std::uint8_t>(length >> 8U),
      static_cast<std::uint8_t>(length),
  };
  out.insert(out.end(), header.begin(), header.end());
}

std::size_t data_wire_bytes(std::size_t payload_bytes) {
  const std::size_t frames = (payload_bytes + kMaxDataPayload - 1) / kMaxDataPayload;
  return payload_bytes + frames * kHeaderBytes;
}

}  // namespace yamux

namespace {

using yamux::FrameType;
using yamux::kFlagAck;
using yamux::kFlagFin;
using yamux::kFlagRst;
using yamux::kFlagSyn;
using yamux::kHeaderBytes;
using yamux::kInitialWindow;

constexpr std::uint32_t kMaxStreamId = std::numeric_limits<std::uint32_t>::max();
// A peer may raise our send window without bound; capping it keeps the arithmetic in range.
constexpr std::uint64_t kMaxSendWindow = std::uint64_t{1} << 40U;
// A drained write buffer larger than this is released rather than kept for the next burst, so a
// long-lived stream does not pin the memory of its largest burst.
constexpr std::size_t kKeepPendingCapacity = std::size_t{64} * 1024;

std::uint32_t load_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24U) | (std::uint32_t{p[1]} << 16U) | (std::uint32_t{p[2]} << 8U) |
         std::uint32_t{p[3]};
}

class YamuxMuxer final : public Muxer {
 public:
  YamuxMuxer(ConnectionRole role, MuxerLimits limits)
      : limits_(limits),
        max_window_(static_cast<std::uint32_t>(
            std::clamp<std::size_t>(limits.max_receive_window_bytes, kInitialWindow,
                                    std::numeric_limits<std::uint32_t>::max()))),
        next_id_(role == ConnectionRole::kDialer ? 1 : 2),
        remote_parity_(role == ConnectionRole::kDialer ? 0 : 1) {}

  [[nodiscard]] std::string_view protocol_id() const override { return kYamuxProtocol; }

  Result<void> handle_bytes(ByteView bytes) override {
    if (failed_) return error_;
    join_budget_ = bytes.size();
    std::size_t pos = 0;
    while (pos < bytes.size()) {
      if (!in_payload_) {
        const std::size_t n = std::min(kHeaderBytes - header_fill_, bytes.size() - pos);
        std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(pos), n,
                    header_.begin() + static_cast<std::ptrdiff_t>(header_fill_));
        pos += n;
        header_fill_ += n;
        if (header_fill_ < kHeaderBytes) break;
        header_fill_ = 0;
        if (auto result = handle_header(); !result) return fail(result.error());
        continue;
      }
      const std::size_t n = std::min<std::size_t>(payload_remaining_, bytes.size() - pos);
      // The stream may have been reset locally while the frame was arriving.
      if (payload_deliver_ && streams_.contains(payload_stream_)) {
        deliver_data(bytes.subspan(pos, n), bytes.size() - pos);
      }
      pos += n;
      payload_remaining_ -= static_cast<std::uint32_t>(n);
      if (payload_remaining_ == 0) finish_payload();
    }
    return ok();
  }

  std::optional<MuxerEvent> poll_event() override {
    if (events_.empty()) return std::nullopt;
    MuxerEvent event = std::move(events_.front());
    events_.pop_front();
    if (event.kind == MuxerEventKind::kData) {
      on_consumed(event.stream, event.data.size());
    } else if (event.kind == MuxerEventKind::kInboundStream) {
      // Accepting the stream: the ACK leaves now, which also frees a backlog slot.
      if (Stream* stream = find(event.stream); stream != nullptr && stream->ack_needed) {
        yamux::append_header(tx_, FrameType::kWindowUpdate, ack_flag(*stream),
                             static_cast<std::uint32_t>(event.stream), 0);
      }
    }
    return event;
  }

  void take_transmit(Bytes& out) override {
    if (out.empty()) {
      out.swap(tx_);  // hands over the buffer without copying; we keep the caller's capacity
    } else {
      out.insert(out.end(), tx_.begin(), tx_.end());
    }
    tx_.clear();
  }

  Result<StreamId> open_stream() override {
    if (failed_ || local_go_away_ || remote_go_away_) {
      return unexpected(Errc::kLimitExceeded, "yamux: session is going away");
    }
    if (outbound_count_ >= limits_.max_outbound_streams) {
      return unexpected(Errc::kLimitExceeded, "yamux: too many outbound streams");
    }
    if (next_id_ > kMaxStreamId) return unexpected(Errc::kLimitExceeded, "yamux: ids exhausted");
    const auto id = static_cast<std::uint32_t>(next_id_);
    next_id_ += 2;
    streams_.try_emplace(id);
    ++outbound_count_;
    // js-yamux opens with a window update carrying SYN; the delta is 0 at the initial window.
    yamux::append_header(tx_, FrameType::kWindowUpdate, kFlagSyn, id, 0);
    return StreamId{id};
  }

  Result<void> write(StreamId stream_id, ByteView data) override {
    Stream* stream = find(stream_id);
    if (stream == nullptr) return unexpected(Errc::kNotFound, "yamux: no such stream");
    if (stream->fin_queued) return unexpected(Errc::kInvalidArgument, "yamux: write after close");
    if (data.empty()) return ok();
    const std::size_t queued = stream->pending_size();
    const std::size_t now =
        queued == 0
            ? static_cast<std::size_t>(std::min<std::uint64_t>(stream->send_window, data.size()))
            : 0;
    const std::size_t rest = data.size() - now;
    if (rest > 0 && queued + rest > limits_.max_write_buffer_bytes) {
      return unexpected(Errc::kQueueFull, "yamux: write buffer full");
    }
    const auto id = static_cast<std::uint32_t>(stream_id);
    send_data(id, *stream, data.first(now));
    if (rest > 0) stream->pending.insert(stream->pending.end(), data.begin() + now, data.end());
    return ok();
  }

  void close_write(StreamId stream_id) override {
    Stream* stream = find(stream_id);
    if (stream == nullptr || stream->fin_queued) return;
    stream->fin_queued = true;
    const auto id = static_cast<std::uint32_t>(stream_id);
    flush(id, *stream);
    settle(id);
  }

  void reset(StreamId stream_id) override {
    if (find(stream_id) == nullptr) return;
    const auto id = static_cast<std::uint32_t>(stream_id);
    yamux::append_header(tx_, FrameType::kWindowUpdate, kFlagRst, id, 0);
    free_stream(id);
  }

  [[nodiscard]] std::size_t pending_write_bytes(StreamId stream_id) const override {
    const auto it = stream_id > kMaxStreamId ? streams_.end()
                                             : streams_.find(static_cast<std::uint32_t>(stream_id));
    return it == streams_.end() ? 0 : it->second.pending_size();
  }

  [[nodiscard]] std::size_t stream_count() const override { return streams_.size(); }

  void go_away() override {
    if (local_go_away_) return;
    local_go_away_ = true;
    yamux::append_header(tx_, FrameType::kGoAway, 0, 0, yamux::kGoAwayNormal);
  }

  [[nodiscard]] bool remote_going_away() const override { return remote_go_away_; }

 private:
  struct Stream {
    std::uint64_t send_window = kInitialWindow;     // what the peer still lets us send
    std::uint32_t recv_window = kInitialWindow;     // the window we grant, grows toward max_window_
    std::uint32_t recv_available = kInitialWindow;  // what the peer may still send
    std::uint32_t consumed = 0;                     // polled since our last window update
    Bytes pending;  // written, waiting for send window, from pending_head on
    std::size_t pending_head = 0;
    bool inbound = false;
    bool ack_needed = false;  // inbound and not yet acknowledged
    bool fin_queued = false;  // close_write() called; FIN leaves once `pending` is drained
    bool fin_sent = false;
    bool remote_fin = false;

    [[nodiscard]] std::size_t pending_size() const { return pending.size() - pending_head; }
  };

  Stream* find(StreamId id) {
    if (id > kMaxStreamId) return nullptr;
    const auto it = streams_.find(static_cast<std::uint32_t>(id));
    return it == streams_.end() ? nullptr : &it->second;
  }

  Result<void> fail(Error error) {
    failed_ = true;
    error_ = std::move(error);
    local_go_away_ = true;
    yamux::append_header(tx_, FrameType::kGoAway, 0, 0, yamux::kGoAwayProtocolError);
    return error_;
  }

  Result<void> handle_header() {
    const std::uint8_t version = header_[0];
    const std::uint8_t type = header_[1];
    const auto flags = static_cast<std::uint16_t>((header_[2] << 8U) | header_[3]);
    const std::uint32_t id = load_u32(&header_[4]);
    const std::uint32_t length = load_u32(&header_[8]);
    if (version != yamux::kVersion) return unexpected(Errc::kDecode, "yamux: unknown version");
    switch (static_cast<FrameType>(type)) {
      case FrameType::kData:
      case FrameType::kWindowUpdate:
        if (id == 0) return unexpected(Errc::kDecode, "yamux: stream frame on session id 0");
        return handle_stream_frame(static_cast<FrameType>(type), flags, id, length);
      case FrameType::kPing:
        if (id != 0) return unexpected(Errc::kDecode, "yamux: ping on a stream id");
        // Exactly SYN is a request (as js checks it); we send no pings, so responses are ignored.
        if (flags == kFlagSyn) yamux::append_header(tx_, FrameType::kPing, kFlagAck, 0, length);
        return ok();
      case FrameType::kGoAway:
        if (id != 0) return unexpected(Errc::kDecode, "yamux: go away on a stream id");
        remote_go_away_ = true;
        return ok();
    }
    return unexpected(Errc::kDecode, "yamux: unknown frame type");
  }

  Result<void> handle_stream_frame(FrameType type, std::uint16_t flags, std::uint32_t id,
                                   std::uint32_t length) {
    const bool is_data = type == FrameType::kData;
    if (is_data && length > limits_.max_frame_bytes) {
      return unexpected(Errc::kTooLarge, "yamux: data frame too large");
    }
    if ((flags & kFlagSyn) != 0) WAKU_TRY_VOID(accept_inbound(id));
    const auto it = streams_.find(id);
    if (it == streams_.end() || (flags & kFlagRst) != 0) {
      if (it != streams_.end()) {
        events_.push_back(MuxerEvent{MuxerEventKind::kReset, id, {}});
        free_stream(id);
      }
      // Unknown (never opened, refused or already freed) streams: data is read and dropped, other
      // frames are ignored, as js-yamux does.
      if (is_data) begin_payload(id, length, /*deliver=*/false, /*fin=*/false);
      return ok();
    }
    Stream& stream = it->second;
    const bool fin = (flags & kFlagFin) != 0;
    if (is_data) {
      if (length > stream.recv_available) {
        return unexpected(Errc::kLimitExceeded, "yamux: receive window exceeded");
      }
      stream.recv_available -= length;
      begin_payload(id, length, /*deliver=*/!stream.remote_fin, fin);
      return ok();
    }
    stream.send_window = std::min(stream.send_window + length, kMaxSendWindow);
    flush(id, stream);
    if (fin) on_remote_fin(stream, id);
    settle(id);
    return ok();
  }

  Result<void> accept_inbound(std::uint32_t id) {
    if ((id & 1U) != remote_parity_) {
      return unexpected(Errc::kDecode, "yamux: SYN with our own stream id parity");
    }
    if (streams_.contains(id)) return ok();  // a repeated SYN, ignored as js does
    if (local_go_away_ || inbound_count_ >= limits_.max_inbound_streams ||
        unacked_ >= limits_.max_unacked_inbound) {
      yamux::append_header(tx_, FrameType::kWindowUpdate, kFlagRst, id, 0);
      return ok();
    }
    Stream& stream = streams_.try_emplace(id).first->second;
    stream.inbound = true;
    stream.ack_needed = true;
    ++inbound_count_;
    ++unacked_;
    events_.push_back(MuxerEvent{MuxerEventKind::kInboundStream, id, {}});
    return ok();
  }

  void begin_payload(std::uint32_t id, std::uint32_t length, bool deliver, bool fin) {
    payload_stream_ = id;
    payload_remaining_ = length;
    payload_deliver_ = deliver;
    payload_fin_ = fin;
    in_payload_ = true;
    if (length == 0) finish_payload();
  }

  // Data for payload_stream_. Consecutive data for one stream joins one event: a relay under load
  // receives dozens of one-message frames per read, and one buffer for them all saves an
  // allocation (and the host's handling of an event) per frame. `input_left` (the bytes of this
  // handle_bytes call from `data` on) bounds what can still join, so the buffer is sized once:
  // growing it frame by frame copied everything again at each doubling, and the large
  // reallocations made malloc consolidate its free lists (~5 % of a relay's profile). What is
  // reserved beyond the data comes out of join_budget_ (the input's size), so frames that
  // alternate between streams cannot make each event reserve the rest of the input.
  void deliver_data(ByteView data, std::size_t input_left) {
    if (!events_.empty()) {
      MuxerEvent& last = events_.back();
      if (last.kind == MuxerEventKind::kData && last.stream == payload_stream_) {
        last.data.insert(last.data.end(), data.begin(), data.end());
        return;
      }
    }
    const std::size_t reserve = std::min(input_left, join_budget_);
    join_budget_ -= reserve;
    Bytes joined;
    joined.reserve(std::max(reserve, data.size()));
    joined.assign(data.begin(), data.end());
    events_.push_back(MuxerEvent{MuxerEventKind::kData, payload_stream_, std::move(joined)});
  }

  void finish_payload() {
    in_payload_ = false;
    if (!payload_fin_) return;
    payload_fin_ = false;
    const auto it = streams_.find(payload_stream_);
    if (it == streams_.end()) return;
    on_remote_fin(it->second, payload_stream_);
    settle(payload_stream_);
  }

  void on_remote_fin(Stream& stream, std::uint32_t id) {
    if (stream.remote_fin) return;
    stream.remote_fin = true;
    events_.push_back(MuxerEvent{MuxerEventKind::kRemoteClosed, id, {}});
  }

  // Frees a stream once both directions are closed.
  void settle(std::uint32_t id) {
    const auto it = streams_.find(id);
    if (it != streams_.end() && it->second.fin_sent && it->second.remote_fin) free_stream(id);
  }

  void free_stream(std::uint32_t id) {
    const auto it = streams_.find(id);
    if (it == streams_.end()) return;
    if (it->second.inbound) {
      --inbound_count_;
    } else {
      --outbound_count_;
    }
    if (it->second.ack_needed) --unacked_;
    streams_.erase(it);
  }

  // The flags of the next frame on `stream`: ACK if the stream still needs accepting.
  std::uint16_t ack_flag(Stream& stream) {
    if (!stream.ack_needed) return 0;
    stream.ack_needed = false;
    --unacked_;
    return kFlagAck;
  }

  void send_data(std::uint32_t id, Stream& stream, ByteView data) {
    stream.send_window -= data.size();
    while (!data.empty()) {
      const std::size_t n = std::min(data.size(), yamux::kMaxDataPayload);
      yamux::append_header(tx_, FrameType::kData, ack_flag(stream), id,
                           static_cast<std::uint32_t>(n));
      tx_.insert(tx_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
      data = data.subspan(n);
    }
  }

  // Sends what the window allows of the write buffer, then the FIN once it is drained.
  void flush(std::uint32_t id, Stream& stream) {
    const std::size_t queued = stream.pending_size();
    if (queued > 0 && stream.send_window > 0) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(stream.send_window, queued));
      send_data(id, stream, ByteView(stream.pending).subspan(stream.pending_head, n));
      stream.pending_head += n;
      if (stream.pending_head == stream.pending.size()) {
        stream.pending_head = 0;
        if (stream.pending.capacity() > kKeepPendingCapacity) {
          Bytes().swap(stream.pending);
        } else {
          stream.pending.clear();
        }
      } else if (stream.pending_head >= kKeepPendingCapacity &&
                 2 * stream.pending_head >= stream.pending.size()) {
        stream.pending.erase(
            stream.pending.begin(),
            stream.pending.begin() + static_cast<std::ptrdiff_t>(stream.pending_head));
        stream.pending_head = 0;
      }
    }
    if (stream.fin_queued && !stream.fin_sent && stream.pending_size() == 0) {
      yamux::append_header(tx_, FrameType::kWindowUpdate,
                           static_cast<std::uint16_t>(kFlagFin | ack_flag(stream)), id, 0);
      stream.fin_sent = true;
    }
  }

  // Data the host polled is consumed: once half the window is, grant it back (and grow it).
  void on_consumed(StreamId stream_id, std::size_t bytes) {
    Stream* stream = find(stream_id);
    if (stream == nullptr || stream->remote_fin) return;  // no more data will come
    stream->consumed += static_cast<std::uint32_t>(bytes);
    if (stream->consumed < stream->recv_window / 2) return;
    const auto grown = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(std::uint64_t{stream->recv_window} * 2, max_window_));
    const std::uint32_t target = std::max(grown, stream->recv_window);
    const std::uint32_t delta = stream->consumed + (target - stream->recv_window);
    stream->recv_window = target;
    stream->recv_available += delta;
    stream->consumed = 0;
    yamux::append_header(tx_, FrameType::kWindowUpdate, ack_flag(*stream),
                         static_cast<std::uint32_t>(stream_id), delta);
  }

  MuxerLimits limits_;
  std::uint32_t max_window_;
  std::uint64_t next_id_;
  std::uint32_t remote_parity_;

  FlatMap<std::uint32_t, Stream> streams_;
  std::size_t inbound_count_ = 0;
  std::size_t outbound_count_ = 0;
  std::size_t unacked_ = 0;

  FifoQueue<MuxerEvent> events_;
  Bytes tx_;

  // Frame reader.
  std::array<std::uint8_t, kHeaderBytes> header_{};
  std::size_t header_fill_ = 0;
  bool in_payload_ = false;
  std::size_t join_budget_ = 0;  // see deliver_data
  bool payload_deliver_ = false;
  bool payload_fin_ = false;
  std::uint32_t payload_stream_ = 0;
  std::uint32_t payload_remaining_ = 0;

  bool local_go_away_ = false;
  bool remote_go_away_ = false;
  bool failed_ = false;
  Error error_{};
};

}  // namespace

std::unique_ptr<Muxer> make_yamux(ConnectionRole role, MuxerLimits limits) {
  return std::make_unique<YamuxMuxer>(role, limits);
}

}  // namespace waku::p2p
