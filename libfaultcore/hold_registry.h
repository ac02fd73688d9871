// Requests parked by FC_ACTION_HOLD and FC_ACTION_ASK verdicts, until the
// host releases them (holds) or someone decides them (asks).
//
// The registry only tracks holds; the host parks the request itself (e.g. a
// QEMU coroutine) and enforces the timeout.  Release callbacks run on the
// releasing thread after the entry has been removed and with no lock held,
// so a callback may call back into the registry.
// Thread safety: every method may be called from any thread.
#ifndef FAULTCORE_LIBFAULTCORE_HOLD_REGISTRY_H_
#define FAULTCORE_LIBFAULTCORE_HOLD_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libfaultcore/verdict.h"

namespace faultcore {

class HoldRegistry {
 public:
  using ReleaseFn = void (*)(void* opaque);

  struct Entry {
    uint32_t target = 0;
    uint32_t rule_id = kNoRule;
    uint64_t rule_serial = 0;  // the rule set load the rule_id belongs to
    std::string rule_name;
    ReleaseFn release = nullptr;
    void* opaque = nullptr;
    // Asks only: the request and its verdict, to build a decision from.
    bool ask = false;
    Op op = Op::kRead;
    uint64_t offset = 0;
    uint64_t length = 0;
    Verdict verdict;
  };

  // Builds an ask's decision from its entry, or says why it cannot.
  using DecideFn = std::function<absl::StatusOr<Verdict>(const Entry&)>;

  HoldRegistry();
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
  // Decides ask `ticket`: stores decide(entry) for TakeDecision() and
  // releases the request.  NotFound for a ticket that is not a parked ask
  // (the message says whether it never was, or was already let go),
  // or decide's own error (nothing changes then).
  absl::Status Resolve(uint64_t ticket, const DecideFn& decide);
  // The decision Resolve() stored for `ticket`, once; nullopt if none (the
  // ask was released, reset or timed out instead).
  std::optional<Verdict> TakeDecision(uint64_t ticket);
  // Holds of rule `rule_id` of load `serial` still parked.
  uint64_t CountForRule(uint32_t rule_id, uint64_t serial) const;
  size_t size() const;

 private:
  // Tickets are unique in the process, not only per registry: a ticket of
  // an engine that was destroyed (a QEMU node deleted and re-created under
  // the same name) never names a request of another.  The high bits are
  // the registry's number, the low kTicketBits count its parks from 1.
  static constexpr int kTicketBits = 40;
  const uint64_t ticket_base_;
  mutable std::mutex mu_;
  uint64_t next_ticket_;               // guarded by mu_
  std::map<uint64_t, Entry> entries_;  // guarded by mu_
  // Decisions not yet taken by their host.  Guarded by mu_.
  std::map<uint64_t, Verdict> decided_;
};

}  // namespace faultcore

#endif  // FAULTCORE_LIBFAULTCORE_HOLD_REGISTRY_H_
