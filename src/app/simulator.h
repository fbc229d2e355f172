// Simulator: N simulated HJ 212-2017 data loggers on one thread. Each keeps a TCP
// connection to the gateway and uploads realtime (2011), 10-minute (2051), hourly
// (2061) and daily (2031) data of its demo site with realistic diurnal values,
// resends every packet until its 9014 arrives (same QN, as loggers do), reconnects
// after a disconnect, and answers the host's requests (HJ 212-2017 §6.5.1) with
// 9011, the data where the command has some, and 9012: 1011/1012 time, 1061/1062
// realtime interval, 1063/1064 minute interval (a set interval changes what it
// sends from then on), 3020/3021 parameters, 2031/2051/2061 history.
//
// With faults on it misbehaves as real fleets do: a corrupted CRC now and then,
// split packets (PNUM/PNO), garbage between frames, dropped connections, non-N data
// flags, and one device that goes silent.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ecohub::app {

struct SimOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9212;
  // More gateways (several EcoHub nodes): device i first connects to gateway
  // i mod n of host:port followed by these, and after a lost or refused connection
  // to the next one, as a logger configured with backup servers does.
  std::vector<std::pair<std::string, uint16_t>> more_gateways;
  int devices = 1;
  int first_device = 0;
  double duration_seconds = 60;
  // Realtime upload interval in real seconds. Virtual time advances
  // max(interval, 30) seconds per upload, so a short interval compresses the day.
  double interval_seconds = 30;
  uint64_t seed = 1;
  std::string acked_log;  // append "MN,CN,DataTime,factor,field,value" per acked reading
  bool faults = true;
  double ack_timeout_seconds = 10;  // HJ 212-2017 table 1 default for GPRS
  double drain_seconds = 60;        // after the duration: keep resending this long at most
  // Devices (by index) that answer every command with 9011 QnRtn=2 (refused), and
  // those that answer none (the host times out). History pulls and the time sync
  // are answered as usual.
  std::vector<int> refusing_devices, ignoring_devices;
  // Uploads skipped (the records still exist, for history pulls) between these
  // seconds of the run: a link down for a while, without reconnecting.
  double skip_from_seconds = 0, skip_seconds = 0;
  // Spread the loggers' clocks over an hour of virtual time (logger i runs i ticks
  // behind, modulo an hour's ticks). Real loggers upload realtime data at their own
  // phase, but with compressed time every logger would otherwise cross each 10-minute
  // and hour boundary in the same tick: a burst of interval records from the whole
  // fleet every few real seconds, which a fleet on real time sends once per interval.
  bool stagger = false;
  // Acks in the first seconds of the run (connections opening) are left out of the
  // latency figures.
  double warmup_seconds = 0;
};

struct DemoCity;

struct SimSummary {
  uint64_t packets_sent = 0, packets_acked = 0, resends = 0, reconnects = 0;
  uint64_t readings_acked = 0, unacked_left = 0, requests_answered = 0;
  uint64_t records_skipped = 0, commands_refused = 0, commands_ignored = 0;
  // Send to 9014, as the loggers saw it, of packets acked after the warm-up on their
  // first transmission (nearest rank; milliseconds).
  uint64_t acks_timed = 0;
  double ack_p50_ms = 0, ack_p99_ms = 0, ack_p999_ms = 0, ack_max_ms = 0;
};

// Runs until the duration is over and every packet is acked or the drain time ends.
// Device i reports for site i of `city` (demo_city.h), which must outlive the run.
SimSummary RunSimulator(const SimOptions& options, const DemoCity& city);

}  // namespace ecohub::app
