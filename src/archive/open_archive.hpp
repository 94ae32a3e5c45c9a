// Opens the archive a store node is configured with, from nwaku's `--store-message-db-url`
// syntax: `sqlite://<path>` (nwaku's default is sqlite://store.sqlite3) or
// `postgres://user:password@host:port/db` (also `postgresql://`).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "waku/archive/archive.hpp"
#include "waku/base/result.hpp"

namespace waku::archive {

// Errors: kInvalidArgument for a URL with another or no scheme, or an empty path (detail: the
// URL, with any password removed); the drivers' errors otherwise.
Result<std::unique_ptr<ArchiveDriver>> open_archive(std::string_view url);

// The URL with the password of a postgres URL replaced by "***", for logs and errors.
std::string redact_archive_url(std::string_view url);

}  // namespace waku::archive
