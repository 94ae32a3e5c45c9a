// SocketConnection: a p2p::Connection core driven by a TCP socket on the node's io_context.
//
// It only moves bytes: what the socket reads goes to the core, what the core transmits goes to
// the socket (one write in flight, the rest accumulating), and the core's events go to the
// owner. Protocol logic lives in the core (wire) and in the node (streams). The owner keeps it
// alive in a shared_ptr; every asynchronous operation holds another reference.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "waku/p2p/connection.hpp"

namespace waku::runtime {

class SocketConnection;

class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  virtual void on_connection_event(SocketConnection& connection, p2p::ConnectionEvent event) = 0;
  // Everything queued was written (for send-window backpressure).
  virtual void on_connection_drained(SocketConnection& connection) = 0;
  // Called once, after the socket is closed; `reason` is for logs and metrics.
  virtual void on_connection_closed(SocketConnection& connection, const std::string& reason) = 0;
};

class SocketConnection : public std::enable_shared_from_this<SocketConnection> {
 public:
  SocketConnection(boost::asio::ip::tcp::socket socket, p2p::Connection core,
                   ConnectionOwner& owner, std::uint64_t id);

  // Starts reading and writes the core's opening bytes. `handshake_timeout`: the connection is
  // closed unless it is established by then.
  void start(std::chrono::milliseconds handshake_timeout);
  p2p::Connection& core() { return core_; }
  [[nodiscard]] std::uint64_t id() const { return id_; }
  [[nodiscard]] const std::string& remote_address() const { return remote_address_; }
  [[nodiscard]] const std::string& remote_ip() const { return remote_ip_; }
  [[nodiscard]] std::uint16_t remote_port() const { return remote_port_; }
  [[nodiscard]] bool is_closed() const { return closed_; }
  // Bytes the streams wrote (past their muxer window) and the socket has not written yet.
  [[nodiscard]] std::size_t unsent_bytes() const {
    return core_.untaken_transmit_bytes() + outbox_.size() + in_flight_.size();
  }

  // Moves what the core has to transmit towards the socket. Call after using core(). While a
  // write is in flight the core only holds it: it is sealed when that write completes, together
  // with whatever else was written until then.
  void flush();
  // Flushes what can be flushed and closes. Idempotent.
  void close(const std::string& reason);

 private:
  void read_more();
  void write_more();
  // Appends what the core has sealed to outbox_; false, and the connection closed, if it can
  // seal no more (its Noise nonces ran out).
  bool take_transmit();
  // Reads again after a pause, once the peer has taken most of what waited for it.
  void resume_reading();
  void deliver_events();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer handshake_timer_;
  p2p::Connection core_;
  ConnectionOwner* owner_;
  std::uint64_t id_;
  std::string remote_address_;  // "ip:port" for logs
  std::string remote_ip_;
  std::uint16_t remote_port_{0};
  static constexpr std::size_t kReadBufferBytes = std::size_t{64} * 1024;
  std::unique_ptr<std::array<std::uint8_t, kReadBufferBytes>> read_buffer_;
  Bytes outbox_;
  Bytes in_flight_;
  bool writing_{false};
  bool closed_{false};
  bool delivering_{false};
  // Reading stops while too much waits to be written (kReadPauseBytes): a peer that sends without
  // reading (pings, requests) cannot make us queue replies without bound. Resumes once most of it
  // is written (resume_reading).
  bool read_paused_{false};
};

}  // namespace waku::runtime
