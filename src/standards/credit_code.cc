#include "standards/credit_code.h"

#include <string>

namespace ecohub::standards {

namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";  // GB 32100 table 2

// GB 11714: digits 0-9, letters A-Z as 10-35; weights of the first eight characters.
int OrgValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}
constexpr int kOrgWeights[8] = {3, 7, 9, 10, 5, 8, 4, 2};

}  // namespace

Status CheckCreditCode(std::string_view code) {
  if (code.size() != 18)
    return Status::InvalidInput("a unified social credit code has 18 characters, not " +
                                std::to_string(code.size()));
  int sum = 0, weight = 1;
  for (size_t i = 0; i < 18; ++i) {
    size_t v = kAlphabet.find(code[i]);
    if (v == std::string_view::npos)
      return Status::InvalidInput("character " + std::to_string(i + 1) + " of the credit code ('" +
                                  std::string(1, code[i]) +
                                  "') is not one of 0-9 and A-Y without I, O, S, V");
    if (i < 17) {
      sum += static_cast<int>(v) * weight;
      weight = weight * 3 % 31;
    }
  }
  int org = 0;
  for (size_t i = 0; i < 8; ++i) org += OrgValue(code[8 + i]) * kOrgWeights[i];
  int org_check = 11 - org % 11;
  char org_expected = org_check == 10   ? 'X'
                      : org_check == 11 ? '0'
                                        : static_cast<char>('0' + org_check);
  if (code[16] != org_expected)
    return Status::InvalidInput(
        "the organisation code in the credit code (characters 9-17) "
        "fails its check digit: expected " +
        std::string(1, org_expected) + " at 17");
  char expected = kAlphabet[(31 - sum % 31) % 31];
  if (code[17] != expected)
    return Status::InvalidInput("the credit code's check character is wrong: expected " +
                                std::string(1, expected));
  return Status::Ok();
}

}  // namespace ecohub::standards
