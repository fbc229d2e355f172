// TableRows: one table's rows as text, for copying a module's store into a store of
// another kind (`ecohub db migrate`, SQLite into PostgreSQL) without a copy method
// per row type. Values are the source's text form: integers in decimal, booleans as
// 0/1, NULL as nullopt.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ecohub {

struct TableRows {
  std::string table;
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // each as long as columns
};

}  // namespace ecohub
