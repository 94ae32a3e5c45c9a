#include "waku/p2p/connection.hpp"

#include <utility>

namespace waku::p2p {

namespace {

void append(Bytes& out, const Bytes& bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

}  // namespace

Connection::Connection(ConnectionOptions options, const crypto::IdentityKey& identity,
                       Entropy& entropy)
    : options_(std::move(options)), identity_(&identity), entropy_(&entropy) {
  const std::vector<std::string> security{std::string{kNoiseProtocol}};
  negotiator_ = options_.role == ConnectionRole::kDialer
                    ? MultistreamNegotiator::dialer(security)
                    : MultistreamNegotiator::listener(security);
  append(transmit_, negotiator_->take_transmit());
}

Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

bool Connection::is_established() const { return stage_ == Stage::kOpen; }
const std::optional<Error>& Connection::sealing_failure() const { return sealing_failure_; }
void Connection::set_send_nonce_for_testing(std::uint64_t nonce) {
  if (session_) session_->set_send_nonce_for_testing(nonce);
}
const std::optional<crypto::PeerId>& Connection::remote_peer() const { return remote_peer_; }
ConnectionRole Connection::role() const { return options_.role; }

Result<void> Connection::handle_bytes(ByteView bytes) {
  switch (stage_) {
    case Stage::kSecurityNegotiation: {
      if (auto ok = negotiator_->handle_bytes(bytes); !ok) return ok;
      append(transmit_, negotiator_->take_transmit());
      if (!negotiator_->selected()) return {};
      const Bytes remaining = negotiator_->take_remaining();
      negotiator_.reset();
      handshake_ = options_.role == ConnectionRole::kDialer
                       ? NoiseHandshake::initiator(*identity_, *entropy_, options_.expected_peer)
                       : NoiseHandshake::responder(*identity_, *entropy_);
      append(transmit_, handshake_->take_transmit());
      stage_ = Stage::kHandshake;
      if (remaining.empty()) return {};
      return handle_bytes(remaining);
    }
    case Stage::kHandshake: {
      if (auto ok = handshake_->handle_bytes(bytes); !ok) return ok;
      append(transmit_, handshake_->take_transmit());
      if (!handshake_->is_complete()) return {};
      session_.emplace(std::move(*handshake_).into_session());
      handshake_.reset();
      remote_peer_ = session_->remote_peer();
      negotiator_ = options_.role == ConnectionRole::kDialer
                        ? MultistreamNegotiator::dialer(options_.muxers)
                        : MultistreamNegotiator::listener(options_.muxers);
      append(plaintext_, negotiator_->take_transmit());
      stage_ = Stage::kMuxerNegotiation;
      return handle_plaintext(session_->take_plaintext());
    }
    case Stage::kMuxerNegotiation:
    case Stage::kOpen: {
      if (auto ok = session_->handle_bytes(bytes); !ok) return ok;
      auto handled = handle_plaintext(session_->plaintext());
      session_->clear_plaintext();
      return handled;
    }
  }
  return {};
}

Result<void> Connection::handle_plaintext(ByteView bytes) {
  if (bytes.empty()) return {};
  if (stage_ == Stage::kMuxerNegotiation) {
    if (auto ok = negotiator_->handle_bytes(bytes); !ok) return ok;
    append(plaintext_, negotiator_->take_transmit());
    if (!negotiator_->selected()) return {};
    const std::string muxer = *negotiator_->selected();
    const Bytes remaining = negotiator_->take_remaining();
    negotiator_.reset();
    if (auto ok = start_muxer(muxer); !ok) return ok;
    if (remaining.empty()) return {};
    if (auto ok = muxer_->handle_bytes(remaining); !ok) return ok;
    return drain_muxer();
  }
  if (auto ok = muxer_->handle_bytes(bytes); !ok) return ok;
  return drain_muxer();
}

Result<void> Connection::start_muxer(const std::string& muxer) {
  if (muxer == kYamuxProtocol) {
    muxer_ = make_yamux(options_.role, options_.muxer_limits);
  } else if (muxer == kMplexProtocol) {
    muxer_ = make_mplex(options_.role, options_.muxer_limits);
  } else {
    return unexpected(Errc::kUnsupported, "connection: negotiated an unknown muxer");
  }
  stage_ = Stage::kOpen;
  events_.push_back(ConnectionEstablished{*remote_peer_, session_->remote_key(), muxer});
  return {};
}

Result<void> Connection::drain_muxer() {
  while (auto event = muxer_->poll_event()) {
    switch (event->kind) {
      case MuxerEventKind::kInboundStream: {
        if (negotiating_.size() >= options_.max_negotiating_streams) {
          muxer_->reset(event->stream);
          break;
        }
        auto negotiator = MultistreamNegotiator::listener(options_.protocols);
        const Bytes header = negotiator.take_transmit();
        (void)muxer_->write(event->stream, header);
        negotiating_.try_emplace(
            event->stream, Negotiating{std::move(negotiator), StreamDirection::kInbound, {}, {}});
        break;
      }
      case MuxerEventKind::kData: handle_stream_bytes(event->stream, std::move(event->data)); break;
      case MuxerEventKind::kRemoteClosed:
      case MuxerEventKind::kReset: {
        const auto it = negotiating_.find(event->stream);
        if (it != negotiating_.end()) {
          // A stream closed before its protocol was agreed carries nothing usable.
          if (it->second.direction == StreamDirection::kOutbound) {
            events_.push_back(StreamFailed{event->stream, it->second.protocol});
          }
          negotiating_.erase(it);
          if (event->kind == MuxerEventKind::kRemoteClosed) muxer_->reset(event->stream);
        } else if (event->kind == MuxerEventKind::kRemoteClosed) {
          events_.push_back(StreamClosed{event->stream});
        } else {
          events_.push_back(StreamReset{event->stream});
        }
        break;
      }
    }
  }
  return {};
}

void Connection::handle_stream_bytes(StreamId stream, Bytes data) {
  const auto it = negotiating_.find(stream);
  if (it == negotiating_.end()) {
    events_.push_back(StreamData{stream, std::move(data)});
    return;
  }
  Negotiating& negotiating = it->second;
  const auto ok = negotiating.negotiator.handle_bytes(data);
  const Bytes reply = negotiating.negotiator.take_transmit();
  if (!reply.empty()) (void)muxer_->write(stream, reply);
  if (!ok) {
    if (negotiating.direction == StreamDirection::kOutbound) {
      events_.push_back(StreamFailed{stream, negotiating.protocol});
    }
    negotiating_.erase(it);
    muxer_->reset(stream);
    return;
  }
  if (negotiating.negotiator.selected()) finish_negotiation(stream, negotiating);
}

void Connection::finish_negotiation(StreamId stream, Negotiating& negotiating) {
  const std::string protocol = *negotiating.negotiator.selected();
  Bytes remaining = negotiating.negotiator.take_remaining();
  const Bytes early = std::move(negotiating.early_writes);
  const bool close_after_open = negotiating.close_after_open;
  const StreamDirection direction = negotiating.direction;
  negotiating_.erase(stream);
  events_.push_back(StreamOpened{stream, protocol, direction});
  if (!remaining.empty()) events_.push_back(StreamData{stream, std::move(remaining)});
  if (!early.empty()) (void)muxer_->write(stream, early);
  if (close_after_open) muxer_->close_write(stream);
}

void Connection::hold_transmit() {
  if (muxer_) muxer_->take_transmit(plaintext_);
}

void Connection::take_transmit(Bytes& out) {
  hold_transmit();
  if (session_ && !plaintext_.empty()) {
    // Fails only once the nonces run out (kNoiseMaxNonce frames; js-libp2p-noise has no rekey
    // either). Nothing more can be sent then: the host sees sealing_failure() and closes.
    if (auto sealed = session_->encrypt(plaintext_, transmit_); !sealed && !sealing_failure_) {
      sealing_failure_ = sealed.error();
    }
    plaintext_.clear();
  }
  if (out.empty()) {
    out.swap(transmit_);
  } else {
    append(out, transmit_);
  }
  transmit_.clear();
}

std::optional<ConnectionEvent> Connection::poll_event() {
  if (events_.empty()) return std::nullopt;
  ConnectionEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

Result<StreamId> Connection::open_stream(std::string protocol) {
  if (stage_ != Stage::kOpen) {
    return unexpected(Errc::kUnsupported, "connection: not established");
  }
  if (negotiating_.size() >= options_.max_negotiating_streams) {
    return unexpected(Errc::kLimitExceeded, "connection: too many streams in negotiation");
  }
  auto stream = muxer_->open_stream();
  if (!stream) return stream;
  auto negotiator = MultistreamNegotiator::dialer({protocol});
  (void)muxer_->write(*stream, negotiator.take_transmit());
  negotiating_.try_emplace(
      *stream,
      Negotiating{std::move(negotiator), StreamDirection::kOutbound, std::move(protocol), {}});
  return stream;
}

Result<void> Connection::write(StreamId stream, ByteView data) {
  const auto it = negotiating_.find(stream);
  if (it == negotiating_.end()) {
    if (!muxer_) return unexpected(Errc::kNotFound, "connection: no such stream");
    return muxer_->write(stream, data);
  }
  Bytes& early = it->second.early_writes;
  if (early.size() + data.size() > options_.max_early_write_bytes) {
    return unexpected(Errc::kQueueFull, "connection: stream still negotiating");
  }
  early.insert(early.end(), data.begin(), data.end());
  return {};
}

void Connection::close_write(StreamId stream) {
  const auto it = negotiating_.find(stream);
  if (it != negotiating_.end()) {
    it->second.close_after_open = true;
  } else if (muxer_) {
    muxer_->close_write(stream);
  }
}

void Connection::reset(StreamId stream) {
  negotiating_.erase(stream);
  if (muxer_) muxer_->reset(stream);
}

std::size_t Connection::pending_write_bytes(StreamId stream) const {
  const auto it = negotiating_.find(stream);
  if (it != negotiating_.end()) return it->second.early_writes.size();
  return muxer_ ? muxer_->pending_write_bytes(stream) : 0;
}

void Connection::go_away() {
  if (muxer_) muxer_->go_away();
}

}  // namespace waku::p2p
