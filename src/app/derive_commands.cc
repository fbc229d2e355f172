// `ecohub derive` and `ecohub report air`: derived values from the command line.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "app/cli_support.h"
#include "app/commands.h"
#include "derive/annual.h"
#include "permit/sqlite_permit_store.h"

namespace ecohub::app {
namespace {

// Recomputes every derived value of [from, to) (Beijing days): after restoring a
// backup, after an outage longer than serve's two-day start-up window, or after a
// change of rules. Safe while serve runs (rows are upserts).
int DeriveCmd(const std::string& data_dir, const std::string& from_text,
              const std::string& to_text) {
  auto from = ParseBeijingDay(from_text), to = ParseBeijingDay(to_text);
  if (!from || !to || *from >= *to) {
    std::fprintf(stderr, "ecohub derive: --from and --to are YYYYMMDD (Beijing), from < to\n");
    return 2;
  }
  auto opened = OpenStore("derive", data_dir, /*read_only=*/false);
  if (!opened) return 1;
  if (!AuditCli(*opened, "derive", "derived:all", {{"from", from_text}, {"to", to_text}})) return 1;
  auto permits = OpenPermitStore(StoreUrl(), data_dir);
  if (!permits.ok()) {
    std::fprintf(stderr, "ecohub derive: %s\n", permits.status().ToString().c_str());
    return 1;
  }
  auto r = Rederive(*opened, *from, *to, permits->get());
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

int ReportAirCmd(const std::string& data_dir, const std::string& scope, int year, int month) {
  auto opened = OpenStore("report", data_dir, /*read_only=*/true);
  if (!opened) return 1;
  auto [from, to] = month ? derive::BeijingMonth(year, month) : derive::BeijingYear(year);
  auto r = derive::PeriodReport(*opened, scope, from, to, month == 0);
  if (!r.ok()) {
    std::fprintf(stderr, "ecohub report: %s\n", r.status().ToString().c_str());
    return 1;
  }
  // Fewer daily values than days: said on stderr too, where a person running the
  // command sees it (the JSON's "warnings" carry the same sentences).
  for (const auto& w : (*r)["warnings"])
    std::fprintf(stderr, "ecohub report: warning: %s\n", w.get<std::string>().c_str());
  std::printf("%s\n", r->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return 0;
}

}  // namespace

void AddDeriveCommand(CLI::App& app) {
  struct Args {
    std::string data_dir, from, to;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "derive", "Recompute AQI, water classes, exceedances and quality rates for a period");
  AddDataOption(cmd, a->data_dir);
  cmd->add_option("--from", a->from, "First day, YYYYMMDD (Beijing)")->required();
  cmd->add_option("--to", a->to, "Day after the last one, YYYYMMDD (Beijing)")->required();
  cmd->callback([a] { ExitWith(DeriveCmd(a->data_dir, a->from, a->to)); });
}

void AddReportCommand(CLI::App& app) {
  struct Args {
    std::string data_dir, scope = "city";
    int year = 0, month = 0;
  };
  auto a = std::make_shared<Args>();
  auto* report = AddGroup(app, "report", "Period reports from derived values");
  auto* air = report->add_subcommand(
      "air", "Excellent-and-good day ratio, days per level, HJ 663 statistics, composite index");
  AddDataOption(air, a->data_dir);
  air->add_option("--scope", a->scope, "city, district:<code> or site:<code>");
  air->add_option("--year", a->year, "Calendar year (Beijing)")->required();
  air->add_option("--month", a->month, "Month 1-12 (default: the whole year)")
      ->check(CLI::Range(0, 12));
  air->callback([a] { ExitWith(ReportAirCmd(a->data_dir, a->scope, a->year, a->month)); });
}

}  // namespace ecohub::app
