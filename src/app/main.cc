// ecohub: one executable, subcommands per job (serve, sim, db, hj212).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/config.h"
#include "app/demo_city.h"
#include "app/hj212_cli.h"
#include "app/import_beijing.h"
#include "app/serve.h"
#include "app/simulator.h"
#include "app/standards_cli.h"
#include "auth/accounts.h"
#include "derive/annual.h"
#include "derive/deriver.h"
#include "store/audit.h"
#include "store/sqlite_store.h"

namespace ecohub::app {
namespace {

// A progress line on stderr for long work (rewritten in place on a terminal).
void Progress(const char* stage, int done, int total) {
  static bool tty = isatty(2);
  std::fprintf(stderr, tty ? "\r[%s] %d/%d" : "[%s] %d/%d\n", stage, done, total);
  if (tty && done == total) std::fputc('\n', stderr);
}

// The store of a subcommand, or null after printing "ecohub <what>: <error>".
std::unique_ptr<store::Store> OpenStore(const char* what, const std::string& data_dir,
                                        bool read_only) {
  store::SqliteOptions o;
  o.read_only = read_only;
  auto opened = store::OpenSqliteStore(data_dir, o);
  if (opened.ok()) return std::move(opened).value();
  std::fprintf(stderr, "ecohub %s: %s\n", what, opened.status().ToString().c_str());
  return nullptr;
}

// A change made from the command line, on the record (failure to record is reported).
bool AuditCli(store::Store& st, const char* action, const std::string& object,
              const nlohmann::json& detail) {
  store::AuditEntry e;
  e.actor = "cli";
  e.action = action;
  e.object = object;
  e.detail = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto r = st.AppendAudit(e);
  if (!r.ok()) std::fprintf(stderr, "ecohub: audit log: %s\n", r.status().ToString().c_str());
  return r.ok();
}

int ImportBeijingCmd(const std::string& data_dir, const std::string& dataset_dir,
                     const std::string& from_text, const std::string& to_text) {
  UnixSeconds from = INT64_MIN, to = INT64_MAX;
  for (auto [text, out] : {std::pair{&from_text, &from}, std::pair{&to_text, &to}}) {
    if (text->empty()) continue;
    auto t = ParseCompactLocal(*text + "000000");
    if (text->size() != 8 || !t) {
      std::fprintf(stderr, "ecohub import: dates are YYYYMMDD (Beijing), not \"%s\"\n",
                   text->c_str());
      return 2;
    }
    *out = *t;
  }
  auto opened = OpenStore("import", data_dir, /*read_only=*/false);
  if (!opened) return 1;
  store::Store& st = *opened;
  auto sum = ImportBeijing(st, dataset_dir, from, to, Progress);
  if (!sum.ok()) {
    std::fprintf(stderr, "ecohub import: %s\n", sum.status().ToString().c_str());
    return 1;
  }
  if (!AuditCli(st, "import", "dataset:beijing_multisite_2013_2017",
                {{"dataset", dataset_dir},
                 {"readings", sum->readings},
                 {"from", from_text},
                 {"to", to_text}}))
    return 1;
  derive::Deriver deriver(st, derive::DeriveOptions{});
  Status s = deriver.Reload();
  auto stats = s.ok() ? deriver.RecomputeRange(sum->first_hour, sum->last_hour + 3600,
                                               [](int d, int t) { Progress("derive", d, t); })
                      : Result<derive::DeriveStats>(s);
  if (!stats.ok()) {
    std::fprintf(stderr, "ecohub import: %s\n", stats.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "{\"rows\":%lld,\"readings\":%lld,\"missing_values\":%lld,\"bad_values\":%lld,"
      "\"first_hour\":\"%s\",\"last_hour\":\"%s\",\"station_hours\":%lld,"
      "\"station_days\":%lld,\"area_hours\":%lld,\"area_days\":%lld,\"derived_rows\":%lld}\n",
      (long long)sum->rows, (long long)sum->readings, (long long)sum->missing_values,
      (long long)sum->bad_values, FormatRfc3339Beijing(sum->first_hour).c_str(),
      FormatRfc3339Beijing(sum->last_hour).c_str(), (long long)stats->station_hours,
      (long long)stats->station_days, (long long)stats->area_hours, (long long)stats->area_days,
      (long long)stats->rows_written);
  return 0;
}

// Recomputes every derived value of [from, to) (Beijing days): after restoring a
// backup, after an outage longer than serve's two-day start-up window, or after a
// change of rules. Safe while serve runs (rows are upserts).
int DeriveCmd(const std::string& data_dir, const std::string& from_text,
              const std::string& to_text) {
  auto from = ParseCompactLocal(from_text + "000000"), to = ParseCompactLocal(to_text + "000000");
  if (from_text.size() != 8 || to_text.size() != 8 || !from || !to || *from >= *to) {
    std::fprintf(stderr, "ecohub derive: --from and --to are YYYYMMDD (Beijing), from < to\n");
    return 2;
  }
  auto opened = OpenStore("derive", data_dir, /*read_only=*/false);
  if (!opened) return 1;
  if (!AuditCli(*opened, "derive", "derived:all", {{"from", from_text}, {"to", to_text}})) return 1;
  derive::Deriver deriver(*opened, derive::DeriveOptions{});
  Status s = deriver.Reload();
  auto r = s.ok()
               ? deriver.RecomputeRange(*from, *to, [](int d, int t) { Progress("derive", d, t); })
               : Result<derive::DeriveStats>(s);
  if (!r.ok()) {
    std::fprintf(stderr, "ecohub derive: %s\n", r.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "{\"station_hours\":%lld,\"station_days\":%lld,\"area_hours\":%lld,"
      "\"area_days\":%lld,\"water_days\":%lld,\"quality_days\":%lld,\"rows\":%lld}\n",
      (long long)r->station_hours, (long long)r->station_days, (long long)r->area_hours,
      (long long)r->area_days, (long long)r->water_days, (long long)r->quality_days,
      (long long)r->rows_written);
  return 0;
}

// `ecohub audit verify`: walks the hash chain (a stable contract: exit 0 when intact,
// 1 naming the first broken row, 2 when the log cannot be read).
int AuditVerifyCmd(const std::string& data_dir) {
  auto opened = OpenStore("audit verify", data_dir, /*read_only=*/true);
  if (!opened) return 2;
  auto c = store::VerifyAuditChain(*opened);
  if (!c.ok()) {
    std::fprintf(stderr, "ecohub audit verify: %s\n", c.status().ToString().c_str());
    return 2;
  }
  nlohmann::json out = {{"ok", c->ok}, {"rows", c->rows}};
  if (c->ok) {
    out["head"] = c->head;
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  out["first_broken_row"] = c->first_broken_id;
  out["reason"] = c->reason;
  std::printf("%s\n", out.dump().c_str());
  std::fprintf(stderr, "ecohub audit verify: audit log broken at row %lld: %s\n",
               static_cast<long long>(c->first_broken_id), c->reason.c_str());
  return 1;
}

int ReportAirCmd(const std::string& data_dir, const std::string& scope, int year, int month) {
  auto opened = OpenStore("report", data_dir, /*read_only=*/true);
  if (!opened) return 1;
  auto [from, to] = month ? derive::BeijingMonth(year, month) : derive::BeijingYear(year);
  auto r = derive::PeriodReport(*opened, scope, from, to, month == 0);
  if (!r.ok()) {
    std::fprintf(stderr, "ecohub report: %s\n", r.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", r->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return 0;
}

int DbDump(const std::string& data_dir) {
  auto opened = OpenStore("db dump", data_dir, /*read_only=*/true);
  if (!opened) return 1;
  std::string line;
  Status s = opened->ScanReadings([&](const Reading& r) {
    line.clear();
    line += r.mn;
    line += ',';
    line += PeriodCn(r.period);
    line += ',';
    line += FormatCompactLocal(r.time);
    line += ',';
    line += r.factor;
    line += ',';
    line += r.field;
    line += ',';
    line += r.value;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    return true;
  });
  if (!s.ok()) {
    std::fprintf(stderr, "ecohub db dump: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

// Compacts the store and prints its size per stored value (for benchmarks and
// capacity planning).
int DbStats(const std::string& data_dir) {
  auto opened = OpenStore("db stats", data_dir, /*read_only=*/false);
  if (!opened) return 1;
  store::Store& st = *opened;
  Status s = st.Compact();
  auto n = st.CountReadings();
  if (!s.ok() || !n.ok()) {
    std::fprintf(stderr, "ecohub db stats: %s\n", (!s.ok() ? s : n.status()).ToString().c_str());
    return 1;
  }
  auto tables = st.TableBytes();
  opened.reset();  // close: checkpoints the WAL
  uint64_t bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(data_dir))
    if (e.is_regular_file()) bytes += e.file_size();
  // Readings live in the hot table, the chunks and the series table; raw packets are
  // the configurable trace of every frame, reported apart.
  int64_t reading_bytes = 0, raw_bytes = 0;
  std::string per_table;
  if (tables.ok())
    for (const auto& [name, b] : *tables) {
      if (name == "readings" || name == "chunks" || name.starts_with("series") ||
          name.starts_with("sqlite_autoindex_series"))
        reading_bytes += b;
      if (name.starts_with("raw_packets")) raw_bytes += b;
      per_table += (per_table.empty() ? "" : ",") + ("\"" + name + "\":" + std::to_string(b));
    }
  double nn = *n > 0 ? static_cast<double>(*n) : 1.0;
  std::printf(
      "{\"readings\":%lld,\"bytes_on_disk\":%llu,\"bytes_per_reading\":%.2f,"
      "\"reading_bytes_per_reading\":%.2f,\"raw_packet_bytes_per_reading\":%.2f,\"tables\":{%s}}\n",
      static_cast<long long>(*n), static_cast<unsigned long long>(bytes),
      static_cast<double>(bytes) / nn, static_cast<double>(reading_bytes) / nn,
      static_cast<double>(raw_bytes) / nn, per_table.c_str());
  return 0;
}

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

// `ecohub user add|reset-password` and `ecohub key add`: accounts from the command
// line (the first administrator of a new installation, scripts, benchmarks). The
// password is read from stdin (one line), never from the command line.
struct UserCliArgs {
  std::string data_dir, username, role = "staff", department, display_name, owner, key_name,
                                  dataset;
  int64_t district_id = 0, enterprise_id = 0;
  int days = 90;
};

int UserCmd(const UserCliArgs& a, bool reset) {
  const char* what = reset ? "user reset-password" : "user add";
  auto accounts = auth::Accounts::Open(a.data_dir, {});
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

int KeyCmd(const UserCliArgs& a) {
  auto accounts = auth::Accounts::Open(a.data_dir, {});
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

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"EcoHub: the ecological-environment data platform"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error");

  // serve
  ServeConfig config;
  std::string config_file, gw_listen, http_listen;
  auto* serve = app.add_subcommand("serve", "Run the gateway, the store and the HTTP server");
  serve->add_option("--data", config.data_dir, "Data directory (created if missing)")->required();
  serve->add_option("--config", config_file, "TOML configuration file");
  serve->add_option("--gateway-listen", gw_listen, "HJ 212 TCP listen address HOST:PORT");
  serve->add_option("--http-listen", http_listen, "HTTP listen address HOST:PORT");
  std::string tls_cert, tls_key;  // applied after the file, so that flags win
  serve->add_option("--tls-cert", tls_cert,
                    "PEM certificate chain: the HTTP port speaks TLS only (with --tls-key)");
  serve->add_option("--tls-key", tls_key, "PEM private key of --tls-cert");
  std::string web_dir;
  serve->add_option("--web-dir", web_dir,
                    "Built web pages to serve (default: this source tree's web/dist; none: off)");
  serve->add_option("--admin-password-file", config.admin_password_file,
                    "With no account yet: create 'admin' with the password in this file");
  serve->add_flag("--demo", config.demo, "Seed the demo city into a new data directory");
  serve->add_option("--demo-devices", config.demo_devices,
                    "Demo devices to register (default: one per station and outlet)");
  serve->add_option("--demo-history-days", config.demo_history_days, "Days of hourly history");
  serve->add_option("--dataset", config.dataset_dir, "Beijing multi-site dataset folder")
      ->default_val(std::string(ECOHUB_SHARED_DIR) + "/data/beijing_multisite_2013_2017");
  serve->add_option("--io-threads", config.io_threads, "Network threads");

  // sim
  SimOptions sim;
  std::string target;
  auto* simc = app.add_subcommand("sim", "Simulated HJ 212 data loggers");
  simc->add_option("--target", target, "Gateway HOST:PORT")->required();
  simc->add_option("--devices", sim.devices, "Number of loggers")
      ->required()
      ->check(CLI::Range(1, 100000));
  simc->add_option("--duration", sim.duration_seconds, "Seconds of uploading")
      ->required()
      ->check(CLI::Range(0.0, 1e7));
  simc->add_option("--interval", sim.interval_seconds, "Realtime upload interval, seconds")
      ->check(CLI::Range(0.001, 3600.0));
  simc->add_option("--seed", sim.seed, "Random seed");
  simc->add_option("--acked-log", sim.acked_log, "Append one line per acknowledged reading");
  simc->add_option("--first-device", sim.first_device, "Index of the first device");
  simc->add_option("--ack-timeout", sim.ack_timeout_seconds, "Seconds before a resend");
  simc->add_option("--drain", sim.drain_seconds, "Seconds to wait for late acks at the end");
  std::string faults = "on";
  simc->add_option("--faults", faults, "on or off")->check(CLI::IsMember({"on", "off"}));

  // db dump
  auto* db = app.add_subcommand("db", "Inspect the store");
  db->require_subcommand(1);
  std::string dump_dir;
  auto* dump =
      db->add_subcommand("dump", "Print every stored reading as MN,CN,DataTime,factor,field,value");
  dump->add_option("--data", dump_dir, "Data directory")->required();
  auto* stats =
      db->add_subcommand("stats", "Compact, then print readings and bytes on disk per reading");
  stats->add_option("--data", dump_dir, "Data directory")->required();

  // device put: register a logger so the gateway accepts it
  store::Device device;
  std::string device_dir, site_code;
  auto* devc = app.add_subcommand("device", "Device registry");
  devc->require_subcommand(1);
  auto* put = devc->add_subcommand(
      "put", "Register or change a data logger (picked up by a running serve within 10 s)");
  put->add_option("--data", device_dir, "Data directory")->required();
  put->add_option("--mn", device.mn, "MN of the logger")->required();
  put->add_option("--password", device.password, "PW the logger sends")->required();
  put->add_option("--site", site_code, "Code of the site it reports for")->required();
  put->add_option("--protocol", device.protocol_version,
                  "0 = HJ/T 212-2005, 1 = HJ 212-2017, 2 = HJ 212-2025")
      ->check(CLI::Range(0, 2));
  bool disable = false;
  put->add_flag("--disable", disable, "Refuse its data from now on");
  put->add_option("--crc-variant", device.crc_variant,
                  "hj212 (default), or modbus / modbus_swapped for legacy loggers")
      ->check(CLI::IsMember({"hj212", "modbus", "modbus_swapped"}));

  // demo devices: the MNs and passwords `sim` uses, for configuring real loggers
  auto* demo = app.add_subcommand("demo", "Demo city facts");
  demo->require_subcommand(1);
  int demo_count = DemoDefaultDevices();
  auto* demo_devices =
      demo->add_subcommand("devices", "Print MN,password,site code,ST of demo devices");
  demo_devices->add_option("--count", demo_count, "How many")->check(CLI::Range(1, 100000));

  // hj212 decode/encode
  auto* hj = app.add_subcommand("hj212", "HJ 212 codec on stdin/stdout");
  hj->require_subcommand(1);
  bool hex = false;
  auto* decode = hj->add_subcommand("decode", "One frame per line -> one JSON object per line");
  decode->add_flag("--hex", hex, "Lines are the hex of the exact wire bytes");
  auto* encode = hj->add_subcommand("encode", "{header,cp} JSON lines -> packets");

  auto* aqi = app.add_subcommand(
      "aqi", "HJ 633 AQI: one JSON object per stdin line -> one result per line");
  auto* water = app.add_subcommand(
      "water-class", "GB 3838 water class: one JSON object per stdin line -> one result per line");

  auto* imp = app.add_subcommand("import", "Bring historical data in");
  imp->require_subcommand(1);
  std::string import_dir, import_dataset = ECOHUB_SHARED_DIR "/data/beijing_multisite_2013_2017";
  auto* imp_bj = imp->add_subcommand(
      "beijing", "Beijing 12-station hourly dataset 2013-2017 -> readings and derived AQI");
  imp_bj->add_option("--data", import_dir, "Data directory")->required();
  imp_bj->add_option("--dataset", import_dataset, "Folder with PRSA_Data_*.csv.gz");
  std::string import_from, import_to;
  imp_bj->add_option("--from", import_from, "First day to import, YYYYMMDD (Beijing)");
  imp_bj->add_option("--to", import_to, "Day after the last one, YYYYMMDD (Beijing)");
  UserCliArgs ua;
  auto* userc = app.add_subcommand("user", "User accounts (the password is read from stdin)");
  userc->require_subcommand(1);
  auto* user_add = userc->add_subcommand("add", "Create an account");
  user_add->add_option("--data", ua.data_dir, "Data directory")->required();
  user_add->add_option("--username", ua.username, "Login name")->required();
  user_add->add_option("--role", ua.role,
                       "admin, leader, staff, inspector, partner or enterprise (default staff)");
  user_add->add_option("--district-id", ua.district_id, "District id (0: the whole city)");
  user_add->add_option("--enterprise-id", ua.enterprise_id, "Enterprise id (enterprise accounts)");
  user_add->add_option("--department", ua.department, "Department (partners, request deciders)");
  user_add->add_option("--display-name", ua.display_name, "Name shown");
  auto* user_reset = userc->add_subcommand("reset-password", "Set a new password and unlock");
  user_reset->add_option("--data", ua.data_dir, "Data directory")->required();
  user_reset->add_option("--username", ua.username, "Login name")->required();
  auto* keyc = app.add_subcommand("key", "API keys for other systems");
  keyc->require_subcommand(1);
  auto* key_add = keyc->add_subcommand("add", "Create an API key; prints its secret once");
  key_add->add_option("--data", ua.data_dir, "Data directory")->required();
  key_add->add_option("--owner", ua.owner, "Username it acts for")->required();
  key_add->add_option("--name", ua.key_name, "What system uses it")->required();
  key_add->add_option("--days", ua.days, "Days until it expires (default 90)")
      ->check(CLI::Range(1, 1096));
  key_add->add_option("--dataset", ua.dataset, "Limit it to one catalog dataset");
  auto* auditc = app.add_subcommand("audit", "The tamper-evident audit log");
  auditc->require_subcommand(1);
  std::string audit_dir;
  auto* audit_verify = auditc->add_subcommand(
      "verify", "Walk the hash chain: exit 0 when intact, 1 naming the first broken row");
  audit_verify->add_option("--data", audit_dir, "Data directory")->required();
  std::string derive_dir, derive_from, derive_to;
  auto* derivec = app.add_subcommand(
      "derive", "Recompute AQI, water classes, exceedances and quality rates for a period");
  derivec->add_option("--data", derive_dir, "Data directory")->required();
  derivec->add_option("--from", derive_from, "First day, YYYYMMDD (Beijing)")->required();
  derivec->add_option("--to", derive_to, "Day after the last one, YYYYMMDD (Beijing)")->required();
  auto* report = app.add_subcommand("report", "Period reports from derived values");
  report->require_subcommand(1);
  std::string report_dir, report_scope = "city";
  int report_year = 0, report_month = 0;
  auto* report_air = report->add_subcommand(
      "air", "Excellent-and-good day ratio, days per level, HJ 663 statistics, composite index");
  report_air->add_option("--data", report_dir, "Data directory")->required();
  report_air->add_option("--scope", report_scope, "city, district:<code> or site:<code>");
  report_air->add_option("--year", report_year, "Calendar year (Beijing)")->required();
  report_air->add_option("--month", report_month, "Month 1-12 (default: the whole year)")
      ->check(CLI::Range(0, 12));

  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_default_logger(spdlog::stderr_color_mt("ecohub"));
  spdlog::set_level(spdlog::level::from_str(log_level));

  if (*serve) {
    if (!config_file.empty()) {
      Status s = LoadConfigFile(config_file, &config);
      if (!s.ok()) return std::fprintf(stderr, "ecohub serve: %s\n", s.message().c_str()), 2;
    }
    for (auto [text, host, port] :
         {std::tuple{&gw_listen, &config.gateway.listen_host, &config.gateway.listen_port},
          std::tuple{&http_listen, &config.http.listen_host, &config.http.listen_port}}) {
      if (text->empty()) continue;
      Status s = ParseListen(*text, host, port);
      if (!s.ok()) return std::fprintf(stderr, "ecohub serve: %s\n", s.message().c_str()), 2;
    }
    if (!tls_cert.empty()) config.http.tls_cert_file = tls_cert;
    if (!tls_key.empty()) config.http.tls_key_file = tls_key;
    if (!web_dir.empty()) config.web_dir = web_dir;
    return RunServe(config);
  }
  if (*simc) {
    std::string host;
    uint16_t port = 0;
    Status s = ParseListen(target, &host, &port);
    if (!s.ok()) return std::fprintf(stderr, "ecohub sim: %s\n", s.message().c_str()), 2;
    sim.host = host;
    sim.port = port;
    sim.faults = faults == "on";
    SimSummary r = RunSimulator(sim);
    std::printf(
        "{\"packets_sent\":%llu,\"packets_acked\":%llu,\"readings_acked\":%llu,\"resends\":%llu,"
        "\"reconnects\":%llu,\"requests_answered\":%llu,\"unacked_left\":%llu}\n",
        (unsigned long long)r.packets_sent, (unsigned long long)r.packets_acked,
        (unsigned long long)r.readings_acked, (unsigned long long)r.resends,
        (unsigned long long)r.reconnects, (unsigned long long)r.requests_answered,
        (unsigned long long)r.unacked_left);
    return r.unacked_left == 0 ? 0 : 3;
  }
  if (*aqi) return RunAqiCli(std::cin, std::cout);
  if (*imp_bj) return ImportBeijingCmd(import_dir, import_dataset, import_from, import_to);
  if (*audit_verify) return AuditVerifyCmd(audit_dir);
  if (*user_add) return UserCmd(ua, false);
  if (*user_reset) return UserCmd(ua, true);
  if (*key_add) return KeyCmd(ua);
  if (*derivec) return DeriveCmd(derive_dir, derive_from, derive_to);
  if (*report_air) return ReportAirCmd(report_dir, report_scope, report_year, report_month);
  if (*water) return RunWaterClassCli(std::cin, std::cout);
  if (*dump) return DbDump(dump_dir);
  if (*put) {
    device.enabled = !disable;
    return DevicePut(device_dir, site_code, device);
  }
  if (*stats) return DbStats(dump_dir);
  if (*demo_devices) {
    for (int i = 0; i < demo_count; ++i) {
      const DemoSite& site = DemoSiteOfDevice(i);
      std::printf("%s,%s,%s,%s\n", DemoMn(i).c_str(), DemoPassword(i).c_str(),
                  site.site.code.c_str(), site.st.c_str());
    }
    return 0;
  }
  if (*decode) return RunHj212Decode(std::cin, std::cout, hex);
  if (*encode) return RunHj212Encode(std::cin, std::cout);
  return 0;
}

}  // namespace ecohub::app

int main(int argc, char** argv) { return ecohub::app::Main(argc, argv); }
