#include "libfaultcore/hold_registry.h"

#include <utility>
#include <vector>

namespace faultcore {

uint64_t HoldRegistry::Add(Entry entry) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t ticket = next_ticket_++;
  entries_.emplace(ticket, std::move(entry));
  return ticket;
}

bool HoldRegistry::Cancel(uint64_t ticket) {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.erase(ticket) == 1;
}

size_t HoldRegistry::Release(std::optional<uint32_t> target,
                             std::optional<absl::string_view> rule_name) {
  std::vector<Entry> released;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      const Entry& e = it->second;
      bool match = (!target || e.target == *target) &&
                   (!rule_name || e.rule_name == *rule_name);
      if (match) {
        released.push_back(std::move(it->second));
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const Entry& e : released) {
    if (e.release != nullptr) e.release(e.opaque);
  }
  return released.size();
}

uint64_t HoldRegistry::CountForRule(uint32_t rule_id, uint64_t serial) const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = 0;
  for (const auto& [ticket, e] : entries_) {
    if (e.rule_id == rule_id && e.rule_serial == serial) ++n;
  }
  return n;
}

size_t HoldRegistry::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace faultcore
