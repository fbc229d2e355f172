// `ecohub city init`: sets up the city a deployment serves from its name, its
// GB/T 2260 code and, optionally, a GeoJSON file of its districts' boundaries
// (docs/city-setup.md). Idempotent; a bad file changes nothing.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "api/registry_import.h"
#include "api/site_directory.h"
#include "app/city_setup.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "core/file.h"

namespace ecohub::app {

namespace {

struct CityArgs {
  std::string data_dir, name, code, districts;
};

int CityInitCommand(const CityArgs& a) {
  const char* what = "city init";
  std::string geojson;
  if (!a.districts.empty()) {
    auto bytes = ReadFileBytes(a.districts);
    if (!bytes.ok())
      return std::fprintf(stderr, "ecohub %s: %s\n", what, bytes.status().message().c_str()), 2;
    geojson = std::move(*bytes);
  }
  auto store = OpenStore(what, a.data_dir, /*read_only=*/false);
  if (!store) return 1;
  auto done = InitCity(*store, a.name, a.code, geojson);
  if (!done.ok()) {
    bool bad_file = done.status().code() == Code::kInvalidInput;
    std::fprintf(stderr, "ecohub %s: %s%s%s\n", what, bad_file ? a.districts.c_str() : "",
                 bad_file && !a.districts.empty() ? ": " : "", done.status().message().c_str());
    return bad_file ? 2 : 1;
  }
  const registry::City& c = done->setup.city;
  std::printf("city %s (%s): %zu districts from the file (%d new, %d updated)", c.name.c_str(),
              c.code.c_str(), done->districts_in_file, done->setup.created, done->setup.updated);
  if (c.west != c.east)
    std::printf("; extent %.3f,%.3f - %.3f,%.3f", c.west, c.south, c.east, c.north);
  std::printf("\n");
  return 0;
}

struct ImportArgs {
  std::string data_dir, kind, file;
  bool dry_run = false;
};

// `ecohub registry import`: the rows checked as the API checks them, for the system
// administrator ("cli" in the audit log); 0 stored (or all valid with --dry-run), 1
// a bad row (the report on stderr, nothing stored), 2 an unreadable file.
int RegistryImport(const ImportArgs& a) {
  const char* what = "registry import";
  auto bytes = ReadFileBytes(a.file);
  if (!bytes.ok())
    return std::fprintf(stderr, "ecohub %s: %s\n", what, bytes.status().message().c_str()), 2;
  auto store = OpenStore(what, a.data_dir, /*read_only=*/false);
  if (!store) return 1;
  api::ApiContext ctx;
  ctx.store = store.get();
  ctx.sites = std::make_shared<api::SiteDirectory>(store.get());
  auth::Principal cli;
  cli.role = auth::Role::kAdmin;
  cli.name = "cli";
  auto report = api::ImportRegistry(ctx, cli, a.kind, *bytes, a.dry_run, [](size_t done, size_t n) {
    Progress("checking rows", static_cast<int>(done), static_cast<int>(n));
  });
  if (!report.ok()) {
    bool bad_file = report.status().code() == Code::kInvalidInput;
    std::fprintf(stderr, "ecohub %s: %s: %s\n", what, a.file.c_str(),
                 report.status().message().c_str());
    return bad_file ? 2 : 1;
  }
  const api::ImportReport& r = *report;
  for (const api::ImportError& e : r.errors)
    std::fprintf(stderr, "row %d%s%s: %s\n", e.row, e.column.empty() ? "" : ", column ",
                 e.column.c_str(), e.reason.c_str());
  std::printf("%s %s: %d rows, %d new, %d updated, %d unchanged, %zu bad; %s\n", r.kind.c_str(),
              r.format.c_str(), r.rows, r.created, r.updated, r.unchanged, r.errors.size(),
              r.committed && r.created + r.updated > 0 ? "stored"
              : r.committed                            ? "nothing to change"
              : r.errors.empty()                       ? "checked, nothing stored (--dry-run)"
                                                       : "nothing stored");
  return r.errors.empty() ? 0 : 1;
}

}  // namespace

void AddRegistryCommand(CLI::App& app) {
  auto a = std::make_shared<ImportArgs>();
  auto* reg = AddGroup(app, "registry", "The registry: enterprises, sites and devices");
  auto* imp = reg->add_subcommand(
      "import",
      "Register enterprises, sites or devices from a CSV or XLSX file (the console's "
      "templates): every row checked first, stored all or none; running it again changes "
      "nothing");
  AddDataOption(imp, a->data_dir);
  imp->add_option("--kind", a->kind, "enterprises, sites or devices")
      ->required()
      ->check(CLI::IsMember({"enterprises", "sites", "devices"}));
  imp->add_option("--file", a->file, "The CSV (UTF-8) or XLSX file")->required();
  imp->add_flag("--dry-run", a->dry_run, "Check every row and store nothing");
  imp->callback([a] { ExitWith(RegistryImport(*a)); });
}

void AddCityCommand(CLI::App& app) {
  auto a = std::make_shared<CityArgs>();
  auto* cityc = AddGroup(app, "city", "The city this deployment serves");
  auto* init = cityc->add_subcommand(
      "init",
      "Set the city's name and code and create or update its districts from a GeoJSON "
      "file (one feature per district; running it again updates)");
  AddDataOption(init, a->data_dir);
  init->add_option("--name", a->name, "The city's name, e.g. 咸阳市")->required();
  init->add_option("--code", a->code, "Its six-digit GB/T 2260 code, e.g. 610400")->required();
  init->add_option("--districts", a->districts,
                   "GeoJSON FeatureCollection of the districts: properties.name, "
                   "properties.adcode or .code, Polygon or MultiPolygon in lon/lat degrees");
  init->callback([a] { ExitWith(CityInitCommand(*a)); });
}

}  // namespace ecohub::app
