// `ecohub device put`, `ecohub user add|reset-password`, `ecohub key add`,
// `ecohub audit verify` and `ecohub keys rotate`: administration from the command line (the first
// administrator of a new installation, scripts, benchmarks). Every change goes on
// the audit record as the actor "cli".
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>

#include "app/audit_verdict.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "auth/accounts.h"
#include "crypto/keyring.h"
#include "store/audit.h"

namespace ecohub::app {
namespace {

int DevicePut(const std::string& data_dir, const std::string& site_code, store::Device device) {
  auto opened = OpenStore("device put", data_dir, /*read_only=*/false);
  if (!opened) return 1;
  auto sites = opened->Sites();
  if (!sites.ok())
    return std::fprintf(stderr, "ecohub device put: %s\n", sites.status().ToString().c_str()), 1;
  for (const auto& s : *sites)
    if (s.code == site_code) device.site_id = s.id;
  if (device.site_id == 0)
    return std::fprintf(stderr, "ecohub device put: no site with code '%s'\n", site_code.c_str()),
           2;
  Status s = opened->PutDevice(device);
  if (!s.ok()) return std::fprintf(stderr, "ecohub device put: %s\n", s.ToString().c_str()), 1;
  // On the record; the password itself never goes into the log.
  if (!AuditCli(*opened, "device.put", "device:" + device.mn,
                {{"site", site_code},
                 {"enabled", device.enabled},
                 {"protocol_version", device.protocol_version},
                 {"crc_variant", device.crc_variant}}))
    return 1;
  std::printf("device %s -> site %s (%s)\n", device.mn.c_str(), site_code.c_str(),
              device.enabled ? "enabled" : "disabled");
  return 0;
}

// The options of `user` and `key`. The password is read from stdin (one line),
// never from the command line.
struct UserCliArgs {
  std::string data_dir, username, role = "staff", department, display_name, owner, key_name,
                                  dataset, subject;
  int64_t district_id = 0, enterprise_id = 0;
  int days = 90;
};

int UserCmd(const UserCliArgs& a, bool reset) {
  const char* what = reset ? "user reset-password" : "user add";
  auto accounts = auth::Accounts::Open(a.data_dir, StoreUrl(), {});
  if (!accounts.ok())
    return std::fprintf(stderr, "ecohub %s: %s\n", what, accounts.status().ToString().c_str()), 1;
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  nlohmann::json detail;
  Status s;
  if (reset) {
    auto u = (*accounts)->FindUser(a.username);
    if (!u.ok())
      return std::fprintf(stderr, "ecohub %s: no user '%s'\n", what, a.username.c_str()), 2;
    s = (*accounts)->SetPassword(u->id, password);
  } else {
    auto role = auth::ParseRole(a.role);
    if (!role)
      return std::fprintf(stderr, "ecohub %s: unknown role '%s'\n", what, a.role.c_str()), 2;
    auth::User u;
    u.username = a.username;
    u.display_name = a.display_name;
    u.role = *role;
    u.district_id = a.district_id;
    u.enterprise_id = a.enterprise_id;
    u.department = a.department;
    auto created = (*accounts)->CreateUser(u, password);
    s = created.status();
    detail = {{"role", a.role},
              {"district_id", a.district_id},
              {"enterprise_id", a.enterprise_id},
              {"department", a.department}};
  }
  if (!s.ok()) return std::fprintf(stderr, "ecohub %s: %s\n", what, s.message().c_str()), 2;
  auto st = OpenStore(what, a.data_dir, /*read_only=*/false);
  if (!st ||
      !AuditCli(*st, reset ? "user.reset_password" : "user.create", "user:" + a.username, detail))
    return 1;
  std::printf("%s: %s\n", reset ? "password set" : "user created", a.username.c_str());
  return 0;
}

// One change of an existing account from the host: `change` acts on it, then it is
// audited as `action` and `done` printed. Exit 2 when there is no such user.
int ChangeUserOnHost(const UserCliArgs& a, const char* what, const char* action,
                     const nlohmann::json& detail, const char* done,
                     const std::function<Status(auth::Accounts&, auth::User&)>& change) {
  auto accounts = auth::Accounts::Open(a.data_dir, StoreUrl(), {});
  if (!accounts.ok())
    return std::fprintf(stderr, "ecohub %s: %s\n", what, accounts.status().ToString().c_str()), 1;
  auto u = (*accounts)->FindUser(a.username);
  if (!u.ok())
    return std::fprintf(stderr, "ecohub %s: no user '%s'\n", what, a.username.c_str()), 2;
  Status s = change(**accounts, *u);
  if (!s.ok()) return std::fprintf(stderr, "ecohub %s: %s\n", what, s.message().c_str()), 1;
  auto st = OpenStore(what, a.data_dir, /*read_only=*/false);
  if (!st || !AuditCli(*st, action, "user:" + a.username, detail)) return 1;
  std::printf("%s: %s\n", done, a.username.c_str());
  return 0;
}

// `ecohub user clear-second-factor`: for the account manager who lost the phone of
// their own second factor (nobody else can clear it over the API).
int UserClearSecondFactor(const UserCliArgs& a) {
  return ChangeUserOnHost(
      a, "user clear-second-factor", "user.totp.clear", nlohmann::json::object(),
      "second factor cleared",
      [](auth::Accounts& accounts, auth::User& u) { return accounts.ClearSecondFactor(u.id); });
}

// `ecohub user link-oidc`: the account logs in as this subject of the identity
// provider (an empty subject unlinks); its role and district stay the administrator's.
int UserLinkOidc(const UserCliArgs& a) {
  return ChangeUserOnHost(a, "user link-oidc", "user.update", {{"oidc_subject", a.subject}},
                          a.subject.empty() ? "unlinked" : "linked",
                          [&](auth::Accounts& accounts, auth::User& u) {
                            u.oidc_subject = a.subject;
                            u.oidc_claims = false;
                            return accounts.UpdateUser(u);
                          });
}

int KeyCmd(const UserCliArgs& a) {
  auto accounts = auth::Accounts::Open(a.data_dir, StoreUrl(), {});
  if (!accounts.ok())
    return std::fprintf(stderr, "ecohub key add: %s\n", accounts.status().ToString().c_str()), 1;
  auto owner = (*accounts)->FindUser(a.owner);
  if (!owner.ok())
    return std::fprintf(stderr, "ecohub key add: no user '%s'\n", a.owner.c_str()), 2;
  auth::ApiKey k;
  k.name = a.key_name;
  k.owner_id = owner->id;
  if (!a.dataset.empty()) k.datasets = {a.dataset};
  UnixSeconds now = WallSeconds();
  k.expires = now + int64_t{a.days} * 86400;
  auto created = (*accounts)->CreateKey(k, now);
  if (!created.ok())
    return std::fprintf(stderr, "ecohub key add: %s\n", created.status().message().c_str()), 2;
  auto st = OpenStore("key add", a.data_dir, /*read_only=*/false);
  if (!st || !AuditCli(*st, "api_key.create", "key:" + std::to_string(created->first.id),
                       {{"owner", a.owner}, {"name", a.key_name}, {"days", a.days}}))
    return 1;
  std::printf("%s\n", created->second.c_str());  // the secret, shown once
  return 0;
}

// `ecohub audit verify`: walks the chain with the keys and checks it against the
// anchors (a stable contract: exit 0 when intact, 1 naming the first broken row, 2
// when the log, the keys or the anchors cannot be read). Keys are found as the
// server finds them; without any, only a chain with no keyed rows can be checked.
int AuditVerifyCmd(const std::string& data_dir, const std::string& key_file,
                   const std::string& anchor_file) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "ecohub audit verify: %s\n", s.ToString().c_str());
    return 2;
  };
  if (!std::filesystem::is_directory(data_dir))
    return fail(Status::NotFound("no data directory " + data_dir));
  auto opened = OpenStore("audit verify", data_dir, /*read_only=*/true);
  if (!opened) return 2;
  auto keys = crypto::KeyRing::Resolve(key_file, data_dir + "/keys", /*create=*/false);
  if (!keys.ok()) return fail(keys.status());
  std::string anchors_path =
      anchor_file.empty() ? data_dir + "/" + store::kAuditAnchorFile : anchor_file;
  auto verdict = AuditVerdict(*opened, *keys, anchors_path);
  if (!verdict.ok()) return fail(verdict.status());
  std::printf("%s\n", verdict->dump().c_str());
  if ((*verdict)["ok"].get<bool>()) return 0;
  std::fprintf(stderr, "ecohub audit verify: audit log broken at row %lld: %s\n",
               static_cast<long long>((*verdict)["first_broken_row"].get<int64_t>()),
               (*verdict)["reason"].get<std::string>().c_str());
  return 1;
}

// `ecohub keys rotate`: a new newest key; the old ones stay to open and verify what
// they protected.
int KeysRotateCmd(const std::string& key_file) {
  auto id = crypto::KeyRing::RotateFile(key_file);
  if (!id.ok())
    return std::fprintf(stderr, "ecohub keys rotate: %s\n", id.status().ToString().c_str()), 1;
  std::printf("%s\n", id->c_str());
  return 0;
}

}  // namespace

// Registers a logger so the gateway accepts it.
void AddDeviceCommand(CLI::App& app) {
  struct Args {
    store::Device device;
    std::string data_dir, site_code;
    bool disable = false;
  };
  auto a = std::make_shared<Args>();
  auto* devc = AddGroup(app, "device", "Device registry");
  auto* put = devc->add_subcommand(
      "put", "Register or change a data logger (picked up by a running serve within 10 s)");
  AddDataOption(put, a->data_dir);
  put->add_option("--mn", a->device.mn, "MN of the logger")->required();
  put->add_option("--password", a->device.password, "PW the logger sends")->required();
  put->add_option("--site", a->site_code, "Code of the site it reports for")->required();
  put->add_option("--protocol", a->device.protocol_version,
                  "0 = HJ/T 212-2005, 1 = HJ 212-2017, 2 = HJ 212-2025")
      ->check(CLI::Range(0, 2));
  put->add_flag("--disable", a->disable, "Refuse its data from now on");
  put->add_option("--crc-variant", a->device.crc_variant,
                  "hj212 (default), or modbus / modbus_swapped for legacy loggers")
      ->check(CLI::IsMember({"hj212", "modbus", "modbus_swapped"}));
  put->callback([a] {
    a->device.enabled = !a->disable;
    ExitWith(DevicePut(a->data_dir, a->site_code, a->device));
  });
}

void AddUserCommand(CLI::App& app) {
  auto a = std::make_shared<UserCliArgs>();
  auto* userc = AddGroup(app, "user", "User accounts (the password is read from stdin)");
  auto* add = userc->add_subcommand("add", "Create an account");
  AddDataOption(add, a->data_dir);
  add->add_option("--username", a->username, "Login name")->required();
  add->add_option("--role", a->role,
                  "admin, security_admin, audit_admin, leader, staff, inspector, partner or "
                  "enterprise (default staff)");
  add->add_option("--district-id", a->district_id, "District id (0: the whole city)");
  add->add_option("--enterprise-id", a->enterprise_id, "Enterprise id (enterprise accounts)");
  add->add_option("--department", a->department, "Department (partners, request deciders)");
  add->add_option("--display-name", a->display_name, "Name shown");
  add->callback([a] { ExitWith(UserCmd(*a, /*reset=*/false)); });
  auto* reset = userc->add_subcommand("reset-password", "Set a new password and unlock");
  AddDataOption(reset, a->data_dir);
  reset->add_option("--username", a->username, "Login name")->required();
  reset->callback([a] { ExitWith(UserCmd(*a, /*reset=*/true)); });
  auto* clear = userc->add_subcommand("clear-second-factor",
                                      "Clear an account's TOTP second factor (a lost phone)");
  AddDataOption(clear, a->data_dir);
  clear->add_option("--username", a->username, "Login name")->required();
  clear->callback([a] { ExitWith(UserClearSecondFactor(*a)); });
  auto* link = userc->add_subcommand(
      "link-oidc", "Let an account log in through the unified identity provider as SUBJECT");
  AddDataOption(link, a->data_dir);
  link->add_option("--username", a->username, "Login name")->required();
  link->add_option("--subject", a->subject,
                   "The provider's subject (sub) of the person; \"\" unlinks")
      ->required();
  link->callback([a] { ExitWith(UserLinkOidc(*a)); });
}

void AddKeyCommand(CLI::App& app) {
  auto a = std::make_shared<UserCliArgs>();
  auto* keyc = AddGroup(app, "key", "API keys for other systems");
  auto* add = keyc->add_subcommand("add", "Create an API key; prints its secret once");
  AddDataOption(add, a->data_dir);
  add->add_option("--owner", a->owner, "Username it acts for")->required();
  add->add_option("--name", a->key_name, "What system uses it")->required();
  add->add_option("--days", a->days, "Days until it expires (default 90)")
      ->check(CLI::Range(1, 1096));
  add->add_option("--dataset", a->dataset, "Limit it to one catalog dataset");
  add->callback([a] { ExitWith(KeyCmd(*a)); });
}

void AddAuditCommand(CLI::App& app) {
  struct Args {
    std::string data_dir, key_file, anchor_file;
  };
  auto a = std::make_shared<Args>();
  auto* auditc = AddGroup(app, "audit", "The tamper-evident audit log");
  auto* verify = auditc->add_subcommand(
      "verify",
      "Check the keyed chain and its anchors: exit 0 when intact, 1 naming the first broken "
      "row");
  AddDataOption(verify, a->data_dir);
  verify->add_option("--key-file", a->key_file,
                     "Master keys (default: ECOHUB_KEYS, else <data>/keys)");
  verify->add_option("--anchors", a->anchor_file,
                     "Anchor file (default: <data>/audit-anchors.log)");
  verify->callback([a] { ExitWith(AuditVerifyCmd(a->data_dir, a->key_file, a->anchor_file)); });
}

void AddKeysCommand(CLI::App& app) {
  auto key_file = std::make_shared<std::string>();
  auto* keysc = AddGroup(app, "keys", "Master keys (kept outside the database)");
  auto* rotate = keysc->add_subcommand(
      "rotate", "Append a fresh key that signs and seals from the next start; old keys stay");
  rotate->add_option("--key-file", *key_file, "The key file (mode 0600)")->required();
  rotate->callback([key_file] { ExitWith(KeysRotateCmd(*key_file)); });
}

}  // namespace ecohub::app
