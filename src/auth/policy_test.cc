// The access policy as a table: role x area x own/other district or enterprise.
#include "auth/policy.h"

#include <gtest/gtest.h>

namespace ecohub::auth {
namespace {

constexpr UnixSeconds kNow = 1'800'000'000;

DatasetTags Tags(const char* id, Secrecy s, Sharing sh, bool own_rows = false,
                 std::vector<std::string> depts = {}) {
  return {id, s, sh, std::move(depts), "monitoring", own_rows};
}
const DatasetTags kAqi = Tags("air-aqi", Secrecy::kPublic, Sharing::kPublic);
const DatasetTags kAirReadings =
    Tags("air-station-readings", Secrecy::kInternal, Sharing::kGovernment);
const DatasetTags kEmissions = Tags("enterprise-emissions", Secrecy::kRestricted,
                                    Sharing::kDepartments, true, {"water_resources"});
const DatasetTags kSecret = Tags("secret-x", Secrecy::kSecret, Sharing::kNone);
const DatasetTags kAlarms = Tags("alarms", Secrecy::kInternal, Sharing::kNone, true);

Principal Who(Role r, int64_t district = 0, int64_t enterprise = 0, std::string dept = "") {
  Principal p;
  p.role = r;
  p.user_id = 7;
  p.name = "user:x";
  p.district_id = district;
  p.enterprise_id = enterprise;
  p.department = std::move(dept);
  return p;
}

struct Case {
  const char* what;
  Principal who;
  Action action;
  Target target;
  bool allow;
};

TEST(Policy, Table) {
  const Target kStationA{Area::kData, &kAirReadings, 1};
  const Target kStationB{Area::kData, &kAirReadings, 2};
  const Target kOutletE1{Area::kData, &kEmissions, 1, 11};
  const Target kOutletE2{Area::kData, &kEmissions, 2, 12};
  Principal key = Who(Role::kStaff);
  key.key_id = 3;
  Principal scoped_key = Who(Role::kAdmin);
  scoped_key.key_id = 4;
  scoped_key.key_datasets = {"air-aqi"};
  Principal push_key = Who(Role::kPartner, 0, 0, "meteorology");
  push_key.key_id = 5;
  push_key.key_datasets = PushDatasets({{"AIR-1"}, {"a01001"}});
  const Target kImportsA{Area::kImports, nullptr, 1}, kImportsCity{Area::kImports};
  const Target kSamplesA{Area::kSamples, nullptr, 1};
  const Target kComplaintA{Area::kComplaints, nullptr, 1};
  const Target kComplaintCity{Area::kComplaints, nullptr, 0};
  const Target kTaskA{Area::kTasks, nullptr, 1};
  const Target kTaskAOf7{Area::kTasks, nullptr, 1, 0, 7};      // inspector 7's (or their grid's)
  const Target kMine{Area::kNotifications, nullptr, 0, 0, 7};  // Who() is user 7
  const Target kTheirs{Area::kNotifications, nullptr, 0, 0, 8};
  Principal granted = Who(Role::kPartner, 0, 0, "meteorology");
  granted.grants = {{"enterprise-emissions", kNow + 10}};
  Principal lapsed = granted;
  lapsed.grants = {{"enterprise-emissions", kNow}};
  const Target kCaseE11{Area::kEnforcement, nullptr, 1, 11};  // E11's case, in district 1
  const Target kAlarmA{Area::kAlarms, &kAlarms, 1, 11};       // an outlet of E11 in district 1
  const Target kAlarmB{Area::kAlarms, &kAlarms, 2, 12};
  const Case cases[] = {
      {"public reads public data", Principal{}, Action::kRead, {Area::kData, &kAqi}, true},
      {"public exports public data", Principal{}, Action::kExport, {Area::kData, &kAqi}, true},
      {"public: no internal data", Principal{}, Action::kRead, kStationA, false},
      {"public: no registry", Principal{}, Action::kRead, {Area::kReference, nullptr, 1}, false},
      {"admin reads secret", Who(Role::kAdmin), Action::kRead, {Area::kData, &kSecret}, true},
      {"leader reads secret", Who(Role::kLeader), Action::kRead, {Area::kData, &kSecret}, true},
      {"staff: no secret", Who(Role::kStaff), Action::kRead, {Area::kData, &kSecret}, false},
      {"city staff: any district", Who(Role::kStaff), Action::kRead, kStationB, true},
      {"district staff: own", Who(Role::kStaff, 1), Action::kRead, kStationA, true},
      {"district staff: not other", Who(Role::kStaff, 1), Action::kRead, kStationB, false},
      {"district staff: export own", Who(Role::kStaff, 1), Action::kExport, kStationA, true},
      {"district staff: restricted own", Who(Role::kStaff, 1), Action::kRead, kOutletE1, true},
      {"inspector: internal own", Who(Role::kInspector, 1), Action::kRead, kStationA, true},
      {"inspector: not restricted", Who(Role::kInspector, 1), Action::kRead, kOutletE1, false},
      {"partner: government data", Who(Role::kPartner, 0, 0, "meteorology"), Action::kRead,
       kStationB, true},
      {"partner: not restricted", Who(Role::kPartner, 0, 0, "meteorology"), Action::kRead,
       kOutletE1, false},
      {"partner: named department, still restricted", Who(Role::kPartner, 0, 0, "water_resources"),
       Action::kRead, kOutletE1, false},
      {"partner with grant", granted, Action::kRead, kOutletE2, true},
      {"partner with lapsed grant", lapsed, Action::kRead, kOutletE2, false},
      {"enterprise: own outlet", Who(Role::kEnterprise, 0, 11), Action::kRead, kOutletE1, true},
      {"enterprise: not another's", Who(Role::kEnterprise, 0, 11), Action::kRead, kOutletE2, false},
      {"enterprise: not stations", Who(Role::kEnterprise, 0, 11), Action::kRead, kStationA, false},
      {"enterprise: public data",
       Who(Role::kEnterprise, 0, 11),
       Action::kRead,
       {Area::kData, &kAqi},
       true},
      {"nobody writes data", Who(Role::kAdmin), Action::kWrite, kStationA, false},
      {"admin records a case", Who(Role::kAdmin), Action::kWrite, kCaseE11, true},
      {"district staff: own district's case", Who(Role::kStaff, 1), Action::kWrite, kCaseE11, true},
      {"district staff: not another district's case", Who(Role::kStaff, 2), Action::kRead, kCaseE11,
       false},
      {"leader reads a case", Who(Role::kLeader, 1), Action::kRead, kCaseE11, true},
      {"leader: does not handle a case", Who(Role::kLeader), Action::kWrite, kCaseE11, false},
      {"enterprise reads its own case", Who(Role::kEnterprise, 0, 11), Action::kRead, kCaseE11,
       true},
      {"enterprise: not another's case", Who(Role::kEnterprise, 0, 12), Action::kRead, kCaseE11,
       false},
      {"enterprise: does not write its case", Who(Role::kEnterprise, 0, 11), Action::kWrite,
       kCaseE11, false},
      {"inspector: no cases", Who(Role::kInspector, 1), Action::kRead, kCaseE11, false},
      {"partner: no cases", Who(Role::kPartner, 0, 0, "meteorology"), Action::kRead, kCaseE11,
       false},
      {"public: no cases", Principal{}, Action::kRead, kCaseE11, false},
      {"key: no cases", key, Action::kRead, kCaseE11, false},
      {"staff writes own district registry",
       Who(Role::kStaff, 1),
       Action::kWrite,
       {Area::kReference, nullptr, 1},
       true},
      {"staff: not other district registry",
       Who(Role::kStaff, 1),
       Action::kWrite,
       {Area::kReference, nullptr, 2},
       false},
      {"district staff: not city-level registry",
       Who(Role::kStaff, 1),
       Action::kWrite,
       {Area::kReference, nullptr, 0},
       false},
      {"leader does not write registry",
       Who(Role::kLeader),
       Action::kWrite,
       {Area::kReference, nullptr, 1},
       false},
      {"API key never writes", key, Action::kWrite, {Area::kReference, nullptr, 1}, false},
      {"API key reads as its owner", key, Action::kRead, kStationA, true},
      {"scoped key: its dataset", scoped_key, Action::kRead, {Area::kData, &kAqi}, true},
      {"scoped key: not others", scoped_key, Action::kRead, kStationA, false},
      {"scoped key: no registry outside its datasets",
       scoped_key,
       Action::kRead,
       {Area::kReference, nullptr, 1},
       false},
      {"scoped key: districts and factors", scoped_key, Action::kRead, {Area::kReference}, true},
      {"users: admin", Who(Role::kAdmin), Action::kRead, {Area::kUsers}, true},
      {"users: oneself", Who(Role::kStaff), Action::kRead, {Area::kUsers, nullptr, 0, 0, 7}, true},
      {"users: not others",
       Who(Role::kLeader),
       Action::kRead,
       {Area::kUsers, nullptr, 0, 0, 8},
       false},
      {"requests: owner department decides",
       Who(Role::kStaff, 0, 0, "monitoring"),
       Action::kDecide,
       {Area::kRequests, &kAirReadings, 0, 0, 9},
       true},
      {"requests: other department does not",
       Who(Role::kStaff, 0, 0, "enforcement"),
       Action::kDecide,
       {Area::kRequests, &kAirReadings, 0, 0, 9},
       false},
      {"requests: not one's own",
       Who(Role::kStaff, 0, 0, "monitoring"),
       Action::kDecide,
       {Area::kRequests, &kAirReadings, 0, 0, 7},
       false},
      {"audit: leader reads", Who(Role::kLeader), Action::kRead, {Area::kAudit}, true},
      {"audit: staff does not", Who(Role::kStaff), Action::kRead, {Area::kAudit}, false},
      {"audit: nobody writes", Who(Role::kAdmin), Action::kWrite, {Area::kAudit}, false},
      {"catalog: public sees public entry",
       Principal{},
       Action::kRead,
       {Area::kCatalog, &kAqi},
       true},
      {"catalog: public does not see internal",
       Principal{},
       Action::kRead,
       {Area::kCatalog, &kAirReadings},
       false},
      {"catalog: enterprise sees shared entry to ask for it",
       Who(Role::kEnterprise, 0, 11),
       Action::kRead,
       {Area::kCatalog, &kAirReadings},
       true},
      {"catalog: secret not listed",
       Who(Role::kStaff),
       Action::kRead,
       {Area::kCatalog, &kSecret},
       false},
      {"alarms: district staff reads own", Who(Role::kStaff, 1), Action::kRead, kAlarmA, true},
      {"alarms: district staff not other", Who(Role::kStaff, 1), Action::kRead, kAlarmB, false},
      {"alarms: inspector reads own district", Who(Role::kInspector, 1), Action::kRead, kAlarmA,
       true},
      {"alarms: leader reads", Who(Role::kLeader), Action::kExport, kAlarmB, true},
      {"alarms: enterprise reads own", Who(Role::kEnterprise, 0, 11), Action::kRead, kAlarmA, true},
      {"alarms: enterprise not another's", Who(Role::kEnterprise, 0, 11), Action::kRead, kAlarmB,
       false},
      {"alarms: partner does not read", Who(Role::kPartner, 0, 0, "meteorology"), Action::kRead,
       kAlarmA, false},
      {"alarms: public does not read", Principal{}, Action::kRead, kAlarmA, false},
      {"alarms: staff acknowledges own district", Who(Role::kStaff, 1), Action::kAcknowledge,
       kAlarmA, true},
      {"alarms: staff not other district", Who(Role::kStaff, 1), Action::kAcknowledge, kAlarmB,
       false},
      {"alarms: inspector acknowledges", Who(Role::kInspector, 1), Action::kAcknowledge, kAlarmA,
       true},
      {"alarms: inspector does not close", Who(Role::kInspector, 1), Action::kClose, kAlarmA,
       false},
      {"alarms: staff closes own district", Who(Role::kStaff, 1), Action::kClose, kAlarmA, true},
      {"alarms: city staff closes any", Who(Role::kStaff), Action::kClose, kAlarmB, true},
      {"alarms: leader does not acknowledge", Who(Role::kLeader), Action::kAcknowledge, kAlarmA,
       false},
      {"alarms: enterprise acknowledges own", Who(Role::kEnterprise, 0, 11), Action::kAcknowledge,
       kAlarmA, true},
      {"alarms: enterprise not another's", Who(Role::kEnterprise, 0, 11), Action::kAcknowledge,
       kAlarmB, false},
      {"alarms: enterprise does not close", Who(Role::kEnterprise, 0, 11), Action::kClose, kAlarmA,
       false},
      {"alarms: admin closes", Who(Role::kAdmin), Action::kClose, kAlarmB, true},
      {"alarms: API key does not acknowledge", key, Action::kAcknowledge, kAlarmA, false},
      {"alarms: nobody writes them", Who(Role::kAdmin), Action::kWrite, kAlarmA, false},
      {"acknowledge is for alarms only", Who(Role::kAdmin), Action::kAcknowledge, kStationA, false},
      {"imports: admin imports", Who(Role::kAdmin), Action::kWrite, kImportsCity, true},
      {"imports: district staff in its district", Who(Role::kStaff, 1), Action::kWrite, kImportsA,
       true},
      {"imports: district staff not city-wide", Who(Role::kStaff, 2), Action::kWrite, kImportsA,
       false},
      {"imports: leader reads, does not import", Who(Role::kLeader), Action::kWrite, kImportsA,
       false},
      {"imports: leader reads batches", Who(Role::kLeader), Action::kRead, kImportsA, true},
      {"imports: enterprise does not import", Who(Role::kEnterprise, 0, 11), Action::kWrite,
       kImportsA, false},
      {"imports: partner account does not import", Who(Role::kPartner, 0, 0, "meteorology"),
       Action::kWrite, kImportsA, false},
      {"imports: push key imports", push_key, Action::kWrite, kImportsA, true},
      {"imports: push key reads no batches", push_key, Action::kRead, kImportsA, false},
      {"push key reads no internal data", push_key, Action::kRead, kStationA, false},
      {"push key reads no registry",
       push_key,
       Action::kRead,
       {Area::kReference, nullptr, 1},
       false},
      {"push key writes nothing else",
       push_key,
       Action::kWrite,
       {Area::kReference, nullptr, 1},
       false},
      {"reading key does not import", key, Action::kWrite, kImportsA, false},
      {"reviews: admin", Who(Role::kAdmin), Action::kWrite, {Area::kReviews, nullptr, 1}, true},
      {"reviews: district staff, own district",
       Who(Role::kStaff, 1),
       Action::kWrite,
       {Area::kReviews, nullptr, 1},
       true},
      {"reviews: district staff, not another",
       Who(Role::kStaff, 2),
       Action::kDecide,
       {Area::kReviews, nullptr, 1},
       false},
      {"reviews: leader reads",
       Who(Role::kLeader),
       Action::kRead,
       {Area::kReviews, nullptr, 1},
       true},
      {"reviews: leader does not review",
       Who(Role::kLeader),
       Action::kWrite,
       {Area::kReviews, nullptr, 1},
       false},
      {"reviews: inspector does not",
       Who(Role::kInspector, 1),
       Action::kWrite,
       {Area::kReviews, nullptr, 1},
       false},
      {"reviews: enterprise does not",
       Who(Role::kEnterprise, 0, 11),
       Action::kRead,
       {Area::kReviews, nullptr, 1},
       false},
      {"reviews: no API key", key, Action::kRead, {Area::kReviews, nullptr, 1}, false},
      {"commands: admin sends",
       Who(Role::kAdmin),
       Action::kWrite,
       {Area::kCommands, nullptr, 1},
       true},
      {"commands: district staff, own district",
       Who(Role::kStaff, 1),
       Action::kWrite,
       {Area::kCommands, nullptr, 1},
       true},
      {"commands: district staff, not another",
       Who(Role::kStaff, 2),
       Action::kWrite,
       {Area::kCommands, nullptr, 1},
       false},
      {"commands: district staff reads only its own",
       Who(Role::kStaff, 2),
       Action::kRead,
       {Area::kCommands, nullptr, 1},
       false},
      {"commands: leader reads",
       Who(Role::kLeader),
       Action::kRead,
       {Area::kCommands, nullptr, 1},
       true},
      {"commands: leader does not send",
       Who(Role::kLeader),
       Action::kWrite,
       {Area::kCommands, nullptr, 1},
       false},
      {"commands: inspector does not",
       Who(Role::kInspector, 1),
       Action::kRead,
       {Area::kCommands, nullptr, 1},
       false},
      {"commands: enterprise does not",
       Who(Role::kEnterprise, 0, 11),
       Action::kRead,
       {Area::kCommands, nullptr, 1},
       false},
      {"commands: public does not",
       Who(Role::kPublic),
       Action::kRead,
       {Area::kCommands, nullptr, 1},
       false},
      {"commands: no API key reads", key, Action::kRead, {Area::kCommands, nullptr, 1}, false},
      {"commands: no API key sends", key, Action::kWrite, {Area::kCommands, nullptr, 1}, false},
      {"samples: admin enters", Who(Role::kAdmin), Action::kWrite, kSamplesA, true},
      {"samples: district staff enters in its district", Who(Role::kStaff, 1), Action::kWrite,
       kSamplesA, true},
      {"samples: district staff not in another", Who(Role::kStaff, 2), Action::kWrite, kSamplesA,
       false},
      {"samples: district staff reads its district", Who(Role::kStaff, 1), Action::kRead, kSamplesA,
       true},
      {"samples: leader reads", Who(Role::kLeader), Action::kRead, kSamplesA, true},
      {"samples: leader does not enter", Who(Role::kLeader), Action::kWrite, kSamplesA, false},
      {"samples: inspector does not read", Who(Role::kInspector, 1), Action::kRead, kSamplesA,
       false},
      {"samples: enterprise does not read", Who(Role::kEnterprise, 0, 11), Action::kRead, kSamplesA,
       false},
      {"samples: public nothing", Who(Role::kPublic), Action::kRead, kSamplesA, false},
      {"tasks: admin writes", Who(Role::kAdmin), Action::kWrite, kTaskA, true},
      {"tasks: admin does not order", Who(Role::kAdmin), Action::kDecide, kTaskA, false},
      {"tasks: district staff write own", Who(Role::kStaff, 1), Action::kWrite, kTaskA, true},
      {"tasks: district staff not another's", Who(Role::kStaff, 2), Action::kRead, kTaskA, false},
      {"tasks: leader orders", Who(Role::kLeader), Action::kDecide, kTaskA, true},
      {"tasks: district leader not another's", Who(Role::kLeader, 2), Action::kDecide, kTaskA,
       false},
      {"tasks: leader does not handle", Who(Role::kLeader), Action::kWrite, kTaskA, false},
      {"tasks: inspector's own", Who(Role::kInspector, 1), Action::kWrite, kTaskAOf7, true},
      {"tasks: inspector not another's", Who(Role::kInspector, 1), Action::kRead, kTaskA, false},
      {"tasks: inspector does not export", Who(Role::kInspector, 1), Action::kExport, kTaskAOf7,
       false},
      {"tasks: enterprise nothing", Who(Role::kEnterprise, 1, 11), Action::kRead, kTaskA, false},
      {"tasks: public nothing", Who(Role::kPublic), Action::kRead, kTaskA, false},
      {"tasks: no API key", scoped_key, Action::kRead, kTaskA, false},
      {"notify: staff's own inbox", Who(Role::kStaff, 1), Action::kRead, kMine, true},
      {"notify: enterprise subscribes", Who(Role::kEnterprise, 1, 11), Action::kWrite, kMine, true},
      {"notify: not another's", Who(Role::kLeader), Action::kRead, kTheirs, false},
      {"notify: admin reads anyone's", Who(Role::kAdmin), Action::kWrite, kTheirs, true},
      {"notify: webhooks by admins", Who(Role::kAdmin), Action::kDecide, kMine, true},
      {"notify: staff no webhook", Who(Role::kStaff), Action::kDecide, kMine, false},
      {"notify: no export", Who(Role::kStaff), Action::kExport, kMine, false},
      {"notify: no API key", key, Action::kRead, kMine, false},
      {"notify: public nothing", Principal{}, Action::kRead, kMine, false},
      {"complaints: admin handles", Who(Role::kAdmin), Action::kWrite, kComplaintA, true},
      {"complaints: city staff handle any", Who(Role::kStaff), Action::kWrite, kComplaintA, true},
      {"complaints: district staff handle theirs", Who(Role::kStaff, 1), Action::kWrite,
       kComplaintA, true},
      {"complaints: district staff not another's", Who(Role::kStaff, 2), Action::kRead, kComplaintA,
       false},
      {"complaints: district staff not the city's", Who(Role::kStaff, 1), Action::kRead,
       kComplaintCity, false},
      {"complaints: city staff read the city's", Who(Role::kStaff), Action::kRead, kComplaintCity,
       true},
      {"complaints: leader reads", Who(Role::kLeader), Action::kRead, kComplaintA, true},
      {"complaints: leader does not handle", Who(Role::kLeader), Action::kWrite, kComplaintA,
       false},
      {"complaints: inspector does not read", Who(Role::kInspector, 1), Action::kRead, kComplaintA,
       false},
      {"complaints: enterprise does not read", Who(Role::kEnterprise, 0, 11), Action::kRead,
       kComplaintA, false},
      {"complaints: public nothing", Who(Role::kPublic), Action::kRead, kComplaintA, false},
      {"complaints: staff do not decide", Who(Role::kStaff, 1), Action::kDecide, kComplaintA,
       false},
      {"samples: no API key", key, Action::kRead, kSamplesA, false},
      {"samples: nothing is decided", Who(Role::kAdmin), Action::kDecide, kSamplesA, false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(Authorize(c.who, c.action, c.target, kNow).allow, c.allow) << c.what;
}

// Declarations: an outlet of enterprise 11 in district 1.
TEST(Policy, Declarations) {
  const Target kMine{Area::kDeclarations, nullptr, 1, 11};
  const Target kTheirs{Area::kDeclarations, nullptr, 1, 12};
  const Target kOwnList{Area::kDeclarations, nullptr, 0, 11};  // an enterprise's list
  Principal key = Who(Role::kAdmin);
  key.key_id = 5;
  Principal enterprise = Who(Role::kEnterprise, 0, 11);
  Principal no_enterprise = Who(Role::kEnterprise, 0, 0);
  Principal audit = Who(Role::kAuditAdmin);
  const Case cases[] = {
      {"enterprise declares for its outlet", enterprise, Action::kWrite, kMine, true},
      {"enterprise never for another's outlet", enterprise, Action::kWrite, kTheirs, false},
      {"enterprise reads its own", enterprise, Action::kRead, kMine, true},
      {"enterprise reads its own list", enterprise, Action::kRead, kOwnList, true},
      {"enterprise reads no other's", enterprise, Action::kRead, kTheirs, false},
      {"enterprise does not accept its own", enterprise, Action::kDecide, kMine, false},
      {"an enterprise account without enterprise: nothing",
       no_enterprise,
       Action::kWrite,
       {Area::kDeclarations, nullptr, 1, 0},
       false},
      {"staff of the district files on behalf", Who(Role::kStaff, 1), Action::kWrite, kTheirs,
       true},
      {"staff of the district accepts", Who(Role::kStaff, 1), Action::kDecide, kMine, true},
      {"staff of another district does not", Who(Role::kStaff, 2), Action::kDecide, kMine, false},
      {"staff of another district reads none", Who(Role::kStaff, 2), Action::kRead, kMine, false},
      {"city staff accepts", Who(Role::kStaff), Action::kDecide, kMine, true},
      {"admin accepts", Who(Role::kAdmin), Action::kDecide, kMine, true},
      {"leader reads", Who(Role::kLeader), Action::kRead, kMine, true},
      {"leader does not decide", Who(Role::kLeader), Action::kDecide, kMine, false},
      {"inspector reads in district", Who(Role::kInspector, 1), Action::kRead, kMine, true},
      {"inspector does not file", Who(Role::kInspector, 1), Action::kWrite, kMine, false},
      {"partner sees none", Who(Role::kPartner, 0, 0, "meteorology"), Action::kRead, kMine, false},
      {"audit admin changes nothing", audit, Action::kDecide, kMine, false},
      {"public nothing", Principal{}, Action::kRead, kMine, false},
      {"public files nothing", Principal{}, Action::kWrite, kMine, false},
      {"API key reads nothing", key, Action::kRead, kMine, false},
      {"API key files nothing", key, Action::kWrite, kMine, false},
      {"acknowledge is not a declaration act", Who(Role::kAdmin), Action::kAcknowledge, kMine,
       false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(Authorize(c.who, c.action, c.target, kNow).allow, c.allow) << c.what;
}

TEST(Policy, PushScopeRoundTrips) {
  PushScope scope{{"AIR-1", "AIR-2"}, {"a01001"}};
  auto back = PushScopeOf(PushDatasets(scope));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->sites, scope.sites);
  EXPECT_EQ(back->factors, scope.factors);
  EXPECT_FALSE(PushScopeOf({"air-aqi"}).has_value());
  EXPECT_FALSE(PushScopeOf({"push:readings"}).has_value());  // no site: no scope
}

// 三员分立: with the deployment's separation on, the system administrator keeps the
// registry and operations, the security administrator has the accounts and keys, the
// audit administrator reads the audit log and changes nothing; without it, the
// system administrator keeps accounts and the audit log as before.
TEST(Policy, ThreeAdministrators) {
  auto separated = [](Role r) {
    Principal p = Who(r);
    p.separated_duties = true;
    return p;
  };
  const Principal sys = separated(Role::kAdmin), sec = separated(Role::kSecurityAdmin),
                  aud = separated(Role::kAuditAdmin), legacy = Who(Role::kAdmin);
  const Target kStation{Area::kData, &kAirReadings, 1};
  const Target kOther{Area::kUsers, nullptr, 0, 0, 8};
  const Target kOwn{Area::kUsers, nullptr, 0, 0, 7};
  const Target kOthersKey{Area::kKeys, nullptr, 0, 0, 8};
  const Target kRequest{Area::kRequests, &kAirReadings, 0, 0, 9};
  const Target kAlarm{Area::kAlarms, &kAlarms, 1, 11};
  const Case cases[] = {
      {"system admin: registry", sys, Action::kWrite, {Area::kReference, nullptr, 1}, true},
      {"system admin: catalog", sys, Action::kWrite, {Area::kCatalog, &kAqi}, true},
      {"system admin: ops", sys, Action::kRead, {Area::kOps}, true},
      {"system admin: data", sys, Action::kRead, kStation, true},
      {"system admin: not accounts", sys, Action::kWrite, kOther, false},
      {"system admin: not others' keys", sys, Action::kWrite, kOthersKey, false},
      {"system admin: own password", sys, Action::kWrite, kOwn, true},
      {"system admin: not the audit log", sys, Action::kRead, {Area::kAudit}, false},
      {"security admin: accounts", sec, Action::kWrite, kOther, true},
      {"security admin: reads accounts", sec, Action::kRead, {Area::kUsers}, true},
      {"security admin: keys", sec, Action::kWrite, kOthersKey, true},
      {"security admin: not data", sec, Action::kRead, kStation, false},
      {"security admin: not the registry", sec, Action::kWrite, {Area::kReference}, false},
      {"security admin: not ops", sec, Action::kRead, {Area::kOps}, false},
      {"security admin: not the audit log", sec, Action::kRead, {Area::kAudit}, false},
      {"security admin: not alarms", sec, Action::kAcknowledge, kAlarm, false},
      {"audit admin: reads the audit log", aud, Action::kRead, {Area::kAudit}, true},
      {"audit admin: exports it", aud, Action::kExport, {Area::kAudit}, true},
      {"audit admin: reads accounts", aud, Action::kRead, {Area::kUsers}, true},
      {"audit admin: reads keys", aud, Action::kRead, kOthersKey, true},
      {"audit admin: own password", aud, Action::kWrite, kOwn, true},
      {"audit admin: changes no account", aud, Action::kWrite, kOther, false},
      {"audit admin: no key of its own",
       aud,
       Action::kWrite,
       {Area::kKeys, nullptr, 0, 0, 7},
       false},
      {"audit admin: asks for no data",
       aud,
       Action::kWrite,
       {Area::kRequests, &kAirReadings, 0, 0, 7},
       false},
      {"audit admin: decides nothing", aud, Action::kDecide, kRequest, false},
      {"audit admin: not the registry", aud, Action::kWrite, {Area::kReference}, false},
      {"audit admin: not data", aud, Action::kRead, kStation, false},
      {"audit admin: not ops", aud, Action::kRead, {Area::kOps}, false},
      {"audit admin: never writes the log", aud, Action::kWrite, {Area::kAudit}, false},
      {"leader still reads the audit log",
       separated(Role::kLeader),
       Action::kRead,
       {Area::kAudit},
       true},
      {"without separation: admin manages accounts", legacy, Action::kWrite, kOther, true},
      {"without separation: admin reads the audit log",
       legacy,
       Action::kRead,
       {Area::kAudit},
       true},
      {"without separation: the roles still hold", Who(Role::kAuditAdmin), Action::kWrite, kOther,
       false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(Authorize(c.who, c.action, c.target, kNow).allow, c.allow) << c.what;
  EXPECT_TRUE(IsAdministrator(Role::kAuditAdmin));
  EXPECT_FALSE(IsAdministrator(Role::kLeader));
}

TEST(Policy, Names) {
  for (auto r : {Role::kPublic, Role::kAdmin, Role::kLeader, Role::kStaff, Role::kInspector,
                 Role::kPartner, Role::kEnterprise, Role::kSecurityAdmin, Role::kAuditAdmin})
    EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_FALSE(ParseRole("root"));
  EXPECT_EQ(ParseSecrecy("restricted"), Secrecy::kRestricted);
  EXPECT_EQ(ParseSharing("departments"), Sharing::kDepartments);
  EXPECT_FALSE(ParseSharing("everyone"));
}

}  // namespace
}  // namespace ecohub::auth
