#include "archive/open_archive.hpp"

#include <string>

#include "archive/sqlite/sqlite_driver.hpp"

// The PostgreSQL driver is built alongside; the guard keeps this file building while it is not.
#if __has_include("archive/postgres/postgres_driver.hpp")
#include "archive/postgres/postgres_driver.hpp"
#define WAKU_HAS_POSTGRES_DRIVER 1
#else
#define WAKU_HAS_POSTGRES_DRIVER 0
#endif

namespace waku::archive {

std::string redact_archive_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const auto authority_start = scheme_end + 3;
  const auto at = url.find('@', authority_start);
  const auto slash = url.find('/', authority_start);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return std::string(url);
  }
  const auto colon = url.find(':', authority_start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

Result<std::unique_ptr<ArchiveDriver>> open_archive(std::string_view url) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.starts_with(kSqlite)) {
    const std::string_view path = url.substr(kSqlite.size());
    if (path.empty()) {
      return unexpected(make_error(Errc::kInvalidArgument,
                                   "archive url: sqlite:// needs a file path", std::string(url)));
    }
    return sqlite::open_sqlite_archive(path);
  }
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
#if WAKU_HAS_POSTGRES_DRIVER
    return postgres::open_postgres_archive(url);
#else
    return unexpected(make_error(Errc::kUnsupported, "archive url: PostgreSQL support is not built",
                                 redact_archive_url(url)));
#endif
  }
  return unexpected(make_error(Errc::kInvalidArgument,
                               "archive url: expected sqlite://<path> or postgres://...",
                               redact_archive_url(url)));
}

}  // namespace waku::archive
