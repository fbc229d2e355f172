// The access policy: the one function that decides every read, export and write of
// the HTTP API (DESIGN.md, "Security"). Handlers describe what a request touches (a
// Target) and ask Authorize(); none of them decides on its own. Pure code: no I/O,
// the caller passes the clock. docs/access.md has the rules as a table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace ecohub::auth {

// kAdmin is the system administrator (系统管理员): registry, catalog, operations. Under
// 三员分立 (Principal::separated_duties) accounts belong to the security administrator
// (安全管理员) and the audit log to the audit administrator (审计管理员), who changes
// nothing; one account holds one role, so the three cannot be held together.
enum class Role {
  kPublic,
  kAdmin,
  kLeader,
  kStaff,
  kInspector,
  kPartner,
  kEnterprise,
  kSecurityAdmin,
  kAuditAdmin,
};
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

// Secrecy levels and sharing scopes of a catalog entry (资源目录): the tags that
// decide who may read a dataset.
enum class Secrecy { kPublic, kInternal, kRestricted, kSecret };
enum class Sharing { kPublic, kGovernment, kDepartments, kNone };
std::string_view SecrecyName(Secrecy s);
std::optional<Secrecy> ParseSecrecy(std::string_view name);
std::string_view SharingName(Sharing s);
std::optional<Sharing> ParseSharing(std::string_view name);

struct DatasetTags {
  std::string id;
  Secrecy secrecy = Secrecy::kInternal;
  Sharing sharing = Sharing::kGovernment;
  std::vector<std::string> departments;  // for Sharing::kDepartments
  std::string owner_department;          // decides data requests
  // An enterprise may read its own rows of it (its outlets' emissions, its
  // exceedances) whatever the sharing scope.
  bool enterprise_own_rows = false;
};

// Access to a dataset granted by an approved data request, until `until`.
struct Grant {
  std::string dataset;
  UnixSeconds until = 0;
};

// Who is asking. Built from a token or an API key by the API layer; the public is
// the default-constructed Principal.
struct Principal {
  Role role = Role::kPublic;
  int64_t user_id = 0;          // 0: the public
  int64_t key_id = 0;           // set when the request came with an API key
  std::string name = "public";  // for logs and the audit log: "user:alice", "key:3"
  int64_t district_id = 0;      // 0: the whole city
  int64_t enterprise_id = 0;    // enterprise users only
  std::string department;       // 监测处, 气象局...: partners and deciders
  std::vector<Grant> grants;
  // An API key limited to some datasets (empty: its owner's rights). Keys never write.
  std::vector<std::string> key_datasets;
  // The deployment separates the administrators' duties (三员分立): kAdmin then neither
  // manages accounts nor reads the audit log.
  bool separated_duties = false;
  // What the session must do before anything else (Api::Serve refuses the rest).
  bool must_change_password = false;
  bool must_enroll_second_factor = false;
};

// The three administrator roles of 三员分立.
bool IsAdministrator(Role r);

enum class Action {
  kRead,
  kExport,       // CSV/XLSX of what can be read
  kWrite,        // create, change, disable, revoke
  kDecide,       // approve or refuse a data request
  kAcknowledge,  // acknowledge an alarm (Area::kAlarms only)
  kClose,        // close an alarm (Area::kAlarms only)
};

// What a request touches.
enum class Area {
  kData,       // observations and derived values of a dataset (Target::dataset)
  kCatalog,    // the catalog entry of a dataset (Target::dataset)
  kReference,  // districts, sites, enterprises, devices, factors
  kUsers,      // user accounts (owner_user_id: the account)
  kKeys,       // API keys (owner_user_id: the key's owner)
  kRequests,   // data requests (owner_user_id: the requester; dataset: what is asked)
  kAudit,      // the audit log and usage records
  kOps,        // metrics, health details
  // Alarms (dataset "alarms"): read and export like data of that dataset within
  // district / own-enterprise scope; acknowledge: admin, staff and inspectors of the
  // district, an enterprise its own; close: admin and staff of the district.
  kAlarms,
  // Imports of readings (docs/data-import.md): write (import) by administrators, by
  // staff within their district (district_id: the district of the sites written, 0
  // for the whole city) and by push keys; read (batches, where a value came from) by
  // administrators, leaders and staff of the district.
  kImports,
  // Review (审核) of stored values: reviews requested, approved or refused by
  // administrators and staff of the site's district (district_id); read by them and
  // by leaders. Never by an API key.
  kReviews,
  // Commands sent to devices (reverse control, docs/control.md): sent by
  // administrators and staff of the device's district (district_id); read by them
  // and by leaders. Never by an API key.
  kCommands,
  // Self-declarations of enterprises (停产, 故障, 检修, 异常; docs/declarations.md), of
  // an outlet (district_id, enterprise_id: the outlet's). Write (submit, withdraw,
  // end): an enterprise for its own outlets only, administrators, staff of the
  // district (on an enterprise's behalf). Decide (accept, reject): administrators and
  // staff of the district. Read: the enterprise its own; administrators, leaders,
  // staff and inspectors of the district. Never the public or an API key.
  kDeclarations,
  // Manual and laboratory samples (手工监测, docs/manual-samples.md): entered or
  // imported by administrators and staff of the site's district (district_id); read by
  // them and by leaders. Not by the public, enterprises, inspectors or API keys.
  kSamples,
  // Complaints from the public (12369, docs/complaints.md), of a district (district_id;
  // 0: not yet routed, the city's). Read by administrators, leaders and staff; handled
  // (write), and the complainant's contact read, by administrators and staff. Staff of
  // a district reach their district's only; the city's staff (district 0) reach all.
  // Never inspectors, enterprises, partners or API keys; the public reaches its own
  // complaint by its tracking code alone, outside this policy.
  kComplaints,
  // Grid tasks and grids (网格化监管, docs/tasks.md), of a district (district_id).
  // Read: administrators, leaders, staff and inspectors of the district; an inspector
  // only a task that is theirs (owner_user_id == their id: the route sets it when
  // they are its assignee or an inspector of its grid). Write (create, assign, review,
  // cancel; grids): administrators and staff of the district. An inspector writes
  // (submits a record, adds a note) only a task that is theirs. Decide: a leader
  // orders a task (督办) in their scope. Never enterprises, partners, the public or
  // API keys.
  kTasks,
  // Notifications (docs/notifications.md): one's inbox and subscriptions
  // (owner_user_id: the owner). Read and write one's own: any account (not the public,
  // not an API key); administrators read and change anyone's. Decide: a subscription
  // that calls another system (a webhook, the SMS gateway), administrators only. What
  // a subscription is told of is decided apart, by the alarm's own rights (kAlarms).
  kNotifications,
  // Enforcement cases (执法, docs/enforcement.md) of an enterprise (district_id,
  // enterprise_id: the enterprise's). Read: administrators, leaders and staff of the
  // district; the enterprise its own cases. Write (record an inspection, penalty,
  // rectification, close): administrators and staff of the district. Never
  // inspectors, partners, the public or API keys.
  kEnforcement,
};

struct Target {
  Area area = Area::kData;
  const DatasetTags* dataset = nullptr;
  // The district of the object, or 0 when it is not tied to one (city-level
  // values, rankings across districts, lists filtered afterwards).
  int64_t district_id = 0;
  int64_t enterprise_id = 0;  // the enterprise that owns the object (outlets), or 0
  int64_t owner_user_id = 0;  // for users, keys, requests
};

struct Decision {
  bool allow = false;
  // Why not, for the 403 problem's detail (a static text).
  std::string_view reason;
  explicit operator bool() const { return allow; }
};

Decision Authorize(const Principal& who, Action action, const Target& target, UnixSeconds now);

// A push key: the API key of a partner system that sends readings (docs/data-import.md).
// It writes imports of its sites and factors and reads nothing. Kept in the key's
// dataset list as "push:readings", "push:site:<code>"..., "push:factor:<code>"...,
// names no catalog dataset has, so that every read by it is refused.
struct PushScope {
  std::vector<std::string> sites;    // site codes; never empty
  std::vector<std::string> factors;  // factor codes; empty: any factor
};
std::optional<PushScope> PushScopeOf(const std::vector<std::string>& key_datasets);
std::vector<std::string> PushDatasets(const PushScope& scope);

// Whether `who` may read the rows of `dataset` at all (before object scope): the
// dataset part of Authorize, for filtering catalog listings.
bool CanReadDataset(const Principal& who, const DatasetTags& dataset, UnixSeconds now);

}  // namespace ecohub::auth
