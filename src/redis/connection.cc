#include "redis/connection.h"

#include <sys/time.h>

#include "absl/strings/str_cat.h"

namespace asgard::redis {
namespace {

struct FreeReply {
  void operator()(void* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<void, FreeReply>;

timeval TimevalOf(std::chrono::milliseconds d) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

// A copy of the hiredis reply; an error reply becomes FailedPrecondition.
absl::StatusOr<Reply> Copy(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_ERROR:
      return absl::FailedPreconditionError(absl::StrCat("redis: ", std::string(r->str, r->len)));
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) {
        // An error inside an array (EXEC) is kept as a status-less string: callers here never
        // send transactions.
        auto element = Copy(r->element[i]);
        if (!element.ok()) return element.status();
        out.elements.push_back(*std::move(element));
      }
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

std::vector<const char*> Argv(const std::vector<std::string>& args, std::vector<size_t>* lens) {
  std::vector<const char*> argv;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens->push_back(a.size());
  }
  return argv;
}

}  // namespace

std::string Describe(const Options& options) {
  return absl::StrCat(options.host, ":", options.port, " (db ", options.db, ")");
}

absl::StatusOr<Connection> Connection::Connect(const Options& options) {
  std::unique_ptr<redisContext, Free> context(
      redisConnectWithTimeout(options.host.c_str(), options.port, TimevalOf(options.timeout)));
  if (context == nullptr) return absl::ResourceExhaustedError("redis: no memory for a context");
  if (context->err != 0) {
    return absl::UnavailableError(
        absl::StrCat("redis ", Describe(options), ": cannot connect: ", context->errstr));
  }
  if (redisSetTimeout(context.get(), TimevalOf(options.timeout)) != REDIS_OK) {
    return absl::UnavailableError(absl::StrCat("redis ", Describe(options), ": ", context->errstr));
  }
  redisEnableKeepAlive(context.get());
  Connection c(std::move(context));
  if (!options.password.empty()) {
    auto auth = c.Command({"AUTH", options.password});
    if (absl::IsFailedPrecondition(auth.status())) {
      return absl::PermissionDeniedError(absl::StrCat(
          "redis ", Describe(options), ": the password (component.redis password) is refused"));
    }
    if (!auth.ok()) return auth.status();
  }
  if (options.db != 0) {
    auto select = c.Command({"SELECT", std::to_string(options.db)});
    if (absl::IsFailedPrecondition(select.status())) {
      return absl::InvalidArgumentError(absl::StrCat("redis ", Describe(options), ": ",
                                                     select.status().message()));
    }
    if (!select.ok()) return select.status();
  }
  return c;
}

absl::Status Connection::Broken(const std::string& what) {
  broken_ = true;
  return absl::UnavailableError(absl::StrCat("redis: ", what, ": ",
                                             context_ && context_->err ? context_->errstr
                                                                       : "connection lost"));
}

absl::StatusOr<Reply> Connection::Command(const std::vector<std::string>& args) {
  if (broken_) return absl::UnavailableError("redis: the connection is broken");
  std::vector<size_t> lens;
  std::vector<const char*> argv = Argv(args, &lens);
  ReplyPtr reply(redisCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(),
                                  lens.data()));
  if (reply == nullptr) return Broken(args.empty() ? "command" : args[0]);
  return Copy(static_cast<const redisReply*>(reply.get()));
}

absl::Status Connection::Send(const std::vector<std::string>& args) {
  if (broken_) return absl::UnavailableError("redis: the connection is broken");
  std::vector<size_t> lens;
  std::vector<const char*> argv = Argv(args, &lens);
  if (redisAppendCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(),
                             lens.data()) != REDIS_OK) {
    return Broken("queueing a command");
  }
  return absl::OkStatus();
}

absl::Status Connection::Flush() {
  if (broken_) return absl::UnavailableError("redis: the connection is broken");
  int done = 0;
  while (!done) {
    if (redisBufferWrite(context_.get(), &done) != REDIS_OK) return Broken("writing");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Reply>> Connection::Buffered() {
  if (broken_) return absl::UnavailableError("redis: the connection is broken");
  void* raw = nullptr;
  if (redisGetReplyFromReader(context_.get(), &raw) != REDIS_OK) return Broken("reading");
  if (raw == nullptr) return std::optional<Reply>();
  ReplyPtr reply(raw);
  auto copied = Copy(static_cast<const redisReply*>(reply.get()));
  if (!copied.ok()) return copied.status();
  return std::optional<Reply>(*std::move(copied));
}

absl::Status Connection::ReadSome() {
  if (broken_) return absl::UnavailableError("redis: the connection is broken");
  if (redisBufferRead(context_.get()) != REDIS_OK) return Broken("reading");
  return absl::OkStatus();
}

int Connection::fd() const { return context_ ? context_->fd : -1; }

}  // namespace asgard::redis
