// The registry module of the PostgreSQL store: the city, districts, enterprises,
// sites and devices, with the semantics of the SQLite module (sqlite/registry.cc).
// Device passwords are stored sealed with SM4 (crypto/sealer.h) when the store has
// keys, and opened as they are read; a password written before there were keys stays
// readable in clear until SealDevicePasswords seals it.
//
// No foreign keys between the tables: as in SQLite, a device may name a site that is
// registered later (bulk imports arrive in any order). Devices are listed in binary
// order of their MN, as SQLite lists them, whatever the database's collation; the
// column keeps the database's, for the readings module's joins.
#include "crypto/sealer.h"
#include "store/pg/lease.h"
#include "store/pg/modules.h"

namespace ecohub::store::pg {

namespace {

// Never edit a released step: add the next one.
constexpr const char* kSteps[] = {
    // 1: the tables of sqlite/migrations.h as they stand after its step 9.
    R"sql(
CREATE TABLE city (
  id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL, code TEXT NOT NULL,
  lon DOUBLE PRECISION, lat DOUBLE PRECISION, west DOUBLE PRECISION, south DOUBLE PRECISION,
  east DOUBLE PRECISION, north DOUBLE PRECISION, pm25_target DOUBLE PRECISION,
  good_days_target DOUBLE PRECISION, water_target DOUBLE PRECISION);
CREATE TABLE districts (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code TEXT UNIQUE NOT NULL,
  name TEXT NOT NULL, lon DOUBLE PRECISION, lat DOUBLE PRECISION, geojson TEXT,
  active BOOLEAN NOT NULL DEFAULT true);
CREATE TABLE enterprises (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, credit_code TEXT UNIQUE NOT NULL,
  name TEXT NOT NULL, industry TEXT, district_id BIGINT, lon DOUBLE PRECISION,
  lat DOUBLE PRECISION, key_unit BOOLEAN, permit_no TEXT, address TEXT NOT NULL DEFAULT '',
  contact_name TEXT NOT NULL DEFAULT '', contact_phone TEXT NOT NULL DEFAULT '',
  key_media TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'operating');
CREATE TABLE sites (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code TEXT UNIQUE NOT NULL,
  name TEXT NOT NULL, kind TEXT NOT NULL, district_id BIGINT, enterprise_id BIGINT,
  lon DOUBLE PRECISION, lat DOUBLE PRECISION, simulated BOOLEAN, attrs TEXT,
  active BOOLEAN NOT NULL DEFAULT true);
CREATE TABLE devices (
  mn TEXT PRIMARY KEY, site_id BIGINT, password TEXT, protocol_version INTEGER,
  charset TEXT, enabled BOOLEAN, crc_variant TEXT);
CREATE INDEX devices_site ON devices (site_id);
)sql",
};

District DistrictFrom(const Rows& q, int i) {
  return District{q.Int(i, 0),  Str(q, i, 1), Str(q, i, 2), q.Real(i, 3),
                  q.Real(i, 4), Str(q, i, 5), q.Bool(i, 6)};
}
Enterprise EnterpriseFrom(const Rows& q, int i) {
  return Enterprise{q.Int(i, 0),   Str(q, i, 1),  Str(q, i, 2),  Str(q, i, 3), q.Int(i, 4),
                    q.Real(i, 5),  q.Real(i, 6),  q.Bool(i, 7),  Str(q, i, 8), Str(q, i, 9),
                    Str(q, i, 10), Str(q, i, 11), Str(q, i, 12), Str(q, i, 13)};
}
// A site row; kCorruption when its kind is not one EcoHub knows (a row written by
// hand or by a newer version): the caller gets an error, never a guessed kind.
Result<Site> SiteFrom(const Rows& q, int i) {
  std::string kind = Str(q, i, 3);
  auto parsed = registry::ParseSiteKind(kind);
  if (!parsed)
    return Status::Corruption("site " + std::to_string(q.Int(i, 0)) + " (" + Str(q, i, 1) +
                              "): unknown kind '" + kind + "'");
  return Site{q.Int(i, 0),  Str(q, i, 1), Str(q, i, 2), *parsed,      q.Int(i, 4),  q.Int(i, 5),
              q.Real(i, 6), q.Real(i, 7), q.Bool(i, 8), Str(q, i, 9), q.Bool(i, 10)};
}
Device DeviceFrom(const Rows& q, int i) {
  return Device{Str(q, i, 0), q.Int(i, 1),  Str(q, i, 2), static_cast<int>(q.Int(i, 3)),
                Str(q, i, 4), q.Bool(i, 5), Str(q, i, 6)};
}

constexpr const char* kPutCity =
    "INSERT INTO city (id, name, code, lon, lat, west, south, east, north, pm25_target, "
    "good_days_target, water_target) VALUES (1,$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) "
    "ON CONFLICT (id) DO UPDATE SET name=excluded.name, code=excluded.code, lon=excluded.lon, "
    "lat=excluded.lat, west=excluded.west, south=excluded.south, east=excluded.east, "
    "north=excluded.north, pm25_target=excluded.pm25_target, "
    "good_days_target=excluded.good_days_target, water_target=excluded.water_target";
constexpr const char* kPutDistrict =
    "INSERT INTO districts (code, name, lon, lat, geojson, active) VALUES ($1,$2,$3,$4,$5,$6) "
    "ON CONFLICT (code) DO UPDATE SET name=excluded.name, lon=excluded.lon, "
    "lat=excluded.lat, geojson=excluded.geojson, active=excluded.active RETURNING id";
constexpr const char* kPutEnterprise =
    "INSERT INTO enterprises (credit_code, name, industry, district_id, lon, lat, key_unit, "
    "permit_no, address, contact_name, contact_phone, key_media, status) "
    "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) ON CONFLICT (credit_code) DO UPDATE "
    "SET name=excluded.name, industry=excluded.industry, district_id=excluded.district_id, "
    "lon=excluded.lon, lat=excluded.lat, key_unit=excluded.key_unit, "
    "permit_no=excluded.permit_no, address=excluded.address, "
    "contact_name=excluded.contact_name, contact_phone=excluded.contact_phone, "
    "key_media=excluded.key_media, status=excluded.status RETURNING id";
constexpr const char* kPutSite =
    "INSERT INTO sites (code, name, kind, district_id, enterprise_id, lon, lat, simulated, "
    "attrs, active) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (code) DO UPDATE SET "
    "name=excluded.name, kind=excluded.kind, district_id=excluded.district_id, "
    "enterprise_id=excluded.enterprise_id, lon=excluded.lon, lat=excluded.lat, "
    "simulated=excluded.simulated, attrs=excluded.attrs, active=excluded.active RETURNING id";
constexpr const char* kPutDevice =
    "INSERT INTO devices (mn, site_id, password, protocol_version, charset, enabled, "
    "crc_variant) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (mn) DO UPDATE SET "
    "site_id=excluded.site_id, password=excluded.password, "
    "protocol_version=excluded.protocol_version, charset=excluded.charset, "
    "enabled=excluded.enabled, crc_variant=excluded.crc_variant";
constexpr const char* kDistricts =
    "SELECT id, code, name, lon, lat, geojson, active FROM districts ORDER BY id";
constexpr const char* kEnterprises =
    "SELECT id, name, credit_code, industry, district_id, lon, lat, key_unit, permit_no, "
    "address, contact_name, contact_phone, key_media, status FROM enterprises ORDER BY id";
constexpr const char* kSites =
    "SELECT id, code, name, kind, district_id, enterprise_id, lon, lat, simulated, attrs, "
    "active FROM sites ORDER BY id";
constexpr const char* kSiteById =
    "SELECT id, code, name, kind, district_id, enterprise_id, lon, lat, simulated, attrs, "
    "active FROM sites WHERE id = $1";
constexpr const char* kDevices =
    "SELECT mn, site_id, password, protocol_version, charset, enabled, crc_variant FROM "
    "devices ORDER BY mn COLLATE \"C\"";
constexpr const char* kDeviceByMn =
    "SELECT mn, site_id, password, protocol_version, charset, enabled, crc_variant FROM "
    "devices WHERE mn = $1";

class Registry final : public RegistryStore {
 public:
  explicit Registry(Connections& c) : pool_(*c.pool), keys_(*c.keys) {}

  Status PutCity(const City& c) override {
    return Run(pool_, kPutCity, "put city", c.name, c.code, c.lon, c.lat, c.west, c.south, c.east,
               c.north, c.pm25_target, c.good_days_target, c.water_target);
  }
  Result<City> GetCity() override {
    return ReadOne(pool_,
                   "SELECT name, code, lon, lat, west, south, east, north, pm25_target, "
                   "good_days_target, water_target FROM city WHERE id = 1",
                   "no city has been set up", [](const Rows& q, int i) {
                     return City{Str(q, i, 0),    Str(q, i, 1),    q.Real(i, 2),    q.Real(i, 3),
                                 q.Real(i, 4),    q.Real(i, 5),    q.Real(i, 6),    q.Real(i, 7),
                                 q.OptReal(i, 8), q.OptReal(i, 9), q.OptReal(i, 10)};
                   });
  }
  Result<int64_t> PutDistrict(const District& d) override {
    return ReturnedId(Query(pool_, kPutDistrict, "put district", d.code, d.name, d.lon, d.lat,
                            d.geojson, d.active));
  }
  Result<int64_t> PutEnterprise(const Enterprise& e) override {
    auto db = pool_.Get();
    if (!db.ok()) return db.status();
    return InsertEnterprise(**db, e);
  }
  Result<int64_t> PutSite(const Site& s) override {
    auto db = pool_.Get();
    if (!db.ok()) return db.status();
    return InsertSite(**db, s);
  }
  Status PutDevice(const Device& device) override {
    auto sealed = keys_.SealPassword(device.password);
    if (!sealed.ok()) return sealed.status();
    Device d = device;
    d.password = std::move(*sealed);
    auto db = pool_.Get();
    if (!db.ok()) return db.status();
    return InsertDevice(**db, d);
  }
  Status PutRows(const RegistryRows& rows) override {
    std::vector<Device> devices = rows.devices;
    for (Device& d : devices) {
      auto sealed = keys_.SealPassword(d.password);
      if (!sealed.ok()) return sealed.status();
      d.password = std::move(*sealed);
    }
    return Transaction(pool_, [&](Conn& conn) {
      for (const Enterprise& e : rows.enterprises)
        if (auto id = InsertEnterprise(conn, e); !id.ok()) return id.status();
      for (const Site& s : rows.sites)
        if (auto id = InsertSite(conn, s); !id.ok()) return id.status();
      for (const Device& d : devices)
        if (Status st = InsertDevice(conn, d); !st.ok()) return st;
      return Status::Ok();
    });
  }

  Result<std::vector<District>> Districts() override {
    return Read(pool_, kDistricts, "list districts", DistrictFrom);
  }
  Result<std::vector<Enterprise>> Enterprises() override {
    return Read(pool_, kEnterprises, "list enterprises", EnterpriseFrom);
  }
  Result<std::vector<Site>> Sites() override {
    auto rows = Read(pool_, kSites, "list sites", SiteFrom);
    if (!rows.ok()) return rows.status();
    std::vector<Site> sites;
    sites.reserve(rows->size());
    for (auto& row : *rows) {
      if (!row.ok()) return row.status();
      sites.push_back(std::move(*row));
    }
    return sites;
  }
  Result<Site> GetSite(int64_t id) override {
    auto rows = Read(pool_, kSiteById, "get site", SiteFrom, id);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Status::NotFound("site " + std::to_string(id));
    return std::move(rows->front());
  }
  Result<std::vector<Device>> Devices() override {
    auto rows = Read(pool_, kDevices, "list devices", DeviceFrom);
    if (!rows.ok()) return rows.status();
    for (Device& d : *rows)
      if (Status s = keys_.OpenPassword(&d); !s.ok()) return s;
    return rows;
  }
  Result<Device> GetDevice(std::string_view mn) override {
    auto d = ReadOne(pool_, kDeviceByMn, "device " + std::string(mn), DeviceFrom, mn);
    if (!d.ok()) return d;
    if (Status s = keys_.OpenPassword(&*d); !s.ok()) return s;
    return d;
  }
  Status SealDevicePasswords() override {
    auto keys = keys_.Get();
    if (!keys.ok()) return keys.status();
    if ((*keys)->empty()) return Status::Ok();
    auto clear = Read(pool_, "SELECT mn, password FROM devices WHERE password NOT LIKE '$sm4$%'",
                      "list clear passwords",
                      [](const Rows& q, int i) { return std::pair(Str(q, i, 0), Str(q, i, 1)); });
    if (!clear.ok()) return clear.status();
    crypto::Sealer sealer(*keys);
    // Each update names the clear text it replaces: a password changed meanwhile (on
    // this node or another) is left as its writer stored it.
    return Transaction(pool_, [&](Conn& conn) {
      for (const auto& [mn, password] : *clear) {
        auto sealed = sealer.Seal(password);
        if (!sealed.ok()) return sealed.status();
        Status s = conn.Run("UPDATE devices SET password = $1 WHERE mn = $2 AND password = $3",
                            "seal device password", *sealed, mn, password);
        if (!s.ok()) return s;
      }
      return Status::Ok();
    });
  }

 private:
  static Result<int64_t> InsertEnterprise(Conn& db, const Enterprise& e) {
    return ReturnedId(db.Query(kPutEnterprise, "put enterprise", e.credit_code, e.name, e.industry,
                               e.district_id, e.lon, e.lat, e.key_unit, e.permit_no, e.address,
                               e.contact_name, e.contact_phone, e.key_media, e.status));
  }
  static Result<int64_t> InsertSite(Conn& db, const Site& s) {
    return ReturnedId(db.Query(kPutSite, "put site", s.code, s.name, registry::SiteKindName(s.kind),
                               s.district_id, s.enterprise_id, s.lon, s.lat, s.simulated,
                               s.attrs_json, s.active));
  }
  // `d` with its password as stored (sealed when there are keys).
  static Status InsertDevice(Conn& db, const Device& d) {
    return db.Run(kPutDevice, "put device", d.mn, d.site_id, d.password, d.protocol_version,
                  d.charset, d.enabled, d.crc_variant);
  }

  Pool& pool_;
  StoreKeys& keys_;
};

}  // namespace

Result<std::unique_ptr<RegistryStore>> OpenRegistry(Connections& c) {
  if (Status s = Migrate(*c.pool, "registry", kSteps); !s.ok()) return s;
  return std::unique_ptr<RegistryStore>(std::make_unique<Registry>(c));
}

}  // namespace ecohub::store::pg
