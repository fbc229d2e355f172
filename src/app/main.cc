// ecohub: one executable, one subcommand per job. Each subcommand adds itself to the
// command line (commands.h); main only sets up logging and parses.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <string>

#include "app/commands.h"

int main(int argc, char** argv) {
  using namespace ecohub::app;
  // Files and directories EcoHub creates (database, WAL, keys, anchors, exports) are
  // its own: 0600 and 0700 whatever the shell's umask (等保 2.0: access control).
  umask(077);
  CLI::App app{"EcoHub: the ecological-environment data platform"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error");
  // After parsing, before the chosen subcommand runs.
  app.parse_complete_callback([&log_level] {
    spdlog::set_default_logger(spdlog::stderr_color_mt("ecohub"));
    spdlog::set_level(spdlog::level::from_str(log_level));
  });
  AddServeCommand(app);
  AddSimCommand(app);
  AddDbCommand(app);
  AddCityCommand(app);
  AddRegistryCommand(app);
  AddDeviceCommand(app);
  AddDemoCommand(app);
  AddHj212Command(app);
  AddAqiCommand(app);
  AddWaterCommand(app);
  AddNoiseCommand(app);
  AddImportCommand(app);
  AddImportReadings(app);
  AddImportSamples(app);
  AddUserCommand(app);
  AddKeyCommand(app);
  AddAuditCommand(app);
  AddKeysCommand(app);
  AddDeriveCommand(app);
  AddReportCommand(app);
  AddBackupCommand(app);
  AddMqttCommand(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
