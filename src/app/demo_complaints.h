// The demo city's complaints: a month of them, as a bureau's queue looks on an ordinary
// day (most answered and rated, some in hand, a few past their deadline, some filed this
// morning), placed in the city's own districts, so that the console's complaint page
// and its statistics have something to show. Nothing about one city: the places are
// the districts' label points, the texts are generic.
#pragma once

#include <vector>

#include "casework/complaint_store.h"
#include "core/status.h"
#include "crypto/sealer.h"
#include "registry/types.h"

namespace ecohub::app {

// Files `count` complaints submitted over the 30 days before `now` into `store`, the
// older ones taken through their steps by "demo" staff. Deterministic for a given
// `now` and districts. Nothing when there are no districts.
Status SeedDemoComplaints(casework::ComplaintStore& store, const crypto::Sealer& sealer,
                          const std::vector<registry::District>& districts, int64_t now,
                          int count = 36);

}  // namespace ecohub::app
