#include "query/watchdog.h"

namespace custlake::query {

Watchdog& Watchdog::Shared() {
  static Watchdog watchdog;
  return watchdog;
}

Watchdog::Watchdog() : thread_([this] { Loop(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

uint64_t Watchdog::Arm(Clock::time_point deadline, std::function<void()> on_deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t id = next_id_++;
  alarms_.emplace(id, Alarm{deadline, std::move(on_deadline)});
  by_deadline_.emplace(deadline, id);
  // The thread is woken only when it would sleep past this deadline: with
  // equal time limits, each new deadline is later than the one it sleeps
  // until, so a statement costs no wake-up (a disarmed alarm's early wake finds
  // the next one, or none).
  if (deadline < wake_at_) changed_.notify_all();
  return id;
}

bool Watchdog::Disarm(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fired_.erase(id) > 0) return true;
  auto it = alarms_.find(id);
  if (it == alarms_.end()) return false;
  auto [first, last] = by_deadline_.equal_range(it->second.deadline);
  for (auto d = first; d != last; ++d) {
    if (d->second == id) {
      by_deadline_.erase(d);
      break;
    }
  }
  alarms_.erase(it);
  return false;
}

void Watchdog::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (by_deadline_.empty()) {
      wake_at_ = Clock::time_point::max();
      changed_.wait(lock);
      continue;
    }
    const auto [deadline, id] = *by_deadline_.begin();
    if (Clock::now() < deadline) {
      wake_at_ = deadline;
      changed_.wait_until(lock, deadline);
      wake_at_ = Clock::time_point::min();  // awake: Arm() need not wake it
      continue;
    }
    by_deadline_.erase(by_deadline_.begin());
    auto it = alarms_.find(id);
    it->second.on_deadline();  // under the lock: Disarm() waits for it
    alarms_.erase(it);
    fired_.insert(id);
  }
}

}  // namespace custlake::query
