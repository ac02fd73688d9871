#include "bench/blkdebug_reference.h"

#include <cerrno>
#include <cstdlib>

namespace faultcore {
namespace bench {

BlkdebugReference::~BlkdebugReference() {
  for (Rule*& head : rules_) {
    while (head != nullptr) {
      Rule* next = head->next;
      std::free(head);
      head = next;
    }
  }
}

void BlkdebugReference::AddInjectError(Event event, int64_t sector, bool once) {
  // g_malloc0 + compound literal, as add_rule() does.
  Rule* rule = static_cast<Rule*>(std::calloc(1, sizeof(Rule)));
  if (rule == nullptr) std::abort();
  rule->event = event;
  rule->error = EIO;
  rule->once = once;
  rule->offset = sector < 0 ? -1 : sector * 512;
  rule->iotype_mask = (1ull << kRead) | (1ull << kWrite) |
                      (1ull << kWriteZeroes) | (1ull << kDiscard) |
                      (1ull << kFlush);
  std::lock_guard<std::mutex> lock(mu_);
  // QLIST_INSERT_HEAD(&s->rules[event], rule, next)
  rule->next = rules_[event];
  if (rule->next != nullptr) rule->next->prev_next = &rule->next;
  rules_[event] = rule;
  rule->prev_next = &rules_[event];
}

void BlkdebugReference::DebugEvent(Event event) {
  std::lock_guard<std::mutex> lock(mu_);
  int inject_count = 0;
  for (Rule* rule = rules_[event]; rule != nullptr; rule = rule->next) {
    // process_rule(): only rules of the current state.
    if (rule->state != 0 && rule->state != state_) continue;
    if (++inject_count == 1) {
      // QSIMPLEQ_INIT(&s->active_rules)
      active_head_ = nullptr;
      active_tail_ = &active_head_;
    }
    // QSIMPLEQ_INSERT_HEAD(&s->active_rules, rule, active_next)
    rule->active_next = active_head_;
    if (active_head_ == nullptr) active_tail_ = &rule->active_next;
    active_head_ = rule;
  }
}

int BlkdebugReference::RuleCheck(uint64_t offset, uint64_t bytes,
                                 IoType iotype) {
  std::unique_lock<std::mutex> lock(mu_);
  Rule* rule;
  for (rule = active_head_; rule != nullptr; rule = rule->active_next) {
    const uint64_t inject_offset = static_cast<uint64_t>(rule->offset);
    if ((inject_offset == static_cast<uint64_t>(-1) ||
         (bytes && inject_offset >= offset &&
          inject_offset < offset + bytes)) &&
        (rule->iotype_mask & (1ull << iotype))) {
      break;
    }
  }
  if (rule == nullptr) return 0;
  const int error = rule->error;
  if (rule->once) {
    // QSIMPLEQ_REMOVE(&s->active_rules, rule, BlkdebugRule, active_next)
    Rule** link = &active_head_;
    while (*link != rule) link = &(*link)->active_next;
    *link = rule->active_next;
    if (*link == nullptr) active_tail_ = link;
    RemoveRule(rule);
  }
  // (Upstream then unlocks, sleeps for delay_ns and yields once unless
  // `immediately`; neither is part of the lookup measured here.)
  return -error;
}

void BlkdebugReference::RemoveRule(Rule* rule) {
  // QLIST_REMOVE(rule, next); g_free(rule)
  if (rule->next != nullptr) rule->next->prev_next = rule->prev_next;
  *rule->prev_next = rule->next;
  std::free(rule);
}

}  // namespace bench
}  // namespace faultcore
