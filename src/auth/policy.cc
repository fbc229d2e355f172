#include "auth/policy.h"

#include <algorithm>
#include <array>

namespace ecohub::auth {

namespace {

constexpr std::array<std::string_view, 9> kRoleNames = {
    "public",  "admin",      "leader",         "staff",      "inspector",
    "partner", "enterprise", "security_admin", "audit_admin"};
constexpr std::array<std::string_view, 4> kSecrecyNames = {"public", "internal", "restricted",
                                                           "secret"};
constexpr std::array<std::string_view, 4> kSharingNames = {"public", "government", "departments",
                                                           "none"};

template <class E, size_t N>
std::optional<E> ParseName(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

constexpr Decision Allow() { return {true, {}}; }
constexpr Decision Deny(std::string_view why) { return {false, why}; }

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool OpenToAll(const DatasetTags& d) {
  return d.secrecy == Secrecy::kPublic && d.sharing == Sharing::kPublic;
}

// Accounts, roles, keys: the security administrator's; the system administrator's
// too unless the deployment separates their duties.
bool ManagesAccounts(const Principal& p) {
  return p.role == Role::kSecurityAdmin || (p.role == Role::kAdmin && !p.separated_duties);
}

// The bureau's own accounts: they work on the city's data within their district.
bool Bureau(Role r) {
  return r == Role::kAdmin || r == Role::kLeader || r == Role::kStaff || r == Role::kInspector;
}

bool HasGrant(const Principal& p, std::string_view dataset, UnixSeconds now) {
  return std::any_of(p.grants.begin(), p.grants.end(),
                     [&](const Grant& g) { return g.dataset == dataset && now < g.until; });
}

// A district account sees its district and city-level values; an account of the
// city (district 0) sees every district.
bool InDistrict(const Principal& p, const Target& t) {
  return p.district_id == 0 || t.district_id == 0 || t.district_id == p.district_id;
}

Decision DataAccess(const Principal& p, Action a, const Target& t, UnixSeconds now) {
  if (!t.dataset) return Deny("no dataset named for this data");
  if (a == Action::kWrite || a == Action::kDecide) return Deny("data is written by devices only");
  const DatasetTags& d = *t.dataset;
  if (!CanReadDataset(p, d, now)) return Deny("this dataset is not shared with you");
  if (OpenToAll(d) || p.role == Role::kAdmin) return Allow();
  if (p.role == Role::kEnterprise) {
    if (!HasGrant(p, d.id, now) && (t.enterprise_id == 0 || t.enterprise_id != p.enterprise_id))
      return Deny("an enterprise account sees only its own enterprise's data");
    return Allow();
  }
  if (Bureau(p.role) && !InDistrict(p, t)) return Deny("outside your district");
  return Allow();
}

Decision AlarmAccess(const Principal& p, Action a, const Target& t, UnixSeconds now) {
  if (a == Action::kRead || a == Action::kExport) return DataAccess(p, a, t, now);
  if (!t.dataset) return Deny("no dataset named for this alarm");
  if (a != Action::kAcknowledge && a != Action::kClose) return Deny("alarms are raised by EcoHub");
  if (!CanReadDataset(p, *t.dataset, now)) return Deny("this dataset is not shared with you");
  if (p.role == Role::kAdmin) return Allow();
  if (p.role == Role::kStaff || (p.role == Role::kInspector && a == Action::kAcknowledge))
    return InDistrict(p, t) ? Allow() : Deny("outside your district");
  if (p.role == Role::kEnterprise && a == Action::kAcknowledge) {
    if (p.enterprise_id != 0 && t.enterprise_id == p.enterprise_id) return Allow();
    return Deny("an enterprise acknowledges only its own alarms");
  }
  return Deny(a == Action::kClose ? "only administrators and staff close alarms"
                                  : "your role does not acknowledge alarms");
}

Decision CatalogAccess(const Principal& p, Action a, const Target& t, UnixSeconds now) {
  if (!t.dataset) return Deny("no dataset named");
  if (a != Action::kRead)
    return p.role == Role::kAdmin && p.key_id == 0
               ? Allow()
               : Deny("only an administrator registers datasets");
  const DatasetTags& d = *t.dataset;
  if (CanReadDataset(p, d, now)) return Allow();
  // Logged-in users may see that a shared dataset exists, so that they can ask for it.
  if (p.role != Role::kPublic && d.sharing != Sharing::kNone) return Allow();
  return Deny("this dataset is not listed for you");
}

Decision ReferenceAccess(const Principal& p, Action a, const Target& t) {
  if (p.role == Role::kPublic) return Deny("login required");
  if (a == Action::kDecide) return Deny("nothing to decide here");
  // A key limited to some datasets reads the registry (sites, devices, enterprises)
  // only when one of them is a registry dataset; city-wide reference data (districts,
  // factors) stays readable, it is what any dataset's rows are labelled with.
  if (p.key_id != 0 && !p.key_datasets.empty() && (t.district_id != 0 || t.enterprise_id != 0) &&
      !Contains(p.key_datasets, "monitoring-sites") &&
      !Contains(p.key_datasets, "enterprise-registry"))
    return Deny("this API key is limited to other datasets");
  if (a == Action::kWrite) {
    if (p.role == Role::kAdmin) return Allow();
    if (p.role == Role::kStaff && InDistrict(p, t) && (p.district_id == 0 || t.district_id != 0))
      return Allow();
    return Deny("your role cannot change the registry here");
  }
  switch (p.role) {
    case Role::kEnterprise:
      if (t.enterprise_id == p.enterprise_id && p.enterprise_id != 0) return Allow();
      if (t.enterprise_id == 0 && t.district_id == 0) return Allow();  // factors, districts
      return Deny("an enterprise account sees only its own enterprise");
    case Role::kPartner:
      return Allow();  // needs the registry to read what is shared with it
    default:
      return InDistrict(p, t) ? Allow() : Deny("outside your district");
  }
}

}  // namespace

bool IsAdministrator(Role r) {
  return r == Role::kAdmin || r == Role::kSecurityAdmin || r == Role::kAuditAdmin;
}

std::string_view RoleName(Role r) { return kRoleNames[static_cast<size_t>(r)]; }
std::optional<Role> ParseRole(std::string_view s) { return ParseName<Role>(kRoleNames, s); }
std::string_view SecrecyName(Secrecy s) { return kSecrecyNames[static_cast<size_t>(s)]; }
std::optional<Secrecy> ParseSecrecy(std::string_view s) {
  return ParseName<Secrecy>(kSecrecyNames, s);
}
std::string_view SharingName(Sharing s) { return kSharingNames[static_cast<size_t>(s)]; }
std::optional<Sharing> ParseSharing(std::string_view s) {
  return ParseName<Sharing>(kSharingNames, s);
}

bool CanReadDataset(const Principal& p, const DatasetTags& d, UnixSeconds now) {
  if (OpenToAll(d)) return true;
  if (p.role == Role::kPublic) return false;
  if (p.key_id != 0 && !p.key_datasets.empty() && !Contains(p.key_datasets, d.id)) return false;
  if (p.role == Role::kAdmin) return true;
  if (d.secrecy == Secrecy::kSecret) return p.role == Role::kLeader;
  if (HasGrant(p, d.id, now)) return true;
  switch (p.role) {
    case Role::kLeader:
    case Role::kStaff:
      return d.secrecy <= Secrecy::kRestricted;
    case Role::kInspector:
      return d.secrecy <= Secrecy::kInternal;
    case Role::kPartner:
      return d.secrecy <= Secrecy::kInternal &&
             (d.sharing == Sharing::kGovernment ||
              (d.sharing == Sharing::kDepartments && Contains(d.departments, p.department)));
    case Role::kEnterprise:
      return d.enterprise_own_rows;
    default:
      return false;
  }
}

namespace {

Decision ImportAccess(const Principal& p, Action a, const Target& t) {
  if (p.key_id != 0)
    return a == Action::kWrite && PushScopeOf(p.key_datasets)
               ? Allow()
               : Deny("only a push key imports, and it reads nothing");
  if (a == Action::kWrite) {
    if (p.role == Role::kAdmin) return Allow();
    if (p.role == Role::kStaff && InDistrict(p, t)) return Allow();
    return Deny("readings are imported by administrators, staff and push keys");
  }
  if (p.role == Role::kAdmin || p.role == Role::kLeader) return Allow();
  if (p.role == Role::kStaff && InDistrict(p, t)) return Allow();
  return Deny("imports are seen by administrators, leaders and staff");
}

// The bureau's own work on a district's objects (reviews, device commands, manual
// samples): done by administrators and the staff of the object's district, seen by
// them and by leaders, never by an API key. The reasons are static: Decision keeps a
// view of them.
struct StaffWork {
  std::string_view key_denied, read_denied, other_denied, write_denied;
  bool decided;  // kDecide is part of the work (a second person's approval)
};

Decision StaffWorkAccess(const Principal& p, Action a, const Target& t, const StaffWork& w) {
  if (p.key_id != 0) return Deny(w.key_denied);
  if (a == Action::kRead || a == Action::kExport)
    return p.role == Role::kAdmin || p.role == Role::kLeader ||
                   (p.role == Role::kStaff && InDistrict(p, t))
               ? Allow()
               : Deny(w.read_denied);
  if (a != Action::kWrite && !(w.decided && a == Action::kDecide)) return Deny(w.other_denied);
  if (p.role == Role::kAdmin) return Allow();
  if (p.role == Role::kStaff && InDistrict(p, t)) return Allow();
  return Deny(w.write_denied);
}

constexpr StaffWork kReviewWork{
    "API keys do not review data", "reviews are seen by administrators, leaders and staff",
    "reviews are written or decided",
    "data is reviewed by administrators and the staff of its district", true};
constexpr StaffWork kCommandWork{
    "API keys do not command devices", "commands are seen by administrators, leaders and staff",
    "commands are sent, not decided",
    "devices are commanded by administrators and the staff of their district", false};
constexpr StaffWork kSampleWork{
    "API keys do not reach manual samples",
    "manual samples are seen by administrators, leaders and staff",
    "manual samples are entered, never decided",
    "manual samples are entered by administrators and the staff of the site's district", false};

Decision ComplaintAccess(const Principal& p, Action a, const Target& t) {
  if (p.key_id != 0) return Deny("API keys do not reach complaints");
  // Unlike other district work, a complaint not yet routed (district 0) is the city's.
  bool reach = p.district_id == 0 || (t.district_id != 0 && t.district_id == p.district_id);
  if (a == Action::kRead || a == Action::kExport) {
    if (p.role == Role::kAdmin || p.role == Role::kLeader) return Allow();
    return p.role == Role::kStaff && reach
               ? Allow()
               : Deny("complaints are seen by administrators, leaders and the staff handling them");
  }
  if (a != Action::kWrite) return Deny("complaints are handled, not decided");
  if (p.role == Role::kAdmin || (p.role == Role::kStaff && reach)) return Allow();
  return Deny("complaints are handled by administrators and the staff of their district");
}

Decision EnforcementAccess(const Principal& p, Action a, const Target& t) {
  if (p.key_id != 0) return Deny("API keys do not reach enforcement cases");
  bool read = a == Action::kRead || a == Action::kExport;
  switch (p.role) {
    case Role::kAdmin:
      return a == Action::kDecide ? Deny("cases are decided by their steps") : Allow();
    case Role::kStaff:
      if (!InDistrict(p, t)) return Deny("outside your district");
      return a == Action::kDecide ? Deny("cases are decided by their steps") : Allow();
    case Role::kLeader:
      if (!InDistrict(p, t)) return Deny("outside your district");
      return read ? Allow() : Deny("leaders read cases; staff handle them");
    case Role::kEnterprise:
      if (!read) return Deny("an enterprise reads its own cases");
      return p.enterprise_id != 0 && t.enterprise_id == p.enterprise_id
                 ? Allow()
                 : Deny("not your enterprise's case");
    default:
      return Deny("enforcement cases are the bureau's and the enterprise's own");
  }
}

Decision TaskAccess(const Principal& p, Action a, const Target& t) {
  if (p.key_id != 0) return Deny("API keys do not reach tasks");
  bool theirs = p.user_id != 0 && t.owner_user_id == p.user_id;
  switch (p.role) {
    case Role::kAdmin:
      return a == Action::kDecide ? Deny("tasks are ordered by leaders") : Allow();
    case Role::kLeader:
      if (!InDistrict(p, t)) return Deny("outside your district");
      if (a == Action::kRead || a == Action::kExport || a == Action::kDecide) return Allow();
      return Deny("leaders read tasks and order them (督办); staff handle them");
    case Role::kStaff:
      if (!InDistrict(p, t)) return Deny("outside your district");
      return a == Action::kDecide ? Deny("tasks are ordered by leaders") : Allow();
    case Role::kInspector:
      if (a == Action::kDecide || a == Action::kExport) return Deny("inspectors work on tasks");
      return theirs ? Allow() : Deny("not a task of yours or of your grid");
    default:
      return Deny("tasks are the bureau's");
  }
}

Decision NotificationAccess(const Principal& p, Action a, const Target& t) {
  if (p.key_id != 0) return Deny("API keys have no inbox");
  if (p.role == Role::kPublic || p.user_id == 0) return Deny("login required");
  switch (a) {
    case Action::kRead:
    case Action::kWrite:
      if (t.owner_user_id == p.user_id || p.role == Role::kAdmin) return Allow();
      return Deny("not your subscription or message");
    case Action::kDecide:
      return p.role == Role::kAdmin ? Allow()
                                    : Deny("webhooks and SMS are set up by administrators");
    default:
      return Deny("notifications are read and subscribed to");
  }
}

Decision DeclarationAccess(const Principal& p, Action a, const Target& t) {
  if (p.key_id != 0) return Deny("API keys do not see declarations");
  if (p.role == Role::kPublic) return Deny("login required");
  bool own =
      p.role == Role::kEnterprise && p.enterprise_id != 0 && t.enterprise_id == p.enterprise_id;
  switch (a) {
    case Action::kRead:
    case Action::kExport:
      if (p.role == Role::kEnterprise)
        return own ? Allow() : Deny("an enterprise sees only its own declarations");
      if (p.role == Role::kAdmin) return Allow();
      if (p.role == Role::kLeader || p.role == Role::kStaff || p.role == Role::kInspector)
        return InDistrict(p, t) ? Allow() : Deny("outside your district");
      return Deny("declarations are seen by the bureau and the enterprise");
    case Action::kWrite:
      if (p.role == Role::kEnterprise)
        return own ? Allow() : Deny("an enterprise declares only for its own outlets");
      [[fallthrough]];
    case Action::kDecide:
      if (p.role == Role::kAdmin) return Allow();
      if (p.role == Role::kStaff) return InDistrict(p, t) ? Allow() : Deny("outside your district");
      return Deny("declarations are decided by administrators and the staff of the district");
    default:
      return Deny("declarations are submitted and decided");
  }
}

}  // namespace

std::optional<PushScope> PushScopeOf(const std::vector<std::string>& key_datasets) {
  if (!Contains(key_datasets, "push:readings")) return std::nullopt;
  PushScope out;
  for (const std::string& d : key_datasets) {
    if (d.starts_with("push:site:")) out.sites.push_back(d.substr(10));
    if (d.starts_with("push:factor:")) out.factors.push_back(d.substr(12));
  }
  if (out.sites.empty()) return std::nullopt;
  return out;
}

std::vector<std::string> PushDatasets(const PushScope& scope) {
  std::vector<std::string> out = {"push:readings"};
  for (const auto& s : scope.sites) out.push_back("push:site:" + s);
  for (const auto& f : scope.factors) out.push_back("push:factor:" + f);
  return out;
}

Decision Authorize(const Principal& p, Action a, const Target& t, UnixSeconds now) {
  if (t.area == Area::kImports) return ImportAccess(p, a, t);
  if (t.area == Area::kReviews) return StaffWorkAccess(p, a, t, kReviewWork);
  if (t.area == Area::kCommands) return StaffWorkAccess(p, a, t, kCommandWork);
  if (t.area == Area::kSamples) return StaffWorkAccess(p, a, t, kSampleWork);
  if (t.area == Area::kDeclarations) return DeclarationAccess(p, a, t);
  if (t.area == Area::kComplaints) return ComplaintAccess(p, a, t);
  if (t.area == Area::kTasks) return TaskAccess(p, a, t);
  if (t.area == Area::kNotifications) return NotificationAccess(p, a, t);
  if (t.area == Area::kEnforcement) return EnforcementAccess(p, a, t);
  // An API key reads on its owner's behalf and never changes anything.
  if (p.key_id != 0 && a != Action::kRead && a != Action::kExport)
    return Deny("API keys are read-only");
  // The audit administrator reads; of its own account it changes only its password.
  if (p.role == Role::kAuditAdmin && a != Action::kRead && a != Action::kExport &&
      !(t.area == Area::kUsers && t.owner_user_id == p.user_id))
    return Deny("the audit administrator changes nothing");
  if ((a == Action::kAcknowledge || a == Action::kClose) && t.area != Area::kAlarms)
    return Deny("only alarms are acknowledged or closed");
  switch (t.area) {
    case Area::kData:
      return DataAccess(p, a, t, now);
    case Area::kCatalog:
      return CatalogAccess(p, a, t, now);
    case Area::kReference:
      return ReferenceAccess(p, a, t);
    case Area::kUsers:
      if (ManagesAccounts(p)) return Allow();
      if (p.role == Role::kAuditAdmin && a == Action::kRead) return Allow();  // who is who
      if (p.role != Role::kPublic && t.owner_user_id == p.user_id && a != Action::kDecide)
        return Allow();  // one's own account: read it, change one's password
      return Deny("only an administrator manages accounts");
    case Area::kKeys:
      if (ManagesAccounts(p)) return Allow();
      if (p.role == Role::kAuditAdmin && a == Action::kRead) return Allow();
      if (p.role != Role::kPublic && t.owner_user_id == p.user_id &&
          (a == Action::kRead || a == Action::kWrite))
        return Allow();
      return Deny("not your API key");
    case Area::kRequests:
      if (p.role == Role::kPublic) return Deny("login required");
      if (a == Action::kDecide) {
        if (t.owner_user_id == p.user_id) return Deny("nobody decides their own request");
        if (p.role == Role::kAdmin) return Allow();
        if ((p.role == Role::kLeader || p.role == Role::kStaff) && t.dataset &&
            !p.department.empty() && p.department == t.dataset->owner_department)
          return Allow();
        return Deny("only the dataset's owner department decides");
      }
      if (t.owner_user_id == p.user_id || p.role == Role::kAdmin) return Allow();
      if (a == Action::kRead && t.dataset && !p.department.empty() &&
          p.department == t.dataset->owner_department &&
          (p.role == Role::kLeader || p.role == Role::kStaff))
        return Allow();  // the deciders see what is asked of them
      return Deny("not your request");
    case Area::kAudit:
      if (a != Action::kRead && a != Action::kExport) return Deny("the audit log is never changed");
      if (p.role == Role::kAuditAdmin || p.role == Role::kLeader ||
          (p.role == Role::kAdmin && !p.separated_duties))
        return Allow();
      return Deny("the audit log is for the audit administrator and leaders");
    case Area::kOps:
      return p.role == Role::kAdmin ? Allow() : Deny("administrators only");
    case Area::kAlarms:
      return AlarmAccess(p, a, t, now);
    case Area::kImports:
      return ImportAccess(p, a, t);
    case Area::kReviews:
      return StaffWorkAccess(p, a, t, kReviewWork);
    case Area::kCommands:
      return StaffWorkAccess(p, a, t, kCommandWork);
    case Area::kSamples:
      return StaffWorkAccess(p, a, t, kSampleWork);
    case Area::kDeclarations:
      return DeclarationAccess(p, a, t);
    case Area::kComplaints:
      return ComplaintAccess(p, a, t);
    case Area::kTasks:
      return TaskAccess(p, a, t);
    case Area::kNotifications:
      return NotificationAccess(p, a, t);
    case Area::kEnforcement:
      return EnforcementAccess(p, a, t);
  }
  return Deny("unknown area");
}

}  // namespace ecohub::auth
