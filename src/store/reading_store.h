// ReadingStore: the readings of the sensing network and the raw packets they came
// in (DESIGN.md, "The way data flows"). Part of Store (store.h), whose notes on
// thread-safety and errors apply; its contract suite is readings_contract_test.cc.
//
// Readings are upserts on (mn, period, time, factor, field): a retransmitted packet
// changes nothing. Append() is durable when it returns OK — the gateway acknowledges
// devices only after that. A ScanReadings/ScanWindow callback must not call back
// into the same store's read methods (the read connection is held for the scan).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/reading.h"
#include "core/status.h"
#include "core/time.h"

namespace ecohub::store {

// Every frame that arrived, kept with its verdict so any stored value can be traced
// back to its bytes ("stored", "crc_mismatch", "unknown_mn", "bad_password"...).
struct RawPacket {
  UnixMillis received = 0;
  std::string peer;
  std::string mn;
  std::string verdict;
  std::string bytes;
};

// What one packet brings: its readings and its raw bytes, committed together.
struct Batch {
  std::vector<Reading> readings;
  std::vector<RawPacket> raw;
};

struct LatestValue {
  std::string mn;
  Period period = Period::kRealtime;
  std::string factor, field, value;
  char flag = 0;
  UnixSeconds time = 0;
};

class ReadingStore {
 public:
  virtual ~ReadingStore() = default;

  // All batches in one transaction, durable when OK is returned. On error nothing of
  // them is stored.
  virtual Status Append(std::span<const Batch* const> batches) = 0;

  // Every stored reading ordered by (mn, period, time, factor, field); `fn` returns
  // false to stop early.
  virtual Status ScanReadings(const std::function<bool(const Reading&)>& fn) = 0;
  // One series, time in [from, to), ordered by time.
  virtual Result<std::vector<Reading>> Range(std::string_view mn, Period period,
                                             std::string_view factor, std::string_view field,
                                             UnixSeconds from, UnixSeconds to) = 0;
  // Every reading of `period` with time in [from, to), all series, grouped by
  // series and ordered by time within one. For passes that need many series over
  // the same window (the Deriver's hourly pass): one scan of the window instead of
  // one per series. `fn` returns false to stop.
  // `mns`, when not empty, limits the scan to those devices (sorted, unique).
  virtual Status ScanWindow(Period period, UnixSeconds from, UnixSeconds to,
                            std::span<const std::string> mns,
                            const std::function<bool(const Reading&)>& fn) = 0;
  // The newest value of every series (to warm the latest-value cache).
  virtual Result<std::vector<LatestValue>> LatestAll() = 0;
  // The newest value of every (period, factor, field) of the devices registered to a
  // site, ordered by (mn, period, factor, field). Empty for an unknown site. Maps and
  // cockpits read LatestCache instead; this is the store's answer to the same question.
  virtual Result<std::vector<LatestValue>> LatestForSite(int64_t site_id) = 0;
  virtual Result<int64_t> CountReadings() = 0;
  // Bytes used by each table and index, for capacity planning ("readings", "chunks",
  // "raw_packets"...). Empty when the backend cannot tell.
  virtual Result<std::vector<std::pair<std::string, int64_t>>> TableBytes() = 0;

  // Raw packets of a device, newest first, received in [from, to). Raw packets are
  // indexed by time only (cheap to write); the window is scanned, so keep it narrow.
  virtual Result<std::vector<RawPacket>> RawPackets(std::string_view mn, UnixMillis from,
                                                    UnixMillis to, size_t limit) = 0;

  // Retention.
  virtual Status PruneRaw(UnixMillis before) = 0;
  virtual Status PruneReadings(Period period, UnixSeconds before) = 0;
  // Moves readings older than `before` from the write-optimised table into
  // compressed per-series chunks, merging with what is there (the newer value of a
  // time wins). Safe at any time and concurrently with Append; reads see the same
  // data before and after. Compact() (everything) also gives freed pages back to the
  // file system and truncates the WAL: the figure to quote as bytes on disk.
  virtual Status Compact(UnixSeconds before) = 0;
  Status Compact() { return Compact(INT64_MAX); }
};

}  // namespace ecohub::store
