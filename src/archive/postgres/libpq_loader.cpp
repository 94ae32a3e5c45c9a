// libpq, loaded when the first PostgreSQL archive is opened instead of at process start.
//
// Debian's libpq pulls in Kerberos, LDAP, GnuTLS and their dependencies; linked normally, they
// are loaded and initialised by every wakunode, which costs ~3 MB of resident memory even for a
// node with no store or with SQLite (measured: idle RSS 14.1 MB linked, see docs/benchmarks.md).
// So the functions the driver uses are defined here with libpq's own signatures and forwarded
// to libpq.so.5 opened with dlopen on first use. Without the library, connecting fails with a
// clear message instead of the process failing to start.
#include <dlfcn.h>
#include <libpq-fe.h>

#include <mutex>

namespace {

constexpr const char* kLibpq = "libpq.so.5";
constexpr const char* kMissing =
    "libpq.so.5 could not be loaded (install libpq5 for postgres:// archives)\n";

struct Libpq {
  void* handle{nullptr};
  template <typename F>
  F get(const char* name) const {
    // dlsym returns the function as void*; converting it back is what POSIX prescribes.
    return handle ? reinterpret_cast<F>(dlsym(handle, name)) : nullptr;  // NOLINT
  }
};

const Libpq& libpq() {
  static std::once_flag once;
  static Libpq lib;
  std::call_once(once, [] { lib.handle = dlopen(kLibpq, RTLD_NOW | RTLD_LOCAL); });
  return lib;
}

template <typename F>
F fn(const char* name) {
  return libpq().get<F>(name);
}

}  // namespace

extern "C" {

PGconn* PQconnectdbParams(const char* const* keywords, const char* const* values,
                          int expand_dbname) {
  static const auto f = fn<decltype(&PQconnectdbParams)>("PQconnectdbParams");
  return f ? f(keywords, values, expand_dbname) : nullptr;
}

ConnStatusType PQstatus(const PGconn* conn) {
  static const auto f = fn<decltype(&PQstatus)>("PQstatus");
  return f && conn ? f(conn) : CONNECTION_BAD;
}

char* PQerrorMessage(const PGconn* conn) {
  static const auto f = fn<decltype(&PQerrorMessage)>("PQerrorMessage");
  return f && conn ? f(conn) : const_cast<char*>(kMissing);  // NOLINT: libpq's signature
}

void PQfinish(PGconn* conn) {
  static const auto f = fn<decltype(&PQfinish)>("PQfinish");
  if (f && conn) f(conn);
}

void PQreset(PGconn* conn) {
  static const auto f = fn<decltype(&PQreset)>("PQreset");
  if (f && conn) f(conn);
}

PGTransactionStatusType PQtransactionStatus(const PGconn* conn) {
  static const auto f = fn<decltype(&PQtransactionStatus)>("PQtransactionStatus");
  return f && conn ? f(conn) : PQTRANS_UNKNOWN;
}

PQnoticeProcessor PQsetNoticeProcessor(PGconn* conn, PQnoticeProcessor proc, void* arg) {
  static const auto f = fn<decltype(&PQsetNoticeProcessor)>("PQsetNoticeProcessor");
  return f && conn ? f(conn, proc, arg) : nullptr;
}

PGresult* PQexec(PGconn* conn, const char* query) {
  static const auto f = fn<decltype(&PQexec)>("PQexec");
  return f && conn ? f(conn, query) : nullptr;
}

PGresult* PQprepare(PGconn* conn, const char* name, const char* query, int n_params,
                    const Oid* param_types) {
  static const auto f = fn<decltype(&PQprepare)>("PQprepare");
  return f && conn ? f(conn, name, query, n_params, param_types) : nullptr;
}

PGresult* PQexecPrepared(PGconn* conn, const char* name, int n_params,
                         const char* const* param_values, const int* param_lengths,
                         const int* param_formats, int result_format) {
  static const auto f = fn<decltype(&PQexecPrepared)>("PQexecPrepared");
  return f && conn
             ? f(conn, name, n_params, param_values, param_lengths, param_formats, result_format)
             : nullptr;
}

ExecStatusType PQresultStatus(const PGresult* result) {
  static const auto f = fn<decltype(&PQresultStatus)>("PQresultStatus");
  return f && result ? f(result) : PGRES_FATAL_ERROR;
}

char* PQresultErrorMessage(const PGresult* result) {
  static const auto f = fn<decltype(&PQresultErrorMessage)>("PQresultErrorMessage");
  return f && result ? f(result) : const_cast<char*>(kMissing);  // NOLINT: libpq's signature
}

void PQclear(PGresult* result) {
  static const auto f = fn<decltype(&PQclear)>("PQclear");
  if (f && result) f(result);
}

int PQntuples(const PGresult* result) {
  static const auto f = fn<decltype(&PQntuples)>("PQntuples");
  return f && result ? f(result) : 0;
}

char* PQgetvalue(const PGresult* result, int row, int column) {
  static const auto f = fn<decltype(&PQgetvalue)>("PQgetvalue");
  return f && result ? f(result, row, column) : nullptr;
}

int PQgetlength(const PGresult* result, int row, int column) {
  static const auto f = fn<decltype(&PQgetlength)>("PQgetlength");
  return f && result ? f(result, row, column) : 0;
}

int PQgetisnull(const PGresult* result, int row, int column) {
  static const auto f = fn<decltype(&PQgetisnull)>("PQgetisnull");
  return f && result ? f(result, row, column) : 1;
}

char* PQcmdTuples(PGresult* result) {
  static const auto f = fn<decltype(&PQcmdTuples)>("PQcmdTuples");
  return f && result ? f(result) : const_cast<char*>("");  // NOLINT: libpq's signature
}

}  // extern "C"
