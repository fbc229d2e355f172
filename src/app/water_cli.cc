#include "app/standards_cli.h"

namespace ecohub::app {

// Placeholder until GB 3838 lands (issue 3).
int RunWaterClassCli(std::istream&, std::ostream&) { return 2; }

}  // namespace ecohub::app
