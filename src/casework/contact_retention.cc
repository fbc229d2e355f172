#include "casework/contact_retention.h"

namespace ecohub::casework {

Result<int> EraseExpiredContacts(ComplaintStore& store, UnixSeconds now, int keep_days) {
  ComplaintFilter f;
  f.ended_with_contact = true;
  f.to = now - int64_t{keep_days} * kDaySeconds;
  f.limit = 500;
  int erased = 0;
  for (;;) {
    auto page = store.List(f);
    if (!page.ok()) return page.status();
    for (const Complaint& c : *page) {
      ComplaintChange change{c, {{c.id, now, Step::kNote, "system", kContactErasedByRetention}}};
      change.after.phone.clear();
      Status s = store.Apply({&change, 1});
      if (s.code() == Code::kConflict) continue;  // changed meanwhile: the next pass
      if (!s.ok()) return s;
      ++erased;
    }
    if (page->size() < f.limit) return erased;
    f.before = page->back().id;
  }
}

}  // namespace ecohub::casework
