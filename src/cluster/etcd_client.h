// File: etcd_client.h
// A small synchronous client of etcd's v3 gRPC API (keys, leases, watches, elections, member
// status), over the project's own copy of etcd's protos (proto/etcd). It keeps one channel per
// endpoint and moves to the next endpoint when one does not answer, authenticates with a user
// and password when given (re-authenticating when etcd drops the token), and speaks TLS when an
// endpoint is https:// or a CA is set. Errors name the config key the endpoints came from.
//
//   ASSIGN_OR_RETURN(auto etcd, EtcdClient::Connect({.endpoints = {"127.0.0.1:2379"},
//                                                    .config_key = "master.cluster_registry"}));
//   ASSIGN_OR_RETURN(Lease lease, etcd->GrantLease(5));
//   ASSIGN_OR_RETURN(bool created, etcd->CreateKey("/Asgard/a/1", "10.0.0.1:9527", lease.id));
//
// Thread-safety: every method may be called from any thread; the blocking ones (Campaign,
// WatchPrefix) end early when their CallCancel is cancelled from another thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace grpc {
class ClientContext;
}

namespace asgard::cluster {

struct EtcdOptions {
  std::vector<std::string> endpoints;  // host:port, http://host:port or https://host:port
  std::string username;                // "" = no authentication
  std::string password;
  std::string ca_file;    // PEM; set (or an https:// endpoint) = TLS
  std::string cert_file;  // PEM client certificate, with key_file: mutual TLS
  std::string key_file;
  // The key the endpoints come from ("master.cluster_registry"): errors name it, and the
  // credential keys beside it.
  std::string config_key = "cluster_registry";
  std::chrono::milliseconds call_timeout{2000};
};

struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t lease = 0;
};

struct Lease {
  int64_t id = 0;
  int64_t ttl = 0;  // seconds, as etcd granted it (3.4 raises short TTLs)
};

// Held by an election's leader: deleting `key` (or its lease ending) ends the leadership, and
// `rev` (the key's creation revision) orders leaders: a later leader has a larger rev.
struct LeaderKey {
  std::string name;
  std::string key;
  int64_t rev = 0;
  int64_t lease = 0;
};

struct WatchEvent {
  bool deleted = false;
  KeyValue kv;  // for a delete, the key (and its mod_revision)
};

struct MemberStatus {
  std::string endpoint;
  bool reachable = false;
  std::string error;  // why not
  std::string version;
  uint64_t id = 0;
  bool is_leader = false;
  std::vector<std::string> alarms;  // etcd's own errors (e.g. NOSPACE)
};

// Lets one thread end another's blocking call (Campaign, WatchPrefix). Cancel() is sticky.
class CallCancel {
 public:
  void Cancel();
  bool cancelled() const;

 private:
  friend class EtcdClient;
  // Binds the call in progress so Cancel() reaches it; false when already cancelled.
  bool Attach(grpc::ClientContext* ctx);
  void Detach();

  mutable std::mutex mu_;
  bool cancelled_ = false;
  grpc::ClientContext* active_ = nullptr;
};

class EtcdClient {
 public:
  // Checks the options (files readable, endpoints well-formed) and authenticates when a user is
  // set; does not require etcd to answer (a master starts while etcd is down), except that
  // refused credentials are an error at once.
  static absl::StatusOr<std::unique_ptr<EtcdClient>> Connect(EtcdOptions options);
  ~EtcdClient();

  absl::StatusOr<Lease> GrantLease(int64_t ttl_seconds);
  // One keep-alive; returns the lease's TTL again, NotFound when the lease is gone (expired or
  // revoked).
  absl::StatusOr<int64_t> KeepAlive(int64_t lease_id);
  absl::Status RevokeLease(int64_t lease_id);

  // Creates `key` only when it does not exist (one transaction); false when it exists, and
  // then `existing` (when given) holds it.
  absl::StatusOr<bool> CreateKey(const std::string& key, const std::string& value,
                                 int64_t lease_id, KeyValue* existing = nullptr);
  absl::StatusOr<std::optional<KeyValue>> Get(const std::string& key);
  // Every key under `prefix`, and the store revision they were read at (watch from it + 1).
  absl::StatusOr<std::vector<KeyValue>> GetPrefix(const std::string& prefix,
                                                  int64_t* revision = nullptr);
  absl::Status Delete(const std::string& key);

  // Blocks until the holder of `lease_id` leads `election`, or `cancel` fires (Cancelled).
  absl::StatusOr<LeaderKey> Campaign(const std::string& election, int64_t lease_id,
                                     const std::string& value, CallCancel& cancel);
  // The current leader's key-value (value = what it campaigned with); nullopt when none.
  absl::StatusOr<std::optional<KeyValue>> Leader(const std::string& election);
  absl::Status Resign(const LeaderKey& leader);

  // Streams changes under `prefix` from `start_revision` to `on_events` until `cancel` fires
  // (returns OK) or the stream breaks (returns why; the caller reads again and re-watches).
  // `on_events` also gets the revision each response was sent at.
  absl::Status WatchPrefix(const std::string& prefix, int64_t start_revision,
                           const std::function<void(const std::vector<WatchEvent>&)>& on_events,
                           CallCancel& cancel);

  // Each endpoint asked on its own (no moving on): what `asgard cluster status` prints.
  std::vector<MemberStatus> MemberStatuses();

  const EtcdOptions& options() const { return options_; }

 private:
  struct Endpoint;
  explicit EtcdClient(EtcdOptions options);
  absl::Status Init();

  // Runs `call` against the current endpoint, moving to the next one while an endpoint is
  // unreachable (each endpoint tried once) and authenticating again once when the token was
  // refused.
  absl::Status Call(const std::function<absl::Status(Endpoint&, grpc::ClientContext&)>& call,
                    std::chrono::milliseconds timeout);
  absl::Status Authenticate(Endpoint& endpoint);
  void Prepare(grpc::ClientContext& ctx, std::chrono::milliseconds timeout);
  // Names the key and the endpoint in a failed call's message.
  absl::Status Describe(const absl::Status& status, const Endpoint& endpoint) const;

  EtcdOptions options_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  mutable std::mutex mu_;
  size_t current_ = 0;   // guarded by mu_
  std::string token_;    // guarded by mu_; "" = none (no auth, or not yet)
};

// "/Asgard/<name>/" and "/Asgard-leader/<name>": the original's member keys, and the election
// kept outside the prefix agents watch.
std::string MembersPrefix(const std::string& cluster_name);
std::string ElectionName(const std::string& cluster_name);

}  // namespace asgard::cluster
