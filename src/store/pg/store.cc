// OpenPostgresStore: the connections, then one module per interface, composed.
#include "store/pg/modules.h"
#include "store/store_wrapper.h"

namespace ecohub::store {

namespace {

using Parts = StoreParts<pg::Connections>;

template <typename T>
Status Take(Result<std::unique_ptr<T>> r, std::unique_ptr<T>* out) {
  if (!r.ok()) return r.status();
  *out = std::move(r).value();
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const PostgresOptions& options) {
  pg::ConnOptions co{.application = options.application};
  auto p = std::make_unique<Parts>();
  pg::Connections& c = p->connections;
  auto pool = pg::Pool::Open(url, options.pool_size, co);
  if (!pool.ok()) return pool.status();
  c.pool = std::move(*pool);
  auto writer = pg::Conn::Open(url, co);
  if (!writer.ok()) return writer.status();
  c.writer = std::move(*writer);
  c.keys = std::make_shared<StoreKeys>(options.keys_file);
  // The registry first: readings and alarms refer to its tables.
  Status s = Take(pg::OpenRegistry(c), &p->registry);
  if (s.ok()) s = Take(pg::OpenReadings(c), &p->readings);
  if (s.ok()) s = Take(pg::OpenDerived(c), &p->derived);
  if (s.ok()) s = Take(pg::OpenAlarms(c), &p->alarms);
  if (s.ok()) s = Take(pg::OpenAudit(c), &p->audit);
  if (!s.ok()) return s;
  return std::unique_ptr<Store>(std::make_unique<OwningStore<pg::Connections>>(std::move(p)));
}

}  // namespace ecohub::store
