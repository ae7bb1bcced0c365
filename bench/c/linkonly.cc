// linkonly: a program that only links what `asgard` links (gRPC, protobuf, yaml-cpp, spdlog)
// and does nothing else: it constructs a grpc::ServerBuilder (no server is built or started),
// touches one symbol of each other library so none is dropped by --as-needed, and pause()s.
// Its RSS is what loading these shared libraries costs before any work.
#include <unistd.h>

#include <google/protobuf/stubs/common.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

int main(int argc, char**) {
  grpc::ServerBuilder builder;
  if (argc > 5) {  // never true: keeps the references without doing the work
    YAML::Node node = YAML::Load("a: 1");
    spdlog::info("{} {}", node.size(), google::protobuf::internal::VersionString(1));
  }
  for (;;) pause();
}
