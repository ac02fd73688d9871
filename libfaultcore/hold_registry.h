// Requests parked by FC_ACTION_HOLD verdicts, until the host releases them.
//
// The registry only tracks holds; the host parks the request itself (e.g. a
// QEMU coroutine) and enforces the timeout.  Release callbacks run on the
// releasing thread after the entry has been removed and with no lock held,
// so a callback may call back into the registry.
// Thread safety: every method may be called from any thread.
#ifndef FAULTCORE_LIBFAULTCORE_HOLD_REGISTRY_H_
#define FAULTCORE_LIBFAULTCORE_HOLD_REGISTRY_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace faultcore {

class HoldRegistry {
 public:
  using ReleaseFn = void (*)(void* opaque);

  struct Entry {
    uint32_t target;
    uint32_t rule_id;
    uint64_t rule_serial;  // the rule set load the rule_id belongs to
    std::string rule_name;
    ReleaseFn release;
    void* opaque;
  };

  HoldRegistry() = default;
  HoldRegistry(const HoldRegistry&) = delete;
  HoldRegistry& operator=(const HoldRegistry&) = delete;

  // Registers a hold and returns its ticket (never 0).
  uint64_t Add(Entry entry);
  // Removes a hold without calling its callback; false if already released.
  bool Cancel(uint64_t ticket);
  // Releases the holds of `target` (nullopt: any) and rule `rule_name`
  // (nullopt: any); returns how many.
  size_t Release(std::optional<uint32_t> target,
                 std::optional<absl::string_view> rule_name);
  // Holds of rule `rule_id` of load `serial` still parked.
  uint64_t CountForRule(uint32_t rule_id, uint64_t serial) const;
  size_t size() const;

 private:
  mutable std::mutex mu_;
  uint64_t next_ticket_ = 1;           // guarded by mu_
  std::map<uint64_t, Entry> entries_;  // guarded by mu_
};

}  // namespace faultcore

#endif  // FAULTCORE_LIBFAULTCORE_HOLD_REGISTRY_H_
