// ComplaintStore: the record of complaints (complaint.h) and their time lines. Behind
// one small interface, every backend running the same contract suite
// (complaint_store_test.cc); the SQLite backend keeps its own file, casework.db.
//
// A change is optimistic: it names the version it was computed from, and is refused
// with kConflict when another change came first (the caller reads again and decides).
//
// Thread-safety: every method may be called from any thread.
// Errors: kNotFound for an id or code that does not exist, kIoError when the backend
// fails.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "casework/complaint.h"
#include "core/table_rows.h"

namespace ecohub::casework {

struct ComplaintFilter {
  std::optional<ComplaintStatus> status;
  std::string category;                          // "" for every category
  std::optional<int64_t> district_id;            // nullopt: every; 0: the city's own
  UnixSeconds overdue_at = 0;                    // >0: open ones whose deadline <= this
  UnixSeconds from = INT64_MIN, to = INT64_MAX;  // submitted_at in [from, to)
  int64_t merged_into = 0;                       // >0: those merged into this one
  bool ended_with_contact = false;  // true: ended (closed, rejected, merged), phone still kept
  int64_t before = 0;               // ids below this (0: from the newest)
  size_t limit = 100;
};

// A change to one complaint: its state after (with `version` the one it was read
// at) and the lines it adds to time lines (its own, or another's for a merge).
struct ComplaintChange {
  Complaint after;
  std::vector<ComplaintEvent> events;
};

// How many complaints of a district, category, month and status; `overdue` of them
// open past their deadline at the time asked.
struct ComplaintCount {
  int64_t district_id = 0;
  std::string category, month;
  ComplaintStatus status = ComplaintStatus::kSubmitted;
  int64_t count = 0, overdue = 0;
};

// A photo sent with a complaint (photo.h: cleaned before it is kept).
struct ComplaintPhoto {
  int ord = 0;  // 1, 2... in the order sent
  std::string media_type;
  int64_t size = 0;
  UnixSeconds at = 0;
  std::string bytes;  // empty unless asked for
};

class ComplaintStore {
 public:
  virtual ~ComplaintStore() = default;
  // Records a new complaint (id ignored, version 1) with its first time line entry.
  // kConflict when its tracking code is taken (the caller draws another).
  virtual Result<Complaint> Add(const Complaint& c, const ComplaintEvent& first) = 0;
  virtual Result<Complaint> Get(int64_t id) = 0;
  virtual Result<Complaint> GetByCode(const std::string& tracking_code) = 0;
  // Newest first (by id).
  virtual Result<std::vector<Complaint>> List(const ComplaintFilter& f) = 0;
  // The time line of one complaint, oldest first.
  virtual Result<std::vector<ComplaintEvent>> Events(int64_t id) = 0;
  // The lines of every complaint's time line after the line `after_id`, in the order
  // they were written, at most `limit` (what notifications publish).
  virtual Result<std::vector<ComplaintEvent>> StepsAfter(int64_t after_id, size_t limit) = 0;
  // Applies every change, all or none, each only if its complaint is still at
  // `after.version` (then at version + 1). kConflict naming the complaint otherwise.
  virtual Status Apply(std::span<const ComplaintChange> changes) = 0;
  // Located complaints of `category` submitted in [from, to) inside the box [west,
  // south, east, north]: candidates for duplicates, newest first.
  virtual Result<std::vector<Complaint>> Near(const std::string& category, UnixSeconds from,
                                              UnixSeconds to, const double box[4],
                                              size_t limit) = 0;
  // Counts of complaints submitted in [from, to), by district, category, month and
  // status; overdue as of `now`.
  virtual Result<std::vector<ComplaintCount>> Counts(UnixSeconds from, UnixSeconds to,
                                                     UnixSeconds now) = 0;

  // Keeps a photo of complaint `id` as its next one; its number. kConflict when the
  // complaint has `max` already.
  virtual Result<int> AddPhoto(int64_t id, const std::string& media_type, const std::string& bytes,
                               UnixSeconds at, int max) = 0;
  // The complaint's photos in order, without their bytes.
  virtual Result<std::vector<ComplaintPhoto>> Photos(int64_t id) = 0;
  // One photo with its bytes; kNotFound when there is none of that number.
  virtual Result<ComplaintPhoto> Photo(int64_t id, int ord) = 0;

  // For `ecohub db migrate`, as the other modules' stores.
  virtual Result<std::vector<TableRows>> ExportTables() = 0;
  virtual Status ImportTables(const std::vector<TableRows>& tables) = 0;
};

// Opens or creates `data_dir`/casework.db.
Result<std::unique_ptr<ComplaintStore>> OpenSqliteComplaintStore(const std::string& data_dir);
// The tables in the PostgreSQL database at `url`.
Result<std::unique_ptr<ComplaintStore>> OpenPostgresComplaintStore(const std::string& url);

}  // namespace ecohub::casework
