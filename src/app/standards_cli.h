// `ecohub aqi` and `ecohub water-class`: the standards on stdin/stdout, one JSON
// object per line in and one per line out (a stable contract: outside checks use it).
#pragma once

#include <functional>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

namespace ecohub::app {

// {"edition","mode","conc":{indicator: number|null|"/"},"round_inputs","o3_8h_in_hourly"}
// -> {"aqi","level","category","primary","iaqi","published","color",...}. A line that
// cannot be read prints {"error":"..."} (and a message on stderr); the exit code is
// then 1. Blank lines are skipped.
int RunAqiCli(std::istream& in, std::ostream& out);

// {"site_type":"river"|"lake","values":{item: number},"items":[...]}
// -> {"class","exceeding","exceed_multiple","item_class",...}. Errors as RunAqiCli.
int RunWaterClassCli(std::istream& in, std::ostream& out);

// The loop both share: calls `one` for each non-blank line parsed as JSON; `one`
// fills the answer or returns an error message. Prints the answer, or
// {"error":"..."} (and "ecohub <name>: line N: ..." on stderr). Returns 0, or 1 when
// any line failed.
int RunJsonLines(
    std::istream& in, std::ostream& out, const char* name,
    const std::function<std::string(const nlohmann::json&, nlohmann::ordered_json*)>& one);

}  // namespace ecohub::app
