// One thread that cancels statements past their time limit, shared by every
// sandboxed session of the process (a thread per statement cost a thread
// start and join on each query, the serving path's most frequent cost).
//
// Arm() registers a deadline and what to do at it (interrupt a session);
// Disarm() removes it and says whether it fired. The callback runs on the
// watchdog's thread with its lock held, so after Disarm() returns it neither
// runs nor is running: a session may be destroyed right after.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace custlake::query {

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;

  /// The process's watchdog (its thread starts on first use and stops at exit).
  static Watchdog& Shared();

  Watchdog();
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  /// Calls `on_deadline` at `deadline` unless disarmed first; returns the alarm's id.
  uint64_t Arm(Clock::time_point deadline, std::function<void()> on_deadline);
  /// Removes alarm `id`; true when it had already fired.
  bool Disarm(uint64_t id);

 private:
  void Loop();

  struct Alarm {
    Clock::time_point deadline;
    std::function<void()> on_deadline;
  };
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<uint64_t, Alarm> alarms_;                       ///< armed, by id
  std::multimap<Clock::time_point, uint64_t> by_deadline_;  ///< the same, soonest first
  std::set<uint64_t> fired_;                                ///< fired, not yet disarmed
  Clock::time_point wake_at_ = Clock::time_point::min();  ///< when the sleeping thread wakes; min while awake
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace custlake::query
