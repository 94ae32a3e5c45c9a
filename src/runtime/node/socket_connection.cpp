#include "runtime/node/socket_connection.hpp"

#include <boost/asio/write.hpp>
#include <limits>

#include "runtime/node/log.hpp"

namespace waku::runtime {

namespace asio = boost::asio;

namespace {
// Reading from a peer stops while more than kReadPauseBytes wait to be written to it, and starts
// again once no more than kReadResumeBytes do (half, so that a peer hovering at the threshold does
// not switch reading on and off at every write).
constexpr std::size_t kReadPauseBytes = std::size_t{8} << 20;
constexpr std::size_t kReadResumeBytes = kReadPauseBytes / 2;

// async_write's own transfer_all() offers the socket at most 64 KiB per write_some, and every
// further write_some waits its turn behind the handlers queued meanwhile. A relay busy reading
// from one peer then wrote 1 MiB to an idle one in ~16 of its read handlers (~23 ms), holding
// everything forwarded in the meantime until its queue for that peer overflowed. This condition
// offers the kernel everything that is left each time.
std::size_t write_everything_left(const boost::system::error_code& error, std::size_t /*done*/) {
  return error ? 0 : std::numeric_limits<std::size_t>::max();
}
}  // namespace

SocketConnection::SocketConnection(asio::ip::tcp::socket socket, p2p::Connection core,
                                   ConnectionOwner& owner, std::uint64_t id)
    : socket_(std::move(socket)),
      handshake_timer_(socket_.get_executor()),
      core_(std::move(core)),
      owner_(&owner),
      id_(id),
      read_buffer_(std::make_unique<std::array<std::uint8_t, kReadBufferBytes>>()) {
  boost::system::error_code error;
  const auto endpoint = socket_.remote_endpoint(error);
  if (!error) {
    remote_ip_ = endpoint.address().to_string();
    remote_port_ = endpoint.port();
    remote_address_ = endpoint.address().is_v6() ? fmt::format("[{}]:{}", remote_ip_, remote_port_)
                                                 : fmt::format("{}:{}", remote_ip_, remote_port_);
  }
  socket_.set_option(asio::ip::tcp::no_delay(true), error);
}

void SocketConnection::start(std::chrono::milliseconds handshake_timeout) {
  handshake_timer_.expires_after(handshake_timeout);
  handshake_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
    if (!error && !self->core_.is_established()) self->close("handshake timeout");
  });
  read_more();
  flush();
}

void SocketConnection::read_more() {
  if (closed_) return;
  socket_.async_read_some(
      asio::buffer(*read_buffer_),
      [self = shared_from_this()](const boost::system::error_code& error, std::size_t size) {
        if (self->closed_) return;
        if (error) {
          self->close(error == asio::error::eof ? "closed by peer" : error.message());
          return;
        }
        const bool was_established = self->core_.is_established();
        auto ok = self->core_.handle_bytes(ByteView(self->read_buffer_->data(), size));
        if (!was_established && self->core_.is_established()) self->handshake_timer_.cancel();
        self->deliver_events();
        if (!ok) {
          self->close(ok.error().message());
          return;
        }
        self->flush();
        if (self->unsent_bytes() > kReadPauseBytes) {
          self->read_paused_ = true;
        } else {
          self->read_more();
        }
      });
}

void SocketConnection::deliver_events() {
  // The owner may open streams or close us while handling an event.
  if (delivering_) return;
  delivering_ = true;
  while (!closed_) {
    auto event = core_.poll_event();
    if (!event) break;
    owner_->on_connection_event(*this, std::move(*event));
  }
  delivering_ = false;
}

void SocketConnection::flush() {
  if (closed_) return;
  if (writing_) {
    core_.hold_transmit();
    return;
  }
  if (take_transmit()) write_more();
}

bool SocketConnection::take_transmit() {
  core_.take_transmit(outbox_);
  if (const auto& failure = core_.sealing_failure()) {
    close(failure->message());
    return false;
  }
  return true;
}

void SocketConnection::write_more() {
  if (writing_ || outbox_.empty() || closed_) return;
  in_flight_.swap(outbox_);
  writing_ = true;
  asio::async_write(
      socket_, asio::buffer(in_flight_), write_everything_left,
      [self = shared_from_this()](const boost::system::error_code& error, std::size_t /*written*/) {
        self->writing_ = false;
        self->in_flight_.clear();
        if (self->closed_) return;
        if (error) {
          self->close(error.message());
          return;
        }
        if (!self->take_transmit()) return;
        if (self->outbox_.empty()) {
          self->owner_->on_connection_drained(*self);
          if (!self->take_transmit()) return;
        }
        self->write_more();
        self->resume_reading();
      });
}

void SocketConnection::resume_reading() {
  if (!read_paused_ || closed_ || unsent_bytes() > kReadResumeBytes) return;
  read_paused_ = false;
  read_more();
}

void SocketConnection::close(const std::string& reason) {
  if (closed_) return;
  auto self = shared_from_this();  // the owner drops its reference in on_connection_closed
  // Last words (a GoAway, a muxer reset) on a best-effort basis: a blocking write of what is
  // queued, bounded because the socket is about to close anyway.
  core_.take_transmit(outbox_);
  closed_ = true;
  handshake_timer_.cancel();
  boost::system::error_code ignored;
  if (!writing_ && !outbox_.empty() && outbox_.size() <= kReadBufferBytes) {
    socket_.non_blocking(true, ignored);
    socket_.write_some(asio::buffer(outbox_), ignored);
  }
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  log(LogLevel::kDebug, "connection {} {} closed: {}", id_, remote_address_, reason);
  owner_->on_connection_closed(*this, reason);
}

}  // namespace waku::runtime
