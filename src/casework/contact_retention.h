// How long a complainant's phone is kept (个人信息保护法: no longer than the purpose
// needs). The phone serves the handling: calling back, the reply, a reopening. Once a
// complaint has ended (closed, refused or merged) and was submitted long enough ago,
// the phone is erased from it; the complaint itself (what was reported, where, the
// reply) stays, as the bureau's record.
#pragma once

#include "casework/complaint_store.h"

namespace ecohub::casework {

// Days after submission before the phone of an ended complaint goes, by default and
// at least: reopening is possible up to 30 days after the reply, which is due within
// kReplyDays (or a city's longer deadline).
constexpr int kKeepContactDays = 180;
constexpr int kMinKeepContactDays = 60;

// The time line's line for an erasure (kNote, internal).
constexpr const char* kContactErasedByRetention = "联系方式已按保存期限删除";

// Erases the phone of every ended complaint submitted more than `keep_days` before
// `now`, each as a change with its own time line line by "system". A complaint that
// changes meanwhile is left for the next pass. The number erased.
Result<int> EraseExpiredContacts(ComplaintStore& store, UnixSeconds now, int keep_days);

}  // namespace ecohub::casework
