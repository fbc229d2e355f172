// A pollutant discharge permit (排污许可证): the record of what one enterprise may
// discharge, outlet by outlet and year by year. The values here are plain data; the
// rules that read them (which permit is in force, what an outlet's limit is, how
// much of a permitted quantity is used) are in validity.h and quantity.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace ecohub::permit {

// One pollutant limit of one outlet (许可排放浓度).
struct Limit {
  std::string factor;           // HJ 212-2017 code, "a21026", "w01018"
  double value = 0;             // upper limit, in `unit`; for pH the upper end of the range
  std::optional<double> lower;  // lower end of a range limit (pH 6 of 6–9)
  std::string unit;             // "mg/m3", "mg/L", "" for pH
  std::string standard;         // where it comes from: "GB 13223-2011 表1"
  bool operator==(const Limit&) const = default;
};

// An outlet the permit covers: a site of kind outlet_gas or outlet_water of the
// permit's enterprise, with its limits.
struct Outlet {
  int64_t site_id = 0;
  std::vector<Limit> limits;
  bool operator==(const Outlet&) const = default;
};

// An annual permitted quantity (许可排放量) of the whole enterprise (all outlets).
struct Quantity {
  std::string factor;
  double tonnes_per_year = 0;
  bool operator==(const Quantity&) const = default;
};

// What the issuing bureau last did with the permit. Expiry is not stored: it
// follows from valid_to and the time asked about (StateAt).
enum class PermitState { kValid, kRevoked };
// "valid", "revoked": stored and published names, never changed.
const char* PermitStateName(PermitState s);
std::optional<PermitState> ParsePermitState(std::string_view name);

struct Permit {
  int64_t id = 0;
  std::string number;  // 许可证编号: the natural key, unique
  int64_t enterprise_id = 0;
  // Beijing calendar dates "YYYY-MM-DD", both days included.
  std::string valid_from, valid_to;
  std::string issuer;  // the issuing authority, may be empty
  PermitState state = PermitState::kValid;
  std::vector<Outlet> outlets;
  std::vector<Quantity> quantities;
  bool operator==(const Permit&) const = default;
};

// The UTC second at which the Beijing day `date` ("YYYY-MM-DD") begins; nullopt when
// `date` is not such a date (month 13, Feb 30, other shapes).
std::optional<UnixSeconds> BeijingDayStart(std::string_view date);

}  // namespace ecohub::permit
