// `ecohub aqi` and `ecohub water-class`: the standards on stdin/stdout, one JSON
// object per line in and one per line out (a stable contract: outside checks use it).
#pragma once

#include <istream>
#include <ostream>

namespace ecohub::app {

// {"edition","mode","conc":{indicator: number|null|"/"},"round_inputs","o3_8h_in_hourly"}
// -> {"aqi","level","category","primary","iaqi","published","color",...}. A line that
// cannot be read prints {"error":"..."} (and a message on stderr); the exit code is
// then 1. Blank lines are skipped.
int RunAqiCli(std::istream& in, std::ostream& out);

// {"site_type":"river"|"lake","values":{item: number},"items":[...]}
// -> {"class","exceeding","exceed_multiple","item_class",...}. Errors as RunAqiCli.
int RunWaterClassCli(std::istream& in, std::ostream& out);

}  // namespace ecohub::app
