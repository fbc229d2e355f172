// `ecohub serve`: wires the store, writer, latest cache, gateway and HTTP server
// together and runs until SIGINT/SIGTERM. The only place that names SqliteStore.
#pragma once

#include "app/config.h"

namespace ecohub::app {

// Returns the process exit code.
int RunServe(const ServeConfig& config);

}  // namespace ecohub::app
