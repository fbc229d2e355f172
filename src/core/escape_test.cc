#include "core/escape.h"

#include <gtest/gtest.h>

namespace ecohub {
namespace {

TEST(EscapeForLogTest, Table) {
  struct Case {
    std::string in;
    size_t max;
    std::string want;
  } cases[] = {
      {"ST=22;CN=2011", 160, "ST=22;CN=2011"},
      {"a\r\nb", 160, "a\\x0d\\x0ab"},
      {"back\\slash", 160, "back\\x5cslash"},
      {std::string("\x00\xff", 2), 160, "\\x00\\xff"},
      {"\xe5\x8c\x97", 160, "\\xe5\\x8c\\x97"},  // UTF-8 is escaped byte by byte
      {"abcdef", 3, "abc..."},
      {"abc", 3, "abc"},
      {"", 160, ""},
  };
  for (const auto& c : cases) EXPECT_EQ(EscapeForLog(c.in, c.max), c.want) << c.in;
}

}  // namespace
}  // namespace ecohub
