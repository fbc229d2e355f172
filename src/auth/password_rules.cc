#include "auth/password_rules.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "auth/secrets.h"

namespace ecohub::auth {

namespace {
std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

Status CheckPasswordStrength(std::string_view password, std::string_view username) {
  Status s = CheckPasswordRule(password);
  if (!s.ok()) return s;
  // UTF-8 continuation bytes are 10xxxxxx; every other byte starts a code point.
  size_t chars = std::count_if(password.begin(), password.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
  if (chars < 10) return Status::InvalidInput("password must have at least 10 characters");
  using Class = bool (*)(unsigned char);
  constexpr Class kClasses[] = {
      [](unsigned char c) { return std::islower(c) != 0; },
      [](unsigned char c) { return std::isupper(c) != 0; },
      [](unsigned char c) { return std::isdigit(c) != 0; },
      [](unsigned char c) { return std::isalnum(c) == 0; },  // punctuation, spaces, non-ASCII
  };
  int classes = 0;
  for (Class in_class : kClasses)
    classes += std::any_of(password.begin(), password.end(),
                           [&](char c) { return in_class(static_cast<unsigned char>(c)); });
  if (classes < 3)
    return Status::InvalidInput(
        "password must mix at least three of: lower case, upper case, digits, others");
  if (username.size() >= 3 && AsciiLower(password).find(AsciiLower(username)) != std::string::npos)
    return Status::InvalidInput("password must not contain the username");
  return Status::Ok();
}

}  // namespace ecohub::auth
