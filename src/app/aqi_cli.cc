#include "app/standards_cli.h"

namespace ecohub::app {

int RunAqiCli(std::istream&, std::ostream&) { return 2; }

}  // namespace ecohub::app
