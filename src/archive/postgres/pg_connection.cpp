#include "archive/postgres/pg_connection.hpp"

#include <array>
#include <cstring>
#include <utility>

namespace waku::archive::postgres {
namespace {

void append_be32(Bytes& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(value >> static_cast<unsigned>(shift)));
  }
}

std::uint64_t read_be(const char* data, std::size_t size) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i) {
    value = (value << 8U) | static_cast<std::uint8_t>(data[i]);
  }
  return value;
}

// libpq's messages end with a newline; logs read better without it.
std::string trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

Error result_error(const char* context, PGconn* conn, const PGresult* result) {
  std::string detail = result != nullptr ? trimmed(PQresultErrorMessage(result)) : "";
  if (detail.empty()) detail = trimmed(PQerrorMessage(conn));
  return make_error(Errc::kIo, context, std::move(detail));
}

Result<PgResult> checked(PGconn* conn, PGresult* raw, const char* context) {
  PgResult result(raw);
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return unexpected(result_error(context, conn, result.get()));
  }
  return result;
}

}  // namespace

Result<PgConn> connect_to(std::string_view url) {
  const std::string dbname(url);
  // connect_timeout comes before the URL so that a URL may override it; the application name is
  // a fallback for the same reason. Both make a stuck or busy server visible in pg_stat_activity.
  const std::array<const char*, 4> keys{"connect_timeout", "dbname", "fallback_application_name",
                                        nullptr};
  const std::array<const char*, 4> values{"10", dbname.c_str(), "waku-archive", nullptr};
  PgConn conn(PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1));
  if (!conn) return unexpected(Errc::kIo, "postgres: out of memory connecting");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return unexpected(
        make_error(Errc::kIo, "postgres: connect", trimmed(PQerrorMessage(conn.get()))));
  }
  // Silence NOTICEs ("relation already exists, skipping"): libpq prints them to stderr.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  return conn;
}

Result<PgResult> exec_simple(PGconn* conn, const char* sql, const char* context) {
  return checked(conn, PQexec(conn, sql), context);
}

BinaryArray::BinaryArray(Oid element_type) : element_type_(element_type) { body_.reserve(256); }

void BinaryArray::add_length(std::int32_t length) {
  append_be32(body_, static_cast<std::uint32_t>(length));
  ++count_;
}

void BinaryArray::add_bytes(ByteView bytes) {
  add_length(static_cast<std::int32_t>(bytes.size()));
  body_.insert(body_.end(), bytes.begin(), bytes.end());
}

void BinaryArray::add_int8(std::int64_t value) {
  add_length(8);
  append_u64_be(body_, static_cast<std::uint64_t>(value));
}

void BinaryArray::add_int4(std::int32_t value) {
  add_length(4);
  append_be32(body_, static_cast<std::uint32_t>(value));
}

void BinaryArray::add_bool(bool value) {
  add_length(1);
  body_.push_back(value ? 1 : 0);
}

void BinaryArray::add_null() {
  add_length(-1);
  has_null_ = true;
}

Bytes BinaryArray::finish() {
  // array_recv's layout: ndim, has-null flag, element type, then per dimension its length and
  // lower bound, then the elements (each a length, -1 for NULL, and its bytes).
  Bytes out;
  out.reserve(20 + body_.size());
  append_be32(out, count_ == 0 ? 0 : 1);
  append_be32(out, has_null_ ? 1 : 0);
  append_be32(out, element_type_);
  if (count_ > 0) {
    append_be32(out, static_cast<std::uint32_t>(count_));
    append_be32(out, 1);
  }
  out.insert(out.end(), body_.begin(), body_.end());
  body_.clear();
  count_ = 0;
  has_null_ = false;
  return out;
}

void Params::add_bytes(ByteView bytes, Oid type) {
  values_.emplace_back(bytes.begin(), bytes.end());
  types_.push_back(type);
}

void Params::add_int8(std::int64_t value) {
  const auto be = u64_be(static_cast<std::uint64_t>(value));
  values_.emplace_back(be.begin(), be.end());
  types_.push_back(kInt8Oid);
}

void Params::add_array(BinaryArray& array, Oid array_type) {
  values_.push_back(array.finish());
  types_.push_back(array_type);
}

Result<PgResult> Params::exec_prepared(PGconn* conn, const char* name, const char* context) const {
  std::vector<const char*> pointers;
  std::vector<int> lengths;
  std::vector<int> formats(values_.size(), 1);
  pointers.reserve(values_.size());
  lengths.reserve(values_.size());
  for (const auto& value : values_) {
    // A non-null pointer even for an empty value: libpq reads a null pointer as SQL NULL.
    pointers.push_back(value.empty() ? "" : reinterpret_cast<const char*>(value.data()));
    lengths.push_back(static_cast<int>(value.size()));
  }
  return checked(conn,
                 PQexecPrepared(conn, name, static_cast<int>(values_.size()), pointers.data(),
                                lengths.data(), formats.data(), /*resultFormat=*/1),
                 context);
}

Result<std::int64_t> get_int8(const PGresult* result, int row, int column) {
  if (PQgetisnull(result, row, column) != 0 || PQgetlength(result, row, column) != 8) {
    return unexpected(Errc::kInternal, "postgres: expected a bigint");
  }
  return static_cast<std::int64_t>(read_be(PQgetvalue(result, row, column), 8));
}

Result<std::int32_t> get_int4(const PGresult* result, int row, int column) {
  if (PQgetisnull(result, row, column) != 0 || PQgetlength(result, row, column) != 4) {
    return unexpected(Errc::kInternal, "postgres: expected an integer");
  }
  return static_cast<std::int32_t>(
      static_cast<std::uint32_t>(read_be(PQgetvalue(result, row, column), 4)));
}

ByteView get_bytes(const PGresult* result, int row, int column) {
  const auto length = PQgetlength(result, row, column);
  return {reinterpret_cast<const std::uint8_t*>(PQgetvalue(result, row, column)),
          static_cast<std::size_t>(length)};
}

bool is_null(const PGresult* result, int row, int column) {
  return PQgetisnull(result, row, column) != 0;
}

std::uint64_t affected_rows(const PGresult* result) {
  const char* text = PQcmdTuples(const_cast<PGresult*>(result));
  std::uint64_t value = 0;
  for (; text != nullptr && *text >= '0' && *text <= '9'; ++text) {
    value = value * 10 + static_cast<std::uint64_t>(*text - '0');
  }
  return value;
}

Result<void> PooledConnection::ensure_prepared(const std::string& name, const std::string& sql,
                                               const std::vector<Oid>& types) {
  if (prepared.contains(name)) return ok();
  auto result = checked(conn.get(),
                        PQprepare(conn.get(), name.c_str(), sql.c_str(),
                                  static_cast<int>(types.size()), types.data()),
                        "postgres: prepare");
  if (!result) return unexpected(result.error());
  prepared.insert(name);
  return ok();
}

bool PooledConnection::reconnect_if_broken() {
  if (PQstatus(conn.get()) == CONNECTION_OK) return false;
  PQreset(conn.get());
  prepared.clear();
  return PQstatus(conn.get()) == CONNECTION_OK;
}

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::open(std::string url, std::size_t size,
                                                             std::chrono::milliseconds wait_max) {
  if (size == 0) return unexpected(Errc::kInvalidArgument, "postgres: pool size must be >= 1");
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(std::move(url), wait_max));
  for (std::size_t i = 0; i < size; ++i) {
    auto conn = connect_to(pool->url_);
    if (!conn) return unexpected(conn.error());
    pool->connections_.push_back(
        std::make_unique<PooledConnection>(PooledConnection{std::move(conn).value(), {}}));
    pool->idle_.push_back(pool->connections_.back().get());
  }
  return pool;
}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease::~Lease() {
  if (connection_ != nullptr) pool_->release(connection_);
}

Result<ConnectionPool::Lease> ConnectionPool::acquire() {
  PooledConnection* connection = nullptr;
  {
    std::unique_lock lock(mutex_);
    if (!available_.wait_for(lock, wait_max_, [this] { return !idle_.empty(); })) {
      return unexpected(Errc::kLimitExceeded, "postgres: no free connection in the pool");
    }
    connection = idle_.back();
    idle_.pop_back();
  }
  Lease lease(this, connection);
  // The server went away (restart, failover, idle timeout) after an earlier call noticed:
  // reconnect here rather than failing every later call on this connection.
  connection->reconnect_if_broken();
  if (PQstatus(connection->conn.get()) != CONNECTION_OK) {
    return unexpected(make_error(Errc::kIo, "postgres: reconnect",
                                 trimmed(PQerrorMessage(connection->conn.get()))));
  }
  return lease;
}

void ConnectionPool::release(PooledConnection* connection) {
  PGconn* conn = connection->conn.get();
  // A caller that failed mid-transaction leaves it open; the next user must start clean.
  if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
    PgResult rollback(PQexec(conn, "ROLLBACK"));
  }
  {
    const std::lock_guard lock(mutex_);
    idle_.push_back(connection);
  }
  available_.notify_one();
}

}  // namespace waku::archive::postgres
