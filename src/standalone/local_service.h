// File: local_service.h
// The asgard.v1.Local gRPC service of guard and cron. gRPC calls arrive on gRPC's threads; each
// is posted to the daemon's loop, where the role's state lives, and answered from there.
#pragma once

#include "asgard/v1/local.grpc.pb.h"
#include "common/event_loop.h"
#include "standalone/role.h"

namespace asgard::standalone {

class LocalService final : public asgard::v1::Local::Service {
 public:
  LocalService(EventLoop& loop, StandaloneRole& role) : loop_(loop), role_(role) {}

  grpc::Status List(grpc::ServerContext* ctx, const asgard::v1::ListRequest* req,
                    asgard::v1::ListResponse* resp) override;
  grpc::Status Get(grpc::ServerContext* ctx, const asgard::v1::GetRequest* req,
                   asgard::v1::TaskDetail* resp) override;

 private:
  EventLoop& loop_;
  StandaloneRole& role_;
};

}  // namespace asgard::standalone
