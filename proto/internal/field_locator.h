// FieldLocator: names a field of a parsed RuleSet the way diagnostics do
// (`rules[3] ("bad-sector").range.count`) and finds where the text wrote it.
//
// Used by the validator for its own diagnostics and by RuleFile for tools
// (faultcore lint) that report findings of their own.  Paths and locations
// are only worked out for the diagnostics actually reported.
//
// Not thread-safe (it caches the locations of repeated fields).  The rule
// set, the tree and the text must outlive it.

#ifndef FAULTCORE_PROTO_INTERNAL_FIELD_LOCATOR_H_
#define FAULTCORE_PROTO_INTERNAL_FIELD_LOCATOR_H_

#include <map>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"
#include "proto/diagnostic.h"
#include "proto/faultcore.pb.h"
#include "proto/internal/source_text.h"

namespace faultcore {
namespace internal {

// One step from a message to one of its fields.
struct FieldStep {
  const google::protobuf::FieldDescriptor* field;
  // The value of a repeated field, or -1: a singular field, or a repeated
  // field as a whole.
  int index = -1;
};

class FieldLocator {
 public:
  using ParseInfoTree = google::protobuf::TextFormat::ParseInfoTree;

  // `tree` is the tree filled by TextFormat::Parser::WriteLocationsTo() while
  // parsing `set`; null for binary input and sets built in code.  `text` is
  // the parsed text; null when unknown.  Without the text, columns count a
  // tab as protobuf does and values written with list syntax are located at
  // their statement.
  FieldLocator(const v1::RuleSet& set, const ParseInfoTree* tree,
               const SourceText* text)
      : set_(set), tree_(tree), text_(text) {}
  FieldLocator(const FieldLocator&) = delete;
  FieldLocator& operator=(const FieldLocator&) = delete;

  // Sets `diagnostic`'s path to the field reached from the RuleSet by
  // `steps` (a rule is followed by its quoted name when it has one), and its
  // line and column to those of the deepest field on the way that the text
  // has: an absent field is reported where its message is.
  void Describe(absl::Span<const FieldStep> steps, Diagnostic* diagnostic);

 private:
  Location Convert(
      const google::protobuf::TextFormat::ParseLocation& location) const;
  // Location of value `index` of the repeated `field` (`size` values), or of
  // the singular `field` when `index` is -1.  {} when unknown.
  Location Find(const ParseInfoTree* tree,
                const google::protobuf::FieldDescriptor* field, int index,
                int size);
  const std::vector<Location>& ValueLocations(
      const ParseInfoTree* tree, const google::protobuf::FieldDescriptor* field,
      int size);
  // If the statement at `start` uses list syntax (`name: [a, b]`), appends
  // the location of each value and returns true.
  bool AppendListValues(
      const google::protobuf::TextFormat::ParseLocation& start,
      std::vector<Location>* values) const;

  const v1::RuleSet& set_;
  const ParseInfoTree* const tree_;
  const SourceText* const text_;
  std::map<
      std::pair<const ParseInfoTree*, const google::protobuf::FieldDescriptor*>,
      std::vector<Location>>
      cache_;
};

}  // namespace internal
}  // namespace faultcore

#endif  // FAULTCORE_PROTO_INTERNAL_FIELD_LOCATOR_H_
