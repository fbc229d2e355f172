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

// The GB 11714 check digit of an organisation code's first eight characters.
char OrgCheck(std::string_view first8) {
  int org = 0;
  for (size_t i = 0; i < 8; ++i) org += OrgValue(first8[i]) * kOrgWeights[i];
  int check = 11 - org % 11;
  return check == 10 ? 'X' : check == 11 ? '0' : static_cast<char>('0' + check);
}

// The GB 32100 check character of a code's first seventeen characters (all in
// kAlphabet).
char CodeCheck(std::string_view first17) {
  int sum = 0, weight = 1;
  for (size_t i = 0; i < 17; ++i) {
    sum += static_cast<int>(kAlphabet.find(first17[i])) * weight;
    weight = weight * 3 % 31;
  }
  return kAlphabet[(31 - sum % 31) % 31];
}

}  // namespace

std::string CompleteCreditCode(std::string_view first16) {
  std::string code(first16);
  code += OrgCheck(first16.substr(8, 8));
  code += CodeCheck(code);
  return code;
}

Status CheckCreditCode(std::string_view code) {
  if (code.size() != 18)
    return Status::InvalidInput("a unified social credit code has 18 characters, not " +
                                std::to_string(code.size()));
  for (size_t i = 0; i < 18; ++i)
    if (kAlphabet.find(code[i]) == std::string_view::npos)
      return Status::InvalidInput("character " + std::to_string(i + 1) + " of the credit code ('" +
                                  std::string(1, code[i]) +
                                  "') is not one of 0-9 and A-Y without I, O, S, V");
  char org_expected = OrgCheck(code.substr(8, 8));
  if (code[16] != org_expected)
    return Status::InvalidInput(
        "the organisation code in the credit code (characters 9-17) "
        "fails its check digit: expected " +
        std::string(1, org_expected) + " at 17");
  char expected = CodeCheck(code.substr(0, 17));
  if (code[17] != expected)
    return Status::InvalidInput("the credit code's check character is wrong: expected " +
                                std::string(1, expected));
  return Status::Ok();
}

}  // namespace ecohub::standards
