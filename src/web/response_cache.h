// File: response_cache.h
// The JSON of recently asked list pages, so that the same page asked again (consoles polling a
// task list, many operators on one page, a monitoring probe) is not queried and printed again.
// An entry answers while the store has finished no write since before it was made
// (Store::WriteCount) and for at most the TTL (1 s by default): the TTL bounds what the count
// cannot see, a write by another process on the same database (a master on MySQL, the CLI) and
// the clock (a job's next_run_at).
//
//   uint64_t writes = store.WriteCount();  // before the queries
//   if (auto text = cache.Get(key, writes)) return OkJsonText(*text);
//   ...queries, print...
//   cache.Put(key, writes, text);
//
// The key must name everything the text depends on besides the store: the route, its
// parameters, and whose rows the caller may see.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace asgard::web {

class ResponseCache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Text = std::shared_ptr<const std::string>;

  explicit ResponseCache(std::chrono::milliseconds ttl = std::chrono::seconds(1),
                         Clock now = &std::chrono::steady_clock::now);
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // The text kept under `key` when it was made at write count `writes` and is younger than the
  // TTL; null otherwise.
  Text Get(const std::string& key, uint64_t writes) ABSL_LOCKS_EXCLUDED(mu_);
  // Keeps `text`, made from what the store held at write count `writes`. Texts over 1 MiB are
  // not kept (a page of 1,000 tasks is about 700 kB).
  void Put(const std::string& key, uint64_t writes, std::string text) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    uint64_t writes;
    std::chrono::steady_clock::time_point made_at;
    Text text;
  };

  const std::chrono::milliseconds ttl_;
  const Clock now_;
  absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace asgard::web
