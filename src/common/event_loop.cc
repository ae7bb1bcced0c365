#include "common/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>

#include <cerrno>
#include <cstring>

#include "common/errno_status.h"
#include "spdlog/spdlog.h"

namespace asgard {

struct EventLoop::TimerQueue {
  UniqueFd fd;
  clockid_t clock;
  // (deadline ns, id) -> callback; ordered so the earliest deadline is first.
  std::map<std::pair<int64_t, TimerId>, std::function<void()>> deadlines;
  std::unordered_map<TimerId, int64_t> by_id;
  int64_t armed_ns = -1;  // what the timerfd is set to; -1 = disarmed

  int64_t NowNs() const {
    timespec ts{};
    clock_gettime(clock, &ts);
    return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
  }

  // Arms the timerfd for the earliest deadline. Wall timers use CANCEL_ON_SET so a clock jump
  // wakes the loop (read() then fails with ECANCELED).
  void Rearm() {
    int64_t want = deadlines.empty() ? -1 : deadlines.begin()->first.first;
    if (want == armed_ns) return;
    itimerspec spec{};
    if (want >= 0) {
      spec.it_value.tv_sec = want / 1'000'000'000;
      spec.it_value.tv_nsec = want % 1'000'000'000;
      if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
    }
    int flags = TFD_TIMER_ABSTIME;
    if (clock == CLOCK_REALTIME) flags |= TFD_TIMER_CANCEL_ON_SET;
    timerfd_settime(fd.get(), flags, &spec, nullptr);
    armed_ns = want;
  }
};

absl::StatusOr<std::unique_ptr<EventLoop>> EventLoop::Create() {
  UniqueFd epoll(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll.valid()) return ErrnoStatus("epoll_create1");
  UniqueFd wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return ErrnoStatus("eventfd");
  auto make_queue = [](clockid_t clock) -> absl::StatusOr<std::unique_ptr<TimerQueue>> {
    auto q = std::make_unique<TimerQueue>();
    q->clock = clock;
    q->fd.reset(timerfd_create(clock, TFD_CLOEXEC | TFD_NONBLOCK));
    if (!q->fd.valid()) return ErrnoStatus("timerfd_create");
    return q;
  };
  auto steady = make_queue(CLOCK_MONOTONIC);
  if (!steady.ok()) return steady.status();
  auto wall = make_queue(CLOCK_REALTIME);
  if (!wall.ok()) return wall.status();
  std::unique_ptr<EventLoop> loop(
      new EventLoop(std::move(epoll), std::move(wake), std::move(*steady), std::move(*wall)));
  for (int fd : {loop->wake_.get(), loop->steady_->fd.get(), loop->wall_->fd.get()}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (epoll_ctl(loop->epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
      return ErrnoStatus("epoll_ctl");
    }
  }
  return loop;
}

EventLoop::EventLoop(UniqueFd epoll, UniqueFd wake, std::unique_ptr<TimerQueue> steady,
                     std::unique_ptr<TimerQueue> wall)
    : epoll_(std::move(epoll)),
      wake_(std::move(wake)),
      steady_(std::move(steady)),
      wall_(std::move(wall)) {}

EventLoop::~EventLoop() = default;

absl::Status EventLoop::Watch(int fd, std::function<void()> on_readable) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  int op = watchers_.count(fd) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (epoll_ctl(epoll_.get(), op, fd, &ev) != 0) return ErrnoStatus("epoll_ctl watch");
  watchers_[fd] = std::make_shared<std::function<void()>>(std::move(on_readable));
  return absl::OkStatus();
}

void EventLoop::Unwatch(int fd) {
  if (watchers_.erase(fd) == 0) return;
  epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

SteadyTime EventLoop::Now() const { return std::chrono::steady_clock::now(); }

EventLoop::TimerId EventLoop::AddTimer(TimerQueue& queue, int64_t deadline_ns,
                                       std::function<void()> fn) {
  TimerId id = next_timer_id_++;
  queue.deadlines.emplace(std::make_pair(deadline_ns, id), std::move(fn));
  queue.by_id.emplace(id, deadline_ns);
  queue.Rearm();
  return id;
}

EventLoop::TimerId EventLoop::RunAfter(Duration delay, std::function<void()> fn) {
  // steady_clock is CLOCK_MONOTONIC in libstdc++, so its epoch matches the timerfd's.
  auto deadline = std::chrono::steady_clock::now() + delay;
  int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch())
                   .count();
  return AddTimer(*steady_, ns, std::move(fn));
}

EventLoop::TimerId EventLoop::RunAtWall(WallTime when, std::function<void()> fn) {
  int64_t ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch()).count();
  return AddTimer(*wall_, ns, std::move(fn));
}

void EventLoop::Cancel(TimerId id) {
  for (TimerQueue* queue : {steady_.get(), wall_.get()}) {
    auto it = queue->by_id.find(id);
    if (it == queue->by_id.end()) continue;
    queue->deadlines.erase(std::make_pair(it->second, id));
    queue->by_id.erase(it);
    queue->Rearm();
    return;
  }
}

void EventLoop::Post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(posted_mu_);
    posted_.push_back(std::move(fn));
  }
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_.get(), &one, sizeof(one));
}

void EventLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(posted_mu_);
    stop_requested_ = true;
  }
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_.get(), &one, sizeof(one));
}

void EventLoop::DrainPosted() {
  uint64_t count;
  [[maybe_unused]] ssize_t n = read(wake_.get(), &count, sizeof(count));
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(posted_mu_);
    batch.swap(posted_);
    if (stop_requested_) stopping_ = true;
  }
  for (auto& fn : batch) fn();
}

void EventLoop::FireDue(TimerQueue& queue) {
  uint64_t expirations;
  [[maybe_unused]] ssize_t n = read(queue.fd.get(), &expirations, sizeof(expirations));
  queue.armed_ns = -1;  // a fired timerfd is disarmed; force Rearm() to set it again
  int64_t now = queue.NowNs();
  // Take every due callback first: a callback may add or cancel timers.
  std::vector<std::function<void()>> due;
  while (!queue.deadlines.empty() && queue.deadlines.begin()->first.first <= now) {
    auto node = queue.deadlines.extract(queue.deadlines.begin());
    queue.by_id.erase(node.key().second);
    due.push_back(std::move(node.mapped()));
  }
  queue.Rearm();
  for (auto& fn : due) fn();
}

void EventLoop::HandleWallTimerFd() {
  uint64_t expirations;
  ssize_t n = read(wall_->fd.get(), &expirations, sizeof(expirations));
  if (n < 0 && errno == ECANCELED) {
    // The clock was set: deadlines are absolute, so re-arm and let owners recompute schedules.
    wall_->armed_ns = -1;
    wall_->Rearm();
    for (auto& fn : clock_jump_handlers_) fn();
    return;
  }
  // Re-run the due scan without reading again (FireDue reads; a second read would block-fail
  // harmlessly because the fd is non-blocking).
  FireDue(*wall_);
}

void EventLoop::DispatchReady(int fd) {
  if (fd == wake_.get()) return DrainPosted();
  if (fd == steady_->fd.get()) return FireDue(*steady_);
  if (fd == wall_->fd.get()) return HandleWallTimerFd();
  auto it = watchers_.find(fd);
  if (it == watchers_.end()) return;
  auto keep = it->second;  // the callback may Unwatch() itself
  (*keep)();
}

void EventLoop::Run() {
  constexpr int kMaxEvents = 64;
  epoll_event events[kMaxEvents];
  while (!stopping_) {
    int n = epoll_wait(epoll_.get(), events, kMaxEvents, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      spdlog::critical("epoll_wait: {}", std::strerror(errno));
      return;
    }
    for (int i = 0; i < n && !stopping_; ++i) DispatchReady(events[i].data.fd);
  }
  stopping_ = false;
  std::lock_guard<std::mutex> lock(posted_mu_);
  stop_requested_ = false;
}

}  // namespace asgard
