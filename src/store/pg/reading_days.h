// Day chunks of hourly and daily readings on PostgreSQL: a copy of the rows of one
// series over one UTC day in the chunk format (store/chunk.h), kept beside the rows
// so that a year of one series is 366 rows to read instead of 8,784.
//
//   reading_days (series, day, period, chunk)   day = floor(t / 86400)
//   reading_days_done (period, until_day)       days before until_day have been built
//   reading_days_stale (series, day, period)    days changed after they were built
//
// The rows stay the truth: retention, scans, counts, dumps and migrations read them;
// chunks are only ever a faster answer to Range, and may be dropped and rebuilt at
// any time. A day is built once it has ended a day ago (so streaming data never
// touches a built day). A write of a time older than twelve hours (late data, a
// history pull) forgets the chunks of its days in its own transaction and marks the
// built ones stale for the next pass; twelve hours leave room for the clocks of nodes
// that disagree.
//
// No reader sees a chunk older than the rows. The builder holds reading_days in SHARE
// ROW EXCLUSIVE mode while it reads rows and writes chunks; a writer of old times
// takes ROW EXCLUSIVE (its DELETE) before it stores a row. Whichever comes second
// waits: a builder then reads the writer's committed rows, a writer then deletes the
// chunk the builder has just made. Writes of recent times take no lock at all.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/reading.h"
#include "core/time.h"
#include "store/chunk.h"
#include "store/pg/db.h"

namespace ecohub::store::pg {

// The migration step that makes the tables (one of the readings module's steps).
extern const char* const kReadingDaysMigration;

// Whether readings of this period are kept in day chunks too: hours and days, the
// periods whose reads span months and years.
bool DayChunked(int period);

// One row an append is about to store.
struct SeriesTime {
  int64_t series = 0;
  int period = 0;
  int64_t t = 0;
};

// Inside the writer's transaction, before the rows are stored: forgets the chunks of
// the days the rows may change and marks those days stale. Nothing to do (no
// statement) when every row is recent or of a period without chunks.
Status ForgetChangedDays(Conn& w, std::span<const SeriesTime> rows, UnixSeconds wall_now);

// Builds the chunks of every day that ended before min(before, wall_now - 1 day) and
// is not built yet, then rebuilds stale days; one transaction per day. Runs on one
// node at a time (an advisory lock; the others skip the pass).
Status BuildDays(Conn& conn, UnixSeconds before, UnixSeconds wall_now);

// Forgets the chunks of days that start before `before` (retention cut their rows).
Status PruneDays(Conn& conn, int period, UnixSeconds before);

// One series' readings with time in [from, to), ordered by time: chunks for the
// whole days inside the window that have one, rows for the rest. Empty for an
// unknown series.
Result<std::vector<ChunkEntry>> ReadDays(Conn& conn, std::string_view mn, int period,
                                         std::string_view factor, std::string_view field,
                                         UnixSeconds from, UnixSeconds to);

}  // namespace ecohub::store::pg
