// The registry module of the SQLite store: districts, enterprises, sites, devices.
// Device passwords are stored sealed with SM4 (crypto/sealer.h) when the store has
// keys, and opened as they are read; a password written before there were keys stays
// readable in clear until SealDevicePasswords seals it.
#include "crypto/sealer.h"
#include "store/sqlite/modules.h"

namespace ecohub::store::sqlite {

namespace {

District DistrictFrom(const Stmt& q) {
  return District{q.Int(0), q.Text(1), q.Text(2), q.Real(3), q.Real(4), q.Text(5), q.Int(6) != 0};
}
Enterprise EnterpriseFrom(const Stmt& q) {
  return Enterprise{q.Int(0),   q.Text(1),  q.Text(2),     q.Text(3), q.Int(4),
                    q.Real(5),  q.Real(6),  q.Int(7) != 0, q.Text(8), q.Text(9),
                    q.Text(10), q.Text(11), q.Text(12),    q.Text(13)};
}
// A site row; kCorruption when its kind is not one EcoHub knows (a row written by
// hand or by a newer version): the caller gets an error, never a guessed kind.
Result<Site> SiteFrom(const Stmt& q) {
  std::string kind = q.Text(3);
  auto parsed = registry::ParseSiteKind(kind);
  if (!parsed)
    return Status::Corruption("site " + std::to_string(q.Int(0)) + " (" + q.Text(1) +
                              "): unknown kind '" + kind + "'");
  return Site{q.Int(0),  q.Text(1), q.Text(2),     *parsed,   q.Int(4),      q.Int(5),
              q.Real(6), q.Real(7), q.Int(8) != 0, q.Text(9), q.Int(10) != 0};
}
Device DeviceFrom(const Stmt& q) {
  return Device{q.Text(0), q.Int(1),      q.Text(2), static_cast<int>(q.Int(3)),
                q.Text(4), q.Int(5) != 0, q.Text(6)};
}

constexpr const char* kPutDistrict =
    "INSERT INTO districts (code, name, lon, lat, geojson, active) VALUES (?,?,?,?,?,?) "
    "ON CONFLICT (code) DO UPDATE SET name=excluded.name, lon=excluded.lon, "
    "lat=excluded.lat, geojson=excluded.geojson, active=excluded.active RETURNING id";
constexpr const char* kPutEnterprise =
    "INSERT INTO enterprises (credit_code, name, industry, district_id, lon, lat, key_unit, "
    "permit_no, address, contact_name, contact_phone, key_media, status) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (credit_code) DO UPDATE SET "
    "name=excluded.name, industry=excluded.industry, district_id=excluded.district_id, "
    "lon=excluded.lon, lat=excluded.lat, key_unit=excluded.key_unit, "
    "permit_no=excluded.permit_no, address=excluded.address, "
    "contact_name=excluded.contact_name, contact_phone=excluded.contact_phone, "
    "key_media=excluded.key_media, status=excluded.status RETURNING id";
constexpr const char* kPutSite =
    "INSERT INTO sites (code, name, kind, district_id, enterprise_id, lon, lat, simulated, "
    "attrs, active) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (code) DO UPDATE SET "
    "name=excluded.name, kind=excluded.kind, district_id=excluded.district_id, "
    "enterprise_id=excluded.enterprise_id, lon=excluded.lon, lat=excluded.lat, "
    "simulated=excluded.simulated, attrs=excluded.attrs, active=excluded.active RETURNING id";
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
    "active FROM sites WHERE id = ?";
constexpr const char* kDevices =
    "SELECT mn, site_id, password, protocol_version, charset, enabled, crc_variant FROM "
    "devices ORDER BY mn";
constexpr const char* kDeviceByMn =
    "SELECT mn, site_id, password, protocol_version, charset, enabled, crc_variant FROM "
    "devices WHERE mn = ?";

class Registry final : public RegistryStore, private OnEcohubDb {
 public:
  explicit Registry(Connections& c) : OnEcohubDb(c), keys_(*c.keys) {}

  Status PutCity(const City& c) override {
    std::lock_guard lock(w_.mu());
    return w_.Run(
        "INSERT INTO city (id, name, code, lon, lat, west, south, east, north, pm25_target, "
        "good_days_target, water_target) VALUES (1,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO "
        "UPDATE SET name=excluded.name, code=excluded.code, lon=excluded.lon, "
        "lat=excluded.lat, west=excluded.west, south=excluded.south, east=excluded.east, "
        "north=excluded.north, pm25_target=excluded.pm25_target, "
        "good_days_target=excluded.good_days_target, water_target=excluded.water_target",
        "put city", c.name, c.code, c.lon, c.lat, c.west, c.south, c.east, c.north, c.pm25_target,
        c.good_days_target, c.water_target);
  }
  Result<City> GetCity() override {
    auto db = reads_.Acquire();
    return db->QueryOne(
        "SELECT name, code, lon, lat, west, south, east, north, pm25_target, "
        "good_days_target, water_target FROM city WHERE id = 1",
        "no city has been set up", [](const Stmt& q) {
          return City{q.Text(0), q.Text(1), q.Real(2),    q.Real(3),    q.Real(4),    q.Real(5),
                      q.Real(6), q.Real(7), q.OptReal(8), q.OptReal(9), q.OptReal(10)};
        });
  }
  Result<int64_t> PutDistrict(const District& d) override {
    return Upsert(kPutDistrict, "put district", d.code, d.name, d.lon, d.lat, d.geojson, d.active);
  }
  Result<int64_t> PutEnterprise(const Enterprise& e) override {
    std::lock_guard lock(w_.mu());
    return InsertEnterprise(e);
  }
  Result<int64_t> PutSite(const Site& s) override {
    std::lock_guard lock(w_.mu());
    return InsertSite(s);
  }
  Status PutDevice(const Device& device) override {
    auto sealed = keys_.SealPassword(device.password);
    if (!sealed.ok()) return sealed.status();
    Device d = device;
    d.password = std::move(*sealed);
    std::lock_guard lock(w_.mu());
    return InsertDevice(d);
  }
  Status PutRows(const RegistryRows& rows) override {
    std::vector<Device> devices = rows.devices;
    for (Device& d : devices) {
      auto sealed = keys_.SealPassword(d.password);
      if (!sealed.ok()) return sealed.status();
      d.password = std::move(*sealed);
    }
    std::lock_guard lock(w_.mu());
    return w_.InTransaction([&] {
      for (const Enterprise& e : rows.enterprises)
        if (auto id = InsertEnterprise(e); !id.ok()) return id.status();
      for (const Site& s : rows.sites)
        if (auto id = InsertSite(s); !id.ok()) return id.status();
      for (const Device& d : devices)
        if (Status st = InsertDevice(d); !st.ok()) return st;
      return Status::Ok();
    });
  }

  Result<std::vector<District>> Districts() override { return All(kDistricts, DistrictFrom); }
  Result<std::vector<Enterprise>> Enterprises() override {
    return All(kEnterprises, EnterpriseFrom);
  }
  Result<std::vector<Site>> Sites() override {
    auto rows = All(kSites, SiteFrom);
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
    auto db = reads_.Acquire();
    auto row = db->QueryOne(kSiteById, "site " + std::to_string(id), SiteFrom, id);
    if (!row.ok()) return row.status();
    return std::move(*row);
  }
  Result<std::vector<Device>> Devices() override {
    auto rows = All(kDevices, DeviceFrom);
    if (!rows.ok()) return rows.status();
    for (Device& d : *rows)
      if (Status s = keys_.OpenPassword(&d); !s.ok()) return s;
    return rows;
  }
  Result<Device> GetDevice(std::string_view mn) override {
    Result<Device> d = [&] {
      auto db = reads_.Acquire();
      return db->QueryOne(kDeviceByMn, "device " + std::string(mn), DeviceFrom, mn);
    }();
    if (!d.ok()) return d;
    if (Status s = keys_.OpenPassword(&*d); !s.ok()) return s;
    return d;
  }
  Status SealDevicePasswords() override {
    auto keys = keys_.Get();
    if (!keys.ok()) return keys.status();
    if ((*keys)->empty()) return Status::Ok();
    auto clear = All("SELECT mn, password FROM devices WHERE password NOT LIKE '$sm4$%'",
                     [](const Stmt& q) { return std::pair(q.Text(0), q.Text(1)); });
    if (!clear.ok()) return clear.status();
    crypto::Sealer sealer(*keys);
    std::lock_guard lock(w_.mu());
    return w_.InTransaction([&] {
      for (const auto& [mn, password] : *clear) {
        auto sealed = sealer.Seal(password);
        if (!sealed.ok()) return sealed.status();
        Status s = w_.Run("UPDATE devices SET password = ? WHERE mn = ? AND password = ?",
                          "seal device password", *sealed, mn, password);
        if (!s.ok()) return s;
      }
      return Status::Ok();
    });
  }

 private:
  StoreKeys& keys_;

  // The upserts, on the write connection whose lock the caller holds.
  Result<int64_t> InsertEnterprise(const Enterprise& e) {
    return w_.InsertReturningId(kPutEnterprise, "put enterprise", e.credit_code, e.name, e.industry,
                                e.district_id, e.lon, e.lat, e.key_unit, e.permit_no, e.address,
                                e.contact_name, e.contact_phone, e.key_media, e.status);
  }
  Result<int64_t> InsertSite(const Site& s) {
    return w_.InsertReturningId(kPutSite, "put site", s.code, s.name,
                                registry::SiteKindName(s.kind), s.district_id, s.enterprise_id,
                                s.lon, s.lat, s.simulated, s.attrs_json, s.active);
  }
  // `d` with its password as stored (sealed when there are keys).
  Status InsertDevice(const Device& d) {
    return w_.Run(
        "INSERT INTO devices (mn, site_id, password, protocol_version, charset, enabled, "
        "crc_variant) VALUES (?,?,?,?,?,?,?) ON CONFLICT (mn) DO UPDATE SET "
        "site_id=excluded.site_id, password=excluded.password, "
        "protocol_version=excluded.protocol_version, charset=excluded.charset, "
        "enabled=excluded.enabled, crc_variant=excluded.crc_variant",
        "put device", d.mn, d.site_id, d.password, d.protocol_version, d.charset, d.enabled,
        d.crc_variant);
  }

  // Upserts a row by its natural key and returns its id.
  template <typename... V>
  Result<int64_t> Upsert(const char* sql, const char* what, const V&... values) {
    std::lock_guard lock(w_.mu());
    return w_.InsertReturningId(sql, what, values...);
  }
  // Every row of a listing, on the read connection.
  template <typename Read>
  Result<std::vector<std::invoke_result_t<Read, const Stmt&>>> All(const char* sql, Read read) {
    auto db = reads_.Acquire();
    return db->Query(sql, "list registry", read);
  }
};

}  // namespace

std::unique_ptr<RegistryStore> NewRegistry(Connections& c) { return std::make_unique<Registry>(c); }

}  // namespace ecohub::store::sqlite
