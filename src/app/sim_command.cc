// `ecohub sim`: simulated HJ 212 data loggers against a gateway (simulator.h). Prints
// one JSON summary; exits 3 when packets were left unacknowledged.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/config.h"
#include "app/demo_city.h"
#include "app/simulator.h"

namespace ecohub::app {
namespace {

struct SimArgs {
  SimOptions sim;
  std::string target, faults = "on", city = "beijing";
};

int RunSimCommand(SimArgs& a) {
  // HOST:PORT[,HOST:PORT...]: the first, then the others of several nodes.
  std::vector<std::string> targets;
  for (size_t at = 0; at <= a.target.size();) {
    size_t comma = std::min(a.target.find(',', at), a.target.size());
    targets.push_back(a.target.substr(at, comma - at));
    at = comma + 1;
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    std::string host;
    uint16_t port = 0;
    Status s = ParseListen(targets[i], &host, &port);
    if (!s.ok()) return std::fprintf(stderr, "ecohub sim: %s\n", s.message().c_str()), 2;
    if (i == 0)
      a.sim.host = host, a.sim.port = port;
    else
      a.sim.more_gateways.emplace_back(host, port);
  }
  a.sim.faults = a.faults == "on";
  auto city = LoadDemoCity(a.city);
  if (!city.ok())
    return std::fprintf(stderr, "ecohub sim: %s\n", city.status().message().c_str()), 2;
  SimSummary r = RunSimulator(a.sim, *city);
  std::printf(
      "{\"packets_sent\":%llu,\"packets_acked\":%llu,\"readings_acked\":%llu,\"resends\":%llu,"
      "\"reconnects\":%llu,\"requests_answered\":%llu,\"unacked_left\":%llu,"
      "\"records_skipped\":%llu,\"commands_refused\":%llu,\"commands_ignored\":%llu,"
      "\"acks_timed\":%llu,\"ack_p50_ms\":%.3f,\"ack_p99_ms\":%.3f,\"ack_p999_ms\":%.3f,"
      "\"ack_max_ms\":%.3f}\n",
      (unsigned long long)r.packets_sent, (unsigned long long)r.packets_acked,
      (unsigned long long)r.readings_acked, (unsigned long long)r.resends,
      (unsigned long long)r.reconnects, (unsigned long long)r.requests_answered,
      (unsigned long long)r.unacked_left, (unsigned long long)r.records_skipped,
      (unsigned long long)r.commands_refused, (unsigned long long)r.commands_ignored,
      (unsigned long long)r.acks_timed, r.ack_p50_ms, r.ack_p99_ms, r.ack_p999_ms, r.ack_max_ms);
  return r.unacked_left == 0 ? 0 : 3;
}

}  // namespace

void AddSimCommand(CLI::App& app) {
  auto a = std::make_shared<SimArgs>();
  SimOptions& sim = a->sim;
  auto* cmd = app.add_subcommand("sim", "Simulated HJ 212 data loggers");
  cmd->add_option(
         "--target", a->target,
         "Gateway HOST:PORT; several, comma-separated, for several nodes (device i "
         "starts on the i-th modulo their number and moves on when its connection is lost)")
      ->required();
  cmd->add_option("--devices", sim.devices, "Number of loggers")
      ->required()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--duration", sim.duration_seconds, "Seconds of uploading")
      ->required()
      ->check(CLI::Range(0.0, 1e7));
  cmd->add_option("--interval", sim.interval_seconds, "Realtime upload interval, seconds")
      ->check(CLI::Range(0.001, 3600.0));
  cmd->add_option("--seed", sim.seed, "Random seed");
  cmd->add_option("--acked-log", sim.acked_log, "Append one line per acknowledged reading");
  cmd->add_option("--first-device", sim.first_device, "Index of the first device");
  cmd->add_option("--ack-timeout", sim.ack_timeout_seconds, "Seconds before a resend");
  cmd->add_option("--drain", sim.drain_seconds, "Seconds to wait for late acks at the end");
  cmd->add_option("--demo-city", a->city,
                  "The demo city whose sites the loggers report for (as serve --demo-city)");
  cmd->add_option("--refuse-commands", sim.refusing_devices,
                  "Indexes of devices that refuse every command (9011 QnRtn=2)")
      ->delimiter(',');
  cmd->add_option("--ignore-commands", sim.ignoring_devices,
                  "Indexes of devices that answer no command")
      ->delimiter(',');
  cmd->add_option("--skip-from", sim.skip_from_seconds,
                  "Seconds into the run when uploads stop for --skip seconds");
  cmd->add_option("--skip", sim.skip_seconds,
                  "Seconds of uploads skipped (the records stay for history pulls)");
  cmd->add_flag("--stagger", sim.stagger,
                "Spread the loggers' clocks over an hour of virtual time, so that with a short "
                "--interval the whole fleet does not send its 10-minute and hourly records in "
                "the same instant");
  cmd->add_option("--warmup", sim.warmup_seconds,
                  "Seconds at the start whose acks are left out of the latency figures")
      ->check(CLI::Range(0.0, 1e7));
  cmd->add_option("--faults", a->faults, "on or off")->check(CLI::IsMember({"on", "off"}));
  cmd->callback([a] { ExitWith(RunSimCommand(*a)); });
}

}  // namespace ecohub::app
