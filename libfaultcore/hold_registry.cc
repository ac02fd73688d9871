#include "libfaultcore/hold_registry.h"

#include <atomic>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace faultcore {
namespace {
std::atomic<uint64_t> g_registries{0};
}  // namespace

HoldRegistry::HoldRegistry()
    : ticket_base_((g_registries.fetch_add(1, std::memory_order_relaxed) + 1)
                   << kTicketBits),
      next_ticket_(ticket_base_ + 1) {}

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

absl::Status HoldRegistry::Resolve(uint64_t ticket, const DecideFn& decide) {
  Entry entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(ticket);
    if (it == entries_.end()) {
      if (ticket <= ticket_base_ || ticket >= next_ticket_) {
        return absl::NotFoundError(
            absl::StrCat("no request was ever parked under ticket ", ticket));
      }
      return absl::NotFoundError(absl::StrCat(
          "the request of ticket ", ticket,
          " is no longer waiting: it was already decided, released or timed "
          "out"));
    }
    if (!it->second.ask) {
      return absl::NotFoundError(
          absl::StrCat("ticket ", ticket,
                       " is a hold, not an ask: release it instead"));
    }
    absl::StatusOr<Verdict> decision = decide(it->second);
    if (!decision.ok()) return decision.status();
    decided_[ticket] = *decision;
    entry = std::move(it->second);
    entries_.erase(it);
  }
  if (entry.release != nullptr) entry.release(entry.opaque);
  return absl::OkStatus();
}

std::optional<Verdict> HoldRegistry::TakeDecision(uint64_t ticket) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = decided_.find(ticket);
  if (it == decided_.end()) return std::nullopt;
  Verdict v = it->second;
  decided_.erase(it);
  return v;
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
