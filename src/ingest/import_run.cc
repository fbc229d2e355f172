#include "ingest/import_run.h"

namespace ecohub::ingest {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr size_t kErrorsShown = 1000;

ordered_json Report(const ImportRequest& req, const std::string& format, const ImportResult& r,
                    int64_t batch_id) {
  ordered_json errors = ordered_json::array();
  for (size_t i = 0; i < r.errors.size() && i < kErrorsShown; ++i)
    errors.push_back(
        {{"row", r.errors[i].row}, {"column", r.errors[i].column}, {"reason", r.errors[i].reason}});
  bool any = r.values > 0;
  return {{"batch", batch_id ? json(batch_id) : json(nullptr)},
          {"client_batch_id", req.client_id.empty() ? json(nullptr) : json(req.client_id)},
          {"file", req.file_name},
          {"mapping", req.mapping_name.empty() ? json(nullptr) : json(req.mapping_name)},
          {"format", format},
          {"rows", r.rows},
          {"values", r.values},
          {"stored", r.created + r.replaced},
          {"created", r.created},
          {"replaced", r.replaced},
          {"unchanged", r.unchanged},
          {"missing", r.missing},
          {"skipped", r.skipped},
          {"bad_values", r.errors.size()},
          {"errors", std::move(errors)},
          {"sites", r.sites},
          {"first", any ? json(FormatRfc3339Beijing(r.first)) : json(nullptr)},
          {"last", any ? json(FormatRfc3339Beijing(r.last)) : json(nullptr)},
          {"devices_created", r.committed ? r.devices_created : std::vector<std::string>()},
          {"committed", r.committed},
          {"dry_run", req.dry_run},
          {"replayed", false}};
}

}  // namespace

Result<ImportOutcome> RunImport(store::Store& store, const registry::Snapshot& snapshot,
                                ImportBatchStore* batches, const ImportRequest& req,
                                const std::function<void(size_t, size_t)>& progress) {
  ImportOutcome out;
  bool keyed = batches && !req.client_id.empty() && !req.dry_run;
  // A batch id seen before: the first answer again, nothing applied twice.
  auto replay = [&]() -> Result<bool> {
    auto seen = batches->FindByClientId(req.principal, req.client_id);
    if (seen.status().code() == Code::kNotFound) return false;
    if (!seen.ok()) return seen.status();
    out.report = ordered_json::parse(seen->report, nullptr, false);
    if (out.report.is_discarded()) out.report = ordered_json::object();
    out.report["batch"] = seen->id;
    out.report["replayed"] = true;
    out.replayed = true;
    return true;
  };
  if (keyed) {
    auto seen = replay();
    if (!seen.ok()) return seen.status();
    if (*seen) return out;
  }
  auto values = ReadValues(req.bytes, req.mapping, req.max_rows);
  if (!values.ok()) return values.status();
  std::string format = values->format;
  auto result = ImportValues(store, snapshot, std::move(*values), req.scope, req.dry_run, progress);
  if (!result.ok()) return result.status();
  out.result = std::move(*result);
  const ImportResult& r = out.result;
  int64_t id = 0;
  if (batches && r.errors.empty() && !req.dry_run) {
    // A batch that changed nothing is recorded too: its id answers a retry, and the
    // list of imports shows that the file came.
    std::vector<ImportedValue> written;
    written.reserve(r.written.readings.size());
    for (size_t i = 0; i < r.written.readings.size(); ++i) {
      const Reading& x = r.written.readings[i];
      written.push_back({x.mn, x.period, x.factor, x.time, x.value, r.written_rows[i]});
    }
    ImportBatch b{0,       req.principal, req.client_id,
                  req.via, req.file_name, req.mapping_name,
                  format,  req.now,       Report(req, format, r, 0).dump()};
    auto recorded = batches->Record(b, written);
    if (recorded.status().code() == Code::kConflict && keyed) {
      // The same batch id raced in on another request: answer as that one did.
      auto seen = replay();
      if (!seen.ok()) return seen.status();
      if (*seen) return out;
    }
    if (!recorded.ok()) return recorded.status();
    id = *recorded;
  }
  out.report = Report(req, format, r, id);
  return out;
}

}  // namespace ecohub::ingest
