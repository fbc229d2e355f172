// The subcommands of `ecohub`. Each Add*Command adds one subcommand (with its own
// subcommands, options and help) to the program's command line and sets what it
// runs; main calls them in the order `ecohub --help` lists them, then parses.
//
// A subcommand's command line, output and exit codes are a stable contract (outside
// checks call them): 0 success, 1 failure, 2 a usage error found after parsing
// (CLI11 reports its own with 105-109), and what each help text says beyond that.
// A subcommand ends with a nonzero code through ExitWith.
#pragma once

namespace CLI {
class App;
}

namespace ecohub::app {

void AddServeCommand(CLI::App& app);     // serve.cc
void AddSimCommand(CLI::App& app);       // sim_command.cc
void AddDbCommand(CLI::App& app);        // db_command.cc: dump, stats; db_migrate.cc
void AddDbMigrate(CLI::App* db);         // db_migrate.cc: migrate (SQLite -> PostgreSQL)
void AddCityCommand(CLI::App& app);      // city_command.cc: init
void AddRegistryCommand(CLI::App& app);  // city_command.cc: import
void AddDeviceCommand(CLI::App& app);    // admin_commands.cc: put
void AddDemoCommand(CLI::App& app);      // demo_city.cc: devices
void AddHj212Command(CLI::App& app);     // hj212_cli.cc: decode, encode
void AddAqiCommand(CLI::App& app);       // aqi_cli.cc
void AddWaterCommand(CLI::App& app);     // water_cli.cc: water-class
void AddNoiseCommand(CLI::App& app);     // noise_cli.cc: noise
void AddImportCommand(CLI::App& app);    // import_beijing.cc: beijing
void AddImportReadings(CLI::App& app);   // import_readings.cc: import readings
void AddImportSamples(CLI::App& app);    // import_samples.cc: import samples (手工监测)
void AddUserCommand(CLI::App& app);      // admin_commands.cc: add, reset-password
void AddKeyCommand(CLI::App& app);       // admin_commands.cc: add
void AddAuditCommand(CLI::App& app);     // admin_commands.cc: verify
void AddKeysCommand(CLI::App& app);      // admin_commands.cc: rotate
void AddDeriveCommand(CLI::App& app);    // derive_commands.cc
void AddReportCommand(CLI::App& app);    // derive_commands.cc: air
void AddBackupCommand(CLI::App& app);    // backup_command.cc: backup, restore
void AddMqttCommand(CLI::App& app);      // mqtt_command.cc: broker-files

// Ends the running subcommand's callback with `exit_code` as the process's exit
// code (nothing more is printed); returns normally for 0. CLI11 carries the code
// out of App::parse as a CLI::RuntimeError, which CLI11_PARSE turns into the code.
void ExitWith(int exit_code);

}  // namespace ecohub::app
