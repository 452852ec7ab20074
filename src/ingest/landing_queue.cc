#include "ingest/landing_queue.h"

namespace custlake::ingest {

LandingQueue::LandingQueue(size_t max_files, int64_t max_bytes) : max_files_(max_files), max_bytes_(max_bytes) {}

bool LandingQueue::Full(int64_t more_bytes) const {
  if (queue_.empty()) return false;
  return queue_.size() >= max_files_ || bytes_ + more_bytes > max_bytes_;
}

bool LandingQueue::TryPush(const LandingFile& file) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (known_.count(file.path) != 0) return true;
    if (Full(file.size)) return false;
    queue_.push_back(file);
    bytes_ += file.size;
    known_.insert(file.path);
  }
  cv_.notify_all();
  return true;
}

bool LandingQueue::Contains(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  return known_.count(path) != 0;
}

std::vector<LandingFile> LandingQueue::Take(int64_t max_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LandingFile> out;
  int64_t taken = 0;
  while (!queue_.empty() && (out.empty() || taken + queue_.front().size <= max_bytes)) {
    taken += queue_.front().size;
    bytes_ -= queue_.front().size;
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return out;
}

void LandingQueue::Done(const std::vector<LandingFile>& files) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& f : files) known_.erase(f.path);
}

void LandingQueue::WaitForWork(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return !queue_.empty(); });
}

size_t LandingQueue::queued_files() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

int64_t LandingQueue::queued_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

}  // namespace custlake::ingest
