// RegistryStore: the reference tables of the registry (districts, enterprises,
// sites, devices; registry/types.h). Part of Store (store.h), whose notes on
// thread-safety and errors apply; its contract suite is registry_contract_test.cc.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "registry/snapshot.h"
#include "registry/types.h"

namespace ecohub::store {

// The registry's types by their older names, for the modules that still say so.
using City = registry::City;
using District = registry::District;
using Enterprise = registry::Enterprise;
using Site = registry::Site;
using Device = registry::Device;

// Rows written together by PutRows (the bulk import).
struct RegistryRows {
  std::vector<Enterprise> enterprises;
  std::vector<Site> sites;
  std::vector<Device> devices;
};

class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  // Upsert by natural key (district and site code, enterprise credit_code, device
  // mn) and return the id (a device is keyed by its mn alone). The caller's id is
  // ignored.
  virtual Result<int64_t> PutDistrict(const District& d) = 0;
  virtual Result<int64_t> PutEnterprise(const Enterprise& e) = 0;
  virtual Result<int64_t> PutSite(const Site& s) = 0;
  // Device passwords are kept sealed when the store has keys (crypto/sealer.h; keys
  // outside the database) and come back opened; PutDevice seals.
  virtual Status PutDevice(const Device& d) = 0;
  // Upserts every row as the Put* above do, enterprises first, then sites, then
  // devices, all or none (one transaction): a failure part-way leaves the registry
  // as it was.
  virtual Status PutRows(const RegistryRows& rows) = 0;
  // Seals the device passwords still stored in clear (written before there were
  // keys); nothing to do without keys. Idempotent.
  virtual Status SealDevicePasswords() = 0;

  // The one city of the deployment: PutCity replaces it; GetCity is kNotFound until
  // it was set (a fresh data directory, before `ecohub city init`).
  virtual Status PutCity(const City& c) = 0;
  virtual Result<City> GetCity() = 0;

  // Everything stored, ordered by id (devices by mn). A stored site whose kind is
  // not a registry::SiteKind name makes Sites and GetSite fail with kCorruption.
  virtual Result<std::vector<District>> Districts() = 0;
  virtual Result<std::vector<Enterprise>> Enterprises() = 0;
  virtual Result<std::vector<Site>> Sites() = 0;
  virtual Result<Site> GetSite(int64_t id) = 0;  // kNotFound when unknown
  virtual Result<std::vector<Device>> Devices() = 0;
  virtual Result<Device> GetDevice(std::string_view mn) = 0;  // kNotFound when unknown
};

// Reads every table of `from` and publishes them as `to`'s next snapshot, unless
// they are what `to` holds already (then the version stays, and nobody reloads for
// nothing). On a read error nothing is published (readers keep the current
// snapshot) and the error is returned.
Status PublishRegistry(RegistryStore& from, registry::Registry& to);

}  // namespace ecohub::store
