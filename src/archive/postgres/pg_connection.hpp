// libpq plumbing for the PostgreSQL archive driver: owned connections and results, parameters and
// results in PostgreSQL's binary format, and a small blocking connection pool.
//
// Binary format on both directions because the archive moves mostly bytea (hashes, payloads):
// text format would hex-encode every payload on the way in and out, doubling bytes on the wire and
// costing a hex pass per message (the mistake nwaku made in its schema, waku-operators.md §4.2).
// Statements are prepared lazily, once per connection and name, so the pool can reconnect a broken
// connection and re-prepare on demand.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"

namespace waku::archive::postgres {

struct PgResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

struct PgConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConn = std::unique_ptr<PGconn, PgConnDeleter>;

// Type OIDs from PostgreSQL's pg_type.dat; stable across server versions.
inline constexpr Oid kBoolOid = 16;
inline constexpr Oid kByteaOid = 17;
inline constexpr Oid kInt8Oid = 20;
inline constexpr Oid kInt4Oid = 23;
inline constexpr Oid kTextOid = 25;

// Opens a connection from a postgres:// or postgresql:// URI (or a key=value string).
Result<PgConn> connect_to(std::string_view url);

// Runs SQL without parameters (DDL, transaction control); fails unless the command succeeded.
Result<PgResult> exec_simple(PGconn* conn, const char* sql, const char* context);

// The elements of a one-dimensional array parameter, in binary format.
class BinaryArray {
 public:
  explicit BinaryArray(Oid element_type);
  void add_bytes(ByteView bytes);
  void add_int8(std::int64_t value);
  void add_int4(std::int32_t value);
  void add_bool(bool value);
  void add_null();
  // The array's binary wire form; the builder is empty afterwards.
  Bytes finish();

 private:
  void add_length(std::int32_t length);
  Oid element_type_;
  Bytes body_;
  std::int32_t count_{0};
  bool has_null_{false};
};

// Binary-format parameters of one statement.
class Params {
 public:
  void add_bytes(ByteView bytes, Oid type = kByteaOid);
  void add_int8(std::int64_t value);
  void add_array(BinaryArray& array, Oid array_type);
  [[nodiscard]] std::size_t size() const { return values_.size(); }
  [[nodiscard]] const std::vector<Oid>& types() const { return types_; }

  // Executes a prepared statement; results come back in binary format.
  Result<PgResult> exec_prepared(PGconn* conn, const char* name, const char* context) const;

 private:
  std::vector<Bytes> values_;
  std::vector<Oid> types_;
};

// Readers for binary-format result fields. They check the field's length: a mismatch means the
// schema is not what this code expects, which is reported, not trusted.
Result<std::int64_t> get_int8(const PGresult* result, int row, int column);
Result<std::int32_t> get_int4(const PGresult* result, int row, int column);
ByteView get_bytes(const PGresult* result, int row, int column);
bool is_null(const PGresult* result, int row, int column);
// Rows changed by an INSERT/UPDATE/DELETE.
std::uint64_t affected_rows(const PGresult* result);

// One pooled connection and the names of the statements prepared on it.
struct PooledConnection {
  PgConn conn;
  std::set<std::string, std::less<>> prepared;

  // Prepares `sql` as `name` on this connection unless already done.
  Result<void> ensure_prepared(const std::string& name, const std::string& sql,
                               const std::vector<Oid>& types);
  // If the connection is broken, reconnects (statements must be prepared again). True when the
  // connection was broken and is up again.
  bool reconnect_if_broken();
};

// A fixed number of connections shared by the worker threads. acquire() blocks while all are in
// use, at most `wait_max`, so a stalled database turns into errors instead of an ever-growing
// backlog of blocked workers.
class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(ConnectionPool* pool, PooledConnection* connection)
        : pool_(pool), connection_(connection) {}
    Lease(Lease&& other) noexcept
        : pool_(other.pool_), connection_(std::exchange(other.connection_, nullptr)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    [[nodiscard]] PGconn* conn() const { return connection_->conn.get(); }
    PooledConnection& connection() const { return *connection_; }

   private:
    ConnectionPool* pool_;
    PooledConnection* connection_;
  };

  static Result<std::unique_ptr<ConnectionPool>> open(std::string url, std::size_t size,
                                                      std::chrono::milliseconds wait_max);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  ~ConnectionPool();

  // A connection that is up (reconnected if the server dropped it), or an error after wait_max.
  Result<Lease> acquire();
  [[nodiscard]] std::size_t size() const { return connections_.size(); }

 private:
  ConnectionPool(std::string url, std::chrono::milliseconds wait_max)
      : url_(std::move(url)), wait_max_(wait_max) {}
  void release(PooledConnection* connection);

  std::string url_;
  std::chrono::milliseconds wait_max_;
  std::vector<std::unique_ptr<PooledConnection>> connections_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<PooledConnection*> idle_;  // guarded by mutex_
};

}  // namespace waku::archive::postgres
