// A self-declaration as the API shows it: declaration_routes.cc, and the enterprise's
// file (enterprise_file_routes.cc).
#pragma once

#include <nlohmann/json.hpp>

#include "declare/declaration.h"

namespace ecohub::api {

nlohmann::ordered_json DeclarationJson(const declare::Declaration& d);

}  // namespace ecohub::api
