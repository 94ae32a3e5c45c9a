// Ingest and query benchmark of an archive driver, through the same ArchiveDriver interface the
// store node uses:
//   archive_bench URL [--messages N] [--batch B] [--shards S] [--topics T] [--queries Q]
// URL is what --store-message-db-url takes (sqlite://path, postgres://...). A PostgreSQL archive
// is reset first (all its messages are dropped); give SQLite a fresh path.
//
// It generates N messages of 1.5-2.5 KiB (incompressible, like the encrypted payloads Status
// sends) over S shards and T content topics with a skewed popularity (a few busy community
// topics, a long tail), timestamps spread over the last 48 h in arrival order; measures the
// ingest rate with batched put(); then the latency (p50/p99) of the store queries clients make:
// one pubsub topic, 1/10/30 content topics, the last 24 h, pages of 20 and 100, following the
// cursor for up to 3 further pages; and the bytes on disk per message. PostgreSQL is vacuumed
// between ingest and queries (see vacuum_postgres_archive).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "archive/open_archive.hpp"
#include "archive/postgres/postgres_driver.hpp"
#include "waku/message/message_hash.hpp"

namespace {

using waku::archive::ArchivedMessage;
using waku::archive::ArchiveDriver;
using waku::archive::ArchiveQuery;
using Clock = std::chrono::steady_clock;

// splitmix64: a fixed generator so that runs with the same arguments store the same data.
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31U);
  }
  double unit() { return static_cast<double>(next() >> 11U) * 0x1.0p-53; }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
};

struct Options {
  std::string url;
  std::size_t messages{100'000};
  std::size_t batch{500};
  std::size_t shards{8};
  std::size_t topics{300};
  std::size_t queries{200};
};

constexpr std::int64_t kHourNs = 3'600'000'000'000;
constexpr std::int64_t kNowNs = 1'750'000'000'000'000'000;

std::string pubsub_topic(std::size_t shard) { return "/waku/2/rs/16/" + std::to_string(shard); }
std::string content_topic(std::size_t topic) {
  return "/status/1/community-" + std::to_string(topic) + "/proto";
}
// Topic popularity: the cube of a uniform variable concentrates traffic on the first topics.
std::size_t pick_topic(SplitMix& rng, std::size_t topics) {
  const double u = rng.unit();
  return std::min(topics - 1, static_cast<std::size_t>(static_cast<double>(topics) * u * u * u));
}

// Generates the messages in order, batch by batch: at 10M messages of ~2 KiB the whole set would
// not fit in memory (an earlier version kept it all and drove the machine into swap).
class Generator {
 public:
  explicit Generator(const Options& options) : options_(options) {}

  std::vector<ArchivedMessage> next(std::size_t count) {
    std::vector<ArchivedMessage> out;
    const std::int64_t span = 48 * kHourNs;
    for (; out.size() < count && index_ < options_.messages; ++index_) {
      ArchivedMessage archived;
      archived.pubsub_topic = pubsub_topic(rng_.below(options_.shards));
      auto& message = archived.message;
      message.content_topic = content_topic(pick_topic(rng_, options_.topics));
      waku::Bytes payload(1536 + rng_.below(1024));
      for (std::size_t j = 0; j < payload.size(); j += 8) {
        const std::uint64_t word = rng_.next();
        for (std::size_t k = 0; k < 8 && j + k < payload.size(); ++k) {
          payload[j + k] = static_cast<std::uint8_t>(word >> (8U * k));
        }
      }
      message.payload = std::move(payload);
      message.version = 0;
      // Arrival order with up to 1 s of jitter, as a relay node sees them.
      message.timestamp =
          kNowNs - span +
          static_cast<std::int64_t>(static_cast<double>(span) * static_cast<double>(index_) /
                                    static_cast<double>(options_.messages)) +
          static_cast<std::int64_t>(rng_.below(1'000'000'000));
      archived.hash = waku::message::deterministic_message_hash(archived.pubsub_topic, message);
      out.push_back(std::move(archived));
    }
    return out;
  }

  // Messages generated so far.
  [[nodiscard]] std::size_t generated() const { return index_; }

 private:
  const Options& options_;
  SplitMix rng_{42};
  std::size_t index_{0};
};

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(samples.size() - 1));
  return samples[index];
}

bool parse_args(int argc, char** argv, Options& options) {
  if (argc < 2) return false;
  options.url = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const auto value = static_cast<std::size_t>(std::strtoull(argv[i + 1], nullptr, 10));
    if (value == 0) return false;
    if (flag == "--messages") {
      options.messages = value;
    } else if (flag == "--batch") {
      options.batch = value;
    } else if (flag == "--shards") {
      options.shards = value;
    } else if (flag == "--topics") {
      options.topics = value;
    } else if (flag == "--queries") {
      options.queries = value;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_args(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: %s URL [--messages N] [--batch B] [--shards S] [--topics T]"
                 " [--queries Q]\n",
                 argv[0]);
    return 2;
  }
  const bool postgres = options.url.starts_with("postgres");
  if (postgres) {
    auto reset = waku::archive::postgres::reset_postgres_archive(options.url);
    if (!reset) {
      std::fprintf(stderr, "reset failed: %s\n", reset.error().detail.c_str());
      return 1;
    }
  }
  auto opened = waku::archive::open_archive(options.url);
  if (!opened) {
    std::fprintf(stderr, "open failed: %s %s\n", opened.error().context,
                 opened.error().detail.c_str());
    return 1;
  }
  ArchiveDriver& driver = **opened;

  std::printf("generating %zu messages (%zu shards, %zu content topics)\n", options.messages,
              options.shards, options.topics);
  Generator generator(options);
  std::size_t payload_bytes = 0;
  Clock::duration ingest_time{};
  std::size_t stored = 0;
  for (;;) {
    const auto batch = generator.next(options.batch);
    if (batch.empty()) break;
    for (const auto& m : batch) payload_bytes += m.message.payload.size();
    const auto put_start = Clock::now();
    auto put = driver.put(batch);
    ingest_time += Clock::now() - put_start;
    if (!put) {
      std::fprintf(stderr, "put failed: %s %s\n", put.error().context, put.error().detail.c_str());
      return 1;
    }
    stored += *put;
    // Progress on stderr every 5 % (a 10M-message run takes up to 20 minutes).
    const std::size_t step = std::max<std::size_t>(options.messages / 20, 1);
    const std::size_t done = generator.generated();
    if (done / step != (done - batch.size()) / step) {
      std::fprintf(
          stderr, "  ingest: %zu/%zu messages, %.0f msg/s so far\n", done, options.messages,
          static_cast<double>(stored) / std::chrono::duration<double>(ingest_time).count());
    }
  }
  // Only the time spent in put() counts: generating the messages is not the archive's work.
  const double ingest_s = std::chrono::duration<double>(ingest_time).count();
  std::printf("ingest: %zu stored in %.2f s: %.0f msg/s, %.1f MB/s of payload (batch %zu)\n",
              stored, ingest_s, static_cast<double>(stored) / ingest_s,
              static_cast<double>(payload_bytes) / ingest_s / 1e6, options.batch);

  // Re-ingesting the same messages (another node's copies) must store nothing.
  Generator again(options);
  const auto duplicates = again.next(std::min<std::size_t>(options.messages, 20'000));
  const auto dup_start = Clock::now();
  std::size_t duplicates_stored = 0;
  for (std::size_t begin = 0; begin < duplicates.size(); begin += options.batch) {
    const auto count = std::min(options.batch, duplicates.size() - begin);
    duplicates_stored += driver.put(std::span(duplicates).subspan(begin, count)).value_or(0);
  }
  const double dup_s = std::chrono::duration<double>(Clock::now() - dup_start).count();
  std::printf("re-ingest of duplicates: %.0f msg/s, %zu stored (must be 0)\n",
              static_cast<double>(duplicates.size()) / dup_s, duplicates_stored);
  if (postgres) {
    // The ingest above is weeks of a node's traffic in minutes, faster than autovacuum runs;
    // queries are measured on the table as a running node has it, vacuumed (schema step 2).
    const auto vacuum_start = Clock::now();
    if (auto vacuumed = waku::archive::postgres::vacuum_postgres_archive(options.url); !vacuumed) {
      std::fprintf(stderr, "vacuum failed: %s\n", vacuumed.error().detail.c_str());
      return 1;
    }
    std::printf("vacuum (what autovacuum does on a running node): %.1f s\n",
                std::chrono::duration<double>(Clock::now() - vacuum_start).count());
  }
  std::fflush(stdout);

  struct Kind {
    const char* name;
    std::size_t content_topics;
    std::size_t page;
    waku::archive::IncludeData data;
  };
  const std::vector<Kind> kinds{
      {"1 topic, page 20", 1, 20, waku::archive::IncludeData::kFull},
      {"1 topic, page 100", 1, 100, waku::archive::IncludeData::kFull},
      {"10 topics, page 20", 10, 20, waku::archive::IncludeData::kFull},
      {"30 topics, page 100", 30, 100, waku::archive::IncludeData::kFull},
      {"10 topics, page 100, hashes", 10, 100, waku::archive::IncludeData::kHashesOnly},
  };
  SplitMix rng{7};
  std::printf("%-30s %10s %10s %10s %10s\n", "query (last 24 h, backward)", "first p50",
              "first p99", "next p50", "next p99");
  for (const auto& kind : kinds) {
    std::vector<double> first_ms;
    std::vector<double> next_ms;
    for (std::size_t q = 0; q < options.queries; ++q) {
      ArchiveQuery query;
      query.pubsub_topic = pubsub_topic(rng.below(options.shards));
      for (std::size_t t = 0; t < kind.content_topics; ++t) {
        query.content_topics.push_back(content_topic(pick_topic(rng, options.topics)));
      }
      query.start_time_ns = kNowNs - 24 * kHourNs;
      query.end_time_ns = kNowNs;
      query.limit = kind.page;
      query.include_data = kind.data;
      for (int page = 0; page < 4; ++page) {
        const auto start = Clock::now();
        auto result = driver.query(query);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (!result) {
          std::fprintf(stderr, "query failed: %s %s\n", result.error().context,
                       result.error().detail.c_str());
          return 1;
        }
        (page == 0 ? first_ms : next_ms).push_back(ms);
        if (!result->next_cursor) break;
        query.cursor = result->next_cursor;
      }
    }
    std::printf("%-30s %8.2f ms %7.2f ms %7.2f ms %7.2f ms\n", kind.name, percentile(first_ms, 0.5),
                percentile(first_ms, 0.99), percentile(next_ms, 0.5), percentile(next_ms, 0.99));
  }

  auto count = driver.message_count();
  auto size = driver.size_bytes();
  if (count && size && *count > 0) {
    std::printf("disk: %.1f MB for %llu messages: %.0f bytes/message (mean payload %.0f)\n",
                static_cast<double>(*size) / 1e6, static_cast<unsigned long long>(*count),
                static_cast<double>(*size) / static_cast<double>(*count),
                static_cast<double>(payload_bytes) / static_cast<double>(options.messages));
  }
  return 0;
}
