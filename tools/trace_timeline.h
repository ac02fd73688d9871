// The timeline of faultcore trace: one line per request of a dump, and for
// each request a rule changed a second line explaining it in device terms.
//
// Pure functions; thread-safe.

#ifndef FAULTCORE_TOOLS_TRACE_TIMELINE_H_
#define FAULTCORE_TOOLS_TRACE_TIMELINE_H_

#include <ostream>
#include <string>

#include "tools/trace_dump.h"

namespace faultcore {
namespace cli {

// Writes a heading and the requests (only the injected ones when
// `injected_only`), times in ms since the first record, with a line
// 'state "A" -> "B" (from seq N)' where the state changes.
void PrintTimeline(const TraceDump& dump, bool injected_only,
                   std::ostream& out);

// The second line of an injected request, without indentation: "failed at
// LBA 2049 (byte 1049088) after 512 good bytes; SCSI 03/11/00 MEDIUM ERROR:
// unrecovered read error; NVMe 2/81 DNR: ...; ATA 0x41/0x40 (DRDY ERR /
// UNC); errno EIO".
std::string Explanation(const TraceRecord& record);

}  // namespace cli
}  // namespace faultcore

#endif  // FAULTCORE_TOOLS_TRACE_TIMELINE_H_
