// GB 32100-2015's check character, and GB 11714's check digit inside it, by hand-worked
// cases (the standard's own example first).
#include "standards/credit_code.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace ecohub::standards {
namespace {

TEST(CreditCode, ValidCodesPass) {
  // 91350100M000100Y43: GB 32100's example. Check character: the 17 values weighted by
  // 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28 sum to 1640 = 52 x 31 + 28; 31 - 28 = 3.
  // Its organisation code M000100Y4: 22x3 + 1x5 + 34x2 = 139, 139 mod 11 = 7, 11 - 7 = 4.
  for (const char* ok : {"91350100M000100Y43", "91110000600037341L", "12100000400000771Y"})
    EXPECT_TRUE(CheckCreditCode(ok).ok()) << ok << ": " << CheckCreditCode(ok).message();
}

TEST(CreditCode, EachRuleRefuses) {
  struct Case {
    const char* code;
    const char* says;
  } cases[] = {
      {"91350100M000100Y4", "18 characters"},
      {"91350100M000100Y433", "18 characters"},
      {"91350100M000100Y44", "expected 3"},        // check character
      {"91350100M000100Y53", "expected 4 at 17"},  // organisation code's check digit
      {"91350100I000100Y43", "character 9"},       // I is not in the alphabet
      {"91350100m000100Y43", "character 9"},       // nor lower case
      {"", "18 characters"},
  };
  for (const auto& c : cases) {
    Status s = CheckCreditCode(c.code);
    EXPECT_EQ(s.code(), Code::kInvalidInput) << c.code;
    EXPECT_NE(s.message().find(c.says), std::string::npos) << c.code << ": " << s.message();
  }
}

TEST(CreditCode, CompletedCodesCarryBothChecks) {
  EXPECT_EQ(CompleteCreditCode("91350100M000100Y"), "91350100M000100Y43");
  for (int i = 0; i < 500; ++i) {
    char first16[17];
    std::snprintf(first16, sizeof first16, "91610400%08d", i * 7919);
    std::string code = CompleteCreditCode(first16);
    EXPECT_TRUE(CheckCreditCode(code).ok()) << code;
  }
}

}  // namespace
}  // namespace ecohub::standards
