#include "cluster/etcd_client.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "etcd/etcdserverpb/rpc.grpc.pb.h"
#include "etcd/v3electionpb/v3election.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace asgard::cluster {

namespace pb = etcdserverpb;

struct EtcdClient::Endpoint {
  std::string address;  // host:port
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<pb::KV::Stub> kv;
  std::unique_ptr<pb::Lease::Stub> lease;
  std::unique_ptr<pb::Watch::Stub> watch;
  std::unique_ptr<pb::Maintenance::Stub> maintenance;
  std::unique_ptr<pb::Auth::Stub> auth;
  std::unique_ptr<v3electionpb::Election::Stub> election;
};

namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat(key, ": cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status FromGrpc(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

// An endpoint that did not answer (down, partitioned, or without a raft leader): another
// member may.
bool TryAnother(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
         s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

bool TokenRefused(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
         absl::StrContains(s.error_message(), "invalid auth token");
}

// The first key after every key that starts with `prefix`: etcd's range end for a prefix.
std::string PrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) < 0xff) {
      end.back() = static_cast<char>(end.back() + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

KeyValue FromPb(const mvccpb::KeyValue& kv) {
  return {kv.key(), kv.value(), kv.create_revision(), kv.mod_revision(), kv.lease()};
}

}  // namespace

void CallCancel::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  if (active_ != nullptr) active_->TryCancel();
}

bool CallCancel::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

bool CallCancel::Attach(grpc::ClientContext* ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return false;
  active_ = ctx;
  return true;
}

void CallCancel::Detach() {
  std::lock_guard<std::mutex> lock(mu_);
  active_ = nullptr;
}

std::string MembersPrefix(const std::string& cluster_name) {
  return absl::StrCat("/Asgard/", cluster_name, "/");
}

std::string ElectionName(const std::string& cluster_name) {
  return absl::StrCat("/Asgard-leader/", cluster_name);
}

EtcdClient::EtcdClient(EtcdOptions options) : options_(std::move(options)) {}
EtcdClient::~EtcdClient() = default;

absl::StatusOr<std::unique_ptr<EtcdClient>> EtcdClient::Connect(EtcdOptions options) {
  std::unique_ptr<EtcdClient> client(new EtcdClient(std::move(options)));
  if (auto s = client->Init(); !s.ok()) return s;
  return client;
}

absl::Status EtcdClient::Init() {
  const std::string& key = options_.config_key;
  if (options_.endpoints.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(key, " is empty: list the etcd endpoints "
                                                        "(host:port)"));
  }
  bool tls = !options_.ca_file.empty() || !options_.cert_file.empty();
  std::vector<std::string> addresses;
  for (const std::string& raw : options_.endpoints) {
    std::string address = raw;
    if (absl::StartsWith(address, "https://")) {
      tls = true;
      address = address.substr(8);
    } else if (absl::StartsWith(address, "http://")) {
      address = address.substr(7);
    }
    while (!address.empty() && address.back() == '/') address.pop_back();
    auto colon = address.rfind(':');
    if (address.empty() || colon == std::string::npos || colon + 1 == address.size() ||
        address.find('/') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ": '", raw, "' is not an etcd endpoint (host:port)"));
    }
    addresses.push_back(address);
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (tls) {
    grpc::SslCredentialsOptions ssl;
    const std::string prefix = key.substr(0, key.rfind('_') + 1);  // "master.cluster_"
    if (!options_.ca_file.empty()) {
      auto ca = ReadFile(options_.ca_file, prefix + "ca");
      if (!ca.ok()) return ca.status();
      ssl.pem_root_certs = *ca;
    }
    if (options_.cert_file.empty() != options_.key_file.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, "cert and ", prefix, "key go together (a client certificate)"));
    }
    if (!options_.cert_file.empty()) {
      auto cert = ReadFile(options_.cert_file, prefix + "cert");
      if (!cert.ok()) return cert.status();
      auto pem_key = ReadFile(options_.key_file, prefix + "key");
      if (!pem_key.ok()) return pem_key.status();
      ssl.pem_cert_chain = *cert;
      ssl.pem_private_key = *pem_key;
    }
    credentials = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // A member that vanished without a reset (a pause, a cut cable) is noticed by keepalives.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 2000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 2000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  for (const std::string& address : addresses) {
    auto e = std::make_unique<Endpoint>();
    e->address = address;
    e->channel = grpc::CreateCustomChannel(address, credentials, args);
    e->kv = pb::KV::NewStub(e->channel);
    e->lease = pb::Lease::NewStub(e->channel);
    e->watch = pb::Watch::NewStub(e->channel);
    e->maintenance = pb::Maintenance::NewStub(e->channel);
    e->auth = pb::Auth::NewStub(e->channel);
    e->election = v3electionpb::Election::NewStub(e->channel);
    endpoints_.push_back(std::move(e));
  }
  if (options_.username.empty()) return absl::OkStatus();
  // Refused credentials are a configuration error, said at start; an unreachable etcd is not.
  absl::Status last;
  for (auto& e : endpoints_) {
    last = Authenticate(*e);
    if (last.ok() || !absl::IsUnavailable(last)) break;
  }
  if (absl::IsUnavailable(last) || absl::IsDeadlineExceeded(last)) return absl::OkStatus();
  return last;
}

absl::Status EtcdClient::Authenticate(Endpoint& endpoint) {
  pb::AuthenticateRequest req;
  req.set_name(options_.username);
  req.set_password(options_.password);
  pb::AuthenticateResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + options_.call_timeout);
  grpc::Status s = endpoint.auth->Authenticate(&ctx, req, &resp);
  if (!s.ok()) {
    const std::string prefix = options_.config_key.substr(0, options_.config_key.rfind('_') + 1);
    if (TryAnother(s)) {
      return absl::UnavailableError(
          absl::StrCat("etcd ", endpoint.address, " (", options_.config_key,
                       "): ", s.error_message()));
    }
    return absl::PermissionDeniedError(
        absl::StrCat("etcd refused ", prefix, "username '", options_.username, "' and ", prefix,
                     "password at ", endpoint.address, ": ", s.error_message()));
  }
  std::lock_guard<std::mutex> lock(mu_);
  token_ = resp.token();
  return absl::OkStatus();
}

void EtcdClient::Prepare(grpc::ClientContext& ctx, std::chrono::milliseconds timeout) {
  if (timeout.count() > 0) ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  std::lock_guard<std::mutex> lock(mu_);
  if (!token_.empty()) ctx.AddMetadata("token", token_);
}

absl::Status EtcdClient::Describe(const absl::Status& status, const Endpoint& endpoint) const {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat("etcd ", endpoint.address, " (",
                                                  options_.config_key, "): ", status.message()));
}

absl::Status EtcdClient::Call(
    const std::function<absl::Status(Endpoint&, grpc::ClientContext&)>& call,
    std::chrono::milliseconds timeout) {
  size_t start;
  {
    std::lock_guard<std::mutex> lock(mu_);
    start = current_;
  }
  absl::Status last;
  bool reauthenticated = false;
  for (size_t tried = 0; tried < endpoints_.size(); ++tried) {
    Endpoint& e = *endpoints_[(start + tried) % endpoints_.size()];
    for (;;) {
      grpc::ClientContext ctx;
      Prepare(ctx, timeout);
      absl::Status s = call(e, ctx);
      grpc::Status g(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
      if (s.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        current_ = (start + tried) % endpoints_.size();
        return s;
      }
      if (!options_.username.empty() && TokenRefused(g) && !reauthenticated) {
        reauthenticated = true;
        if (Authenticate(e).ok()) continue;
      }
      last = Describe(s, e);
      if (!TryAnother(g)) return last;
      break;
    }
  }
  return last;
}

absl::StatusOr<Lease> EtcdClient::GrantLease(int64_t ttl_seconds) {
  pb::LeaseGrantResponse resp;
  auto s = Call(
      [&](Endpoint& e, grpc::ClientContext& ctx) {
        pb::LeaseGrantRequest req;
        req.set_ttl(ttl_seconds);
        return FromGrpc(e.lease->LeaseGrant(&ctx, req, &resp));
      },
      options_.call_timeout);
  if (!s.ok()) return s;
  if (!resp.error().empty()) return absl::UnavailableError("etcd lease: " + resp.error());
  return Lease{resp.id(), resp.ttl()};
}

absl::StatusOr<int64_t> EtcdClient::KeepAlive(int64_t lease_id) {
  pb::LeaseKeepAliveResponse resp;
  auto s = Call(
      [&](Endpoint& e, grpc::ClientContext& ctx) {
        auto stream = e.lease->LeaseKeepAlive(&ctx);
        pb::LeaseKeepAliveRequest req;
        req.set_id(lease_id);
        if (!stream->Write(req) || !stream->Read(&resp)) {
          stream->WritesDone();
          grpc::Status f = stream->Finish();
          return f.ok() ? absl::UnavailableError("keep-alive stream ended") : FromGrpc(f);
        }
        stream->WritesDone();
        ctx.TryCancel();  // one answer is all this call wants
        stream->Finish();
        return absl::OkStatus();
      },
      options_.call_timeout);
  if (!s.ok()) return s;
  if (resp.ttl() <= 0) return absl::NotFoundError("the lease expired");
  return resp.ttl();
}

absl::Status EtcdClient::RevokeLease(int64_t lease_id) {
  return Call(
      [&](Endpoint& e, grpc::ClientContext& ctx) {
        pb::LeaseRevokeRequest req;
        req.set_id(lease_id);
        pb::LeaseRevokeResponse resp;
        return FromGrpc(e.lease->LeaseRevoke(&ctx, req, &resp));
      },
      options_.call_timeout);
}

absl::StatusOr<bool> EtcdClient::CreateKey(const std::string& key, const std::string& value,
                                           int64_t lease_id, KeyValue* existing) {
  pb::TxnResponse resp;
  auto s = Call(
      [&](Endpoint& e, grpc::ClientContext& ctx) {
        pb::TxnRequest req;
        pb::Compare* absent = req.add_compare();
        absent->set_key(key);
        absent->set_target(pb::Compare::CREATE);
        absent->set_result(pb::Compare::EQUAL);
        absent->set_create_revision(0);
        pb::PutRequest* put = req.add_success()->mutable_request_put();
        put->set_key(key);
        put->set_value(value);
        put->set_lease(lease_id);
        req.add_failure()->mutable_request_range()->set_key(key);
        return FromGrpc(e.kv->Txn(&ctx, req, &resp));
      },
      options_.call_timeout);
  if (!s.ok()) return s;
  if (!resp.succeeded() && existing != nullptr && resp.responses_size() > 0 &&
      resp.responses(0).response_range().kvs_size() > 0) {
    *existing = FromPb(resp.responses(0).response_range().kvs(0));
  }
  return resp.succeeded();
}

absl::StatusOr<std::optional<KeyValue>> EtcdClient::Get(const std::string& key) {
  pb::RangeResponse resp;
  auto s = Call(
      [&](Endpoint& e, grpc::ClientContext& ctx) {
        pb::RangeRequest req;
        req.set_key(key);
        return FromGrpc(e.kv->Range(&ctx, req, &resp));
      },
      options_.call_timeout);
  if (!s.ok()) return s;
  if (resp.kvs_size() == 0) return std::optional<KeyValue>();
  return std::optional<KeyValue>(FromPb(resp.kvs(0)));
}

absl::StatusOr<std::vector<KeyValue>> EtcdClient::GetPrefix(const std::string& prefix,
                                                            int64_t* revision) {
  pb::RangeResponse resp;
  auto s = Call(
      [&](Endpoint& e, grpc::ClientContext& ctx) {
        pb::RangeRequest req;
        req.set_key(prefix);
        req.set_range_end(PrefixEnd(prefix));
        return FromGrpc(e.kv->Range(&ctx, req, &resp));
      },
      options_.call_timeout);
  if (!s.ok()) return s;
  std::vector<KeyValue> out;
  for (const auto& kv : resp.kvs()) out.push_back(FromPb(kv));
  if (revision != nullptr) *revision = resp.header().revision();
  return out;
}

absl::Status EtcdClient::Delete(const std::string& key) {
  return Call(
      [&](Endpoint& e, grpc::ClientContext& ctx) {
        pb::DeleteRangeRequest req;
        req.set_key(key);
        pb::DeleteRangeResponse resp;
        return FromGrpc(e.kv->DeleteRange(&ctx, req, &resp));
      },
      options_.call_timeout);
}

absl::StatusOr<LeaderKey> EtcdClient::Campaign(const std::string& election, int64_t lease_id,
                                               const std::string& value, CallCancel& cancel) {
  v3electionpb::CampaignResponse resp;
  auto s = Call(
      [&](Endpoint& e, grpc::ClientContext& ctx) {
        if (!cancel.Attach(&ctx)) return absl::CancelledError("stopping");
        v3electionpb::CampaignRequest req;
        req.set_name(election);
        req.set_lease(lease_id);
        req.set_value(value);
        grpc::Status g = e.election->Campaign(&ctx, req, &resp);
        cancel.Detach();
        if (cancel.cancelled()) return absl::CancelledError("stopping");
        return FromGrpc(g);
      },
      std::chrono::milliseconds(0));  // waits as long as another leads
  if (!s.ok()) return s;
  const auto& l = resp.leader();
  return LeaderKey{l.name(), l.key(), l.rev(), l.lease()};
}

absl::StatusOr<std::optional<KeyValue>> EtcdClient::Leader(const std::string& election) {
  v3electionpb::LeaderResponse resp;
  auto s = Call(
      [&](Endpoint& e, grpc::ClientContext& ctx) {
        v3electionpb::LeaderRequest req;
        req.set_name(election);
        return FromGrpc(e.election->Leader(&ctx, req, &resp));
      },
      options_.call_timeout);
  // etcd answers "election: no leader" as an error, not as an empty response.
  if (!s.ok() && absl::StrContains(s.message(), "no leader")) return std::optional<KeyValue>();
  if (!s.ok()) return s;
  if (!resp.has_kv()) return std::optional<KeyValue>();
  return std::optional<KeyValue>(FromPb(resp.kv()));
}

absl::Status EtcdClient::Resign(const LeaderKey& leader) {
  return Call(
      [&](Endpoint& e, grpc::ClientContext& ctx) {
        v3electionpb::ResignRequest req;
        auto* l = req.mutable_leader();
        l->set_name(leader.name);
        l->set_key(leader.key);
        l->set_rev(leader.rev);
        l->set_lease(leader.lease);
        v3electionpb::ResignResponse resp;
        return FromGrpc(e.election->Resign(&ctx, req, &resp));
      },
      options_.call_timeout);
}

absl::Status EtcdClient::WatchPrefix(
    const std::string& prefix, int64_t start_revision,
    const std::function<void(const std::vector<WatchEvent>&)>& on_events, CallCancel& cancel) {
  return Call(
      [&](Endpoint& e, grpc::ClientContext& ctx) -> absl::Status {
        if (!cancel.Attach(&ctx)) return absl::OkStatus();
        auto stream = e.watch->Watch(&ctx);
        pb::WatchRequest req;
        auto* create = req.mutable_create_request();
        create->set_key(prefix);
        create->set_range_end(PrefixEnd(prefix));
        create->set_start_revision(start_revision);
        create->set_progress_notify(true);
        pb::WatchResponse resp;
        bool ok = stream->Write(req);
        while (ok && stream->Read(&resp)) {
          if (resp.canceled()) {
            ctx.TryCancel();
            stream->Finish();
            cancel.Detach();
            // Compacted past our revision: the caller reads afresh and watches from there.
            return absl::AbortedError(absl::StrCat("watch cancelled: ", resp.cancel_reason(),
                                                   resp.compact_revision() > 0
                                                       ? " (compacted)"
                                                       : ""));
          }
          if (resp.events_size() == 0) continue;
          std::vector<WatchEvent> events;
          for (const auto& ev : resp.events()) {
            events.push_back({ev.type() == mvccpb::Event::DELETE, FromPb(ev.kv())});
          }
          on_events(events);
        }
        grpc::Status g = stream->Finish();
        cancel.Detach();
        if (cancel.cancelled()) return absl::OkStatus();
        return g.ok() ? absl::UnavailableError("watch stream ended") : FromGrpc(g);
      },
      std::chrono::milliseconds(0));
}

std::vector<MemberStatus> EtcdClient::MemberStatuses() {
  std::vector<MemberStatus> out;
  for (auto& e : endpoints_) {
    MemberStatus m;
    m.endpoint = e->address;
    grpc::ClientContext ctx;
    Prepare(ctx, options_.call_timeout);
    pb::StatusResponse resp;
    grpc::Status s = e->maintenance->Status(&ctx, pb::StatusRequest(), &resp);
    if (s.ok()) {
      m.reachable = true;
      m.version = resp.version();
      m.id = resp.header().member_id();
      m.is_leader = resp.leader() == m.id && m.id != 0;
      m.alarms.assign(resp.errors().begin(), resp.errors().end());
    } else {
      m.error = s.error_message();
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace asgard::cluster
