// TOTP against the RFC vectors (RFC 6238 Appendix B, RFC 4226 Appendix D, RFC 4648
// §10), then what the verifier refuses: steps outside the window, a step already
// used, codes of the wrong shape. Times are plain numbers; nothing sleeps.
#include "auth/totp.h"

#include <gtest/gtest.h>

#include <limits>
#include <set>

namespace ecohub::auth {
namespace {

// The RFC 4226 / RFC 6238 test key (the SHA-1 one), as raw bytes.
constexpr std::string_view kRfcKey = "12345678901234567890";

TEST(Totp, Rfc6238AppendixBSha1Vectors) {
  struct Case {
    int64_t t;
    const char* code;
  };
  const Case cases[] = {{59, "94287082"},         {1111111109, "07081804"},
                        {1111111111, "14050471"}, {1234567890, "89005924"},
                        {2000000000, "69279037"}, {20000000000, "65353130"}};
  const TotpParams eight{.digits = 8, .step_seconds = 30};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.t);
    EXPECT_EQ(TotpCode(kRfcKey, c.t, eight), c.code);
    EXPECT_EQ(VerifyTotp(kRfcKey, c.code, c.t, -1, 0, eight), c.t / 30);
  }
}

// HOTP is TOTP with a one-second step at t = counter.
TEST(Totp, Rfc4226AppendixDHotpVectors) {
  const char* codes[] = {"755224", "287082", "359152", "969429", "338314",
                         "254676", "287922", "162583", "399871", "520489"};
  for (int64_t counter = 0; counter < 10; ++counter)
    EXPECT_EQ(TotpCode(kRfcKey, counter, {.digits = 6, .step_seconds = 1}), codes[counter])
        << counter;
}

TEST(Totp, SixDigitsAreTheLowDigitsOfTheSameValue) {
  // RFC 6238 vectors truncated to 6 digits: the same 31-bit value mod 10^6.
  EXPECT_EQ(TotpCode(kRfcKey, 59), "287082");
  EXPECT_EQ(TotpCode(kRfcKey, 1111111109), "081804");
}

TEST(Totp, Rfc4648Section10Base32Vectors) {
  struct Case {
    std::string_view bytes, padded, unpadded;
  };
  const Case cases[] = {{"", "", ""},
                        {"f", "MY======", "MY"},
                        {"fo", "MZXQ====", "MZXQ"},
                        {"foo", "MZXW6===", "MZXW6"},
                        {"foob", "MZXW6YQ=", "MZXW6YQ"},
                        {"fooba", "MZXW6YTB", "MZXW6YTB"},
                        {"foobar", "MZXW6YTBOI======", "MZXW6YTBOI"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.bytes));
    EXPECT_EQ(Base32Encode(c.bytes), c.unpadded);
    EXPECT_EQ(Base32Decode(c.padded), std::string(c.bytes));
    EXPECT_EQ(Base32Decode(c.unpadded), std::string(c.bytes));
  }
}

TEST(Totp, Base32DecodeAcceptsLowerCaseSpacesAndPadding) {
  const char* inputs[] = {"mzxw6ytboi",         "MzXw6YtBoI======", "mzxw 6ytb oi",
                          " MZXW 6YTB OI== ==", "MZXW6YTBOI=",      "MZXW6YTBOI   "};
  for (const char* in : inputs) EXPECT_EQ(Base32Decode(in), "foobar") << in;
  EXPECT_EQ(Base32Decode("   "), "");
  EXPECT_EQ(Base32Decode("===="), "");
}

TEST(Totp, Base32DecodeRefusesAnythingElse) {
  const char* inputs[] = {
      "MZXW1",  // '1' is not in the alphabet (nor '0', '8', '9')
      "MZ0XQ",
      "MZXW8",
      "MZXW9",
      "MZ-XQ",  // grouping with hyphens is not accepted, only spaces
      "MZ\tXQ",
      "MZXQ\n",
      "MZXQ.",
      "MZ=XQ",    // padding in the middle
      "MZXQ==M",  // a letter after padding
      "M",        // 1, 3 or 6 letters past a group of 8 end no byte: truncated
      "MZX",
      "MZXW6Y",
      "MZXW6YTBM",
      "\xe7\x94\x9f",  // UTF-8 生
  };
  for (const char* in : inputs) EXPECT_EQ(Base32Decode(in), std::nullopt) << in;
}

TEST(Totp, Base32RoundTripsAnyLengthAndEveryByte) {
  // Lengths 0..40 cover every way a byte string ends inside a group of 5 bytes.
  std::string bytes;
  for (int i = 0; i <= 40; ++i, bytes += static_cast<char>(255 - i * 6))
    EXPECT_EQ(Base32Decode(Base32Encode(bytes)), bytes) << i;
  std::string every;
  for (int b = 0; b < 256; ++b) every += static_cast<char>(b);
  EXPECT_EQ(Base32Decode(Base32Encode(every)), every);
}

// t is the middle of step 1000; codes of steps 998..1002 against windows 0 and 1.
TEST(Totp, WindowAcceptsNeighbourStepsOnly) {
  const int64_t t = 1000 * 30 + 15;
  struct Case {
    int64_t step;
    int window;
    bool accepted;
  };
  const Case cases[] = {{1000, 0, true}, {999, 0, false},  {1001, 0, false}, {999, 1, true},
                        {1001, 1, true}, {998, 1, false},  {1002, 1, false}, {998, 2, true},
                        {1002, 2, true}, {1000, -3, true}, {999, -3, false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << "step " << c.step << " window " << c.window);
    std::string code = TotpCode(kRfcKey, c.step * 30);
    std::optional<int64_t> got = VerifyTotp(kRfcKey, code, t, -1, c.window);
    if (c.accepted) {
      EXPECT_EQ(got, c.step);
    } else {
      EXPECT_EQ(got, std::nullopt);
    }
  }
}

TEST(Totp, WindowEdgesFollowStepBoundaries) {
  // 59 is the last second of step 1, 60 the first of step 2.
  std::string step1 = TotpCode(kRfcKey, 30);
  EXPECT_EQ(VerifyTotp(kRfcKey, step1, 59, -1, 0), 1);
  EXPECT_EQ(VerifyTotp(kRfcKey, step1, 60, -1, 0), std::nullopt);
  EXPECT_EQ(VerifyTotp(kRfcKey, step1, 60, -1, 1), 1);
  EXPECT_EQ(VerifyTotp(kRfcKey, step1, 89, -1, 1), 1);
  EXPECT_EQ(VerifyTotp(kRfcKey, step1, 90, -1, 1), std::nullopt);
  // The last representable time: the window ends at step 2^63 - 1 without overflow.
  const int64_t max = std::numeric_limits<int64_t>::max();
  const TotpParams second{.step_seconds = 1};
  EXPECT_EQ(VerifyTotp(kRfcKey, TotpCode(kRfcKey, max, second), max, -1, 1, second), max);
  EXPECT_EQ(VerifyTotp(kRfcKey, TotpCode(kRfcKey, max - 1, second), max, -1, 1, second), max - 1);
  // No step before 0: the window at t = 0 holds steps 0 and 1 only.
  EXPECT_EQ(VerifyTotp(kRfcKey, TotpCode(kRfcKey, 0), 0, -1, 1), 0);
  EXPECT_EQ(VerifyTotp(kRfcKey, TotpCode(kRfcKey, 30), 0, -1, 1), 1);
}

TEST(Totp, ACodeIsGoodOnce) {
  const int64_t t = 1111111111;
  const int64_t now = t / 30;
  std::string code = TotpCode(kRfcKey, t);
  ASSERT_EQ(VerifyTotp(kRfcKey, code, t, -1), now);
  // The same code again, at once or a few seconds later in the same window.
  EXPECT_EQ(VerifyTotp(kRfcKey, code, t, now), std::nullopt);
  EXPECT_EQ(VerifyTotp(kRfcKey, code, t + 29, now), std::nullopt);
  // An older code still inside the window is refused too: steps only move forward.
  EXPECT_EQ(VerifyTotp(kRfcKey, TotpCode(kRfcKey, t - 30), t, now), std::nullopt);
  // The next step's code is fine, and then used up in turn.
  std::string next = TotpCode(kRfcKey, t + 30);
  EXPECT_EQ(VerifyTotp(kRfcKey, next, t + 30, now), now + 1);
  EXPECT_EQ(VerifyTotp(kRfcKey, next, t + 30, now + 1), std::nullopt);
}

// Steps 910737 and 910738 of the RFC key share the 6-digit code 911617 (found by
// a search with Python's hmac module): the earlier unused step is the one matched.
TEST(Totp, WhenTwoStepsShareACodeTheEarlierUnusedOneMatches) {
  const int64_t t = 910738 * 30;
  ASSERT_EQ(TotpCode(kRfcKey, t - 30), "911617");
  ASSERT_EQ(TotpCode(kRfcKey, t), "911617");
  EXPECT_EQ(VerifyTotp(kRfcKey, "911617", t, -1), 910737);
  EXPECT_EQ(VerifyTotp(kRfcKey, "911617", t, 910737), 910738);
  EXPECT_EQ(VerifyTotp(kRfcKey, "911617", t, 910738), std::nullopt);
}

TEST(Totp, CodesOfTheWrongShapeAreRefused) {
  const int64_t t = 1234567890;
  std::string code = TotpCode(kRfcKey, t);  // "005924": leading zeros matter
  ASSERT_EQ(code, "005924");
  ASSERT_TRUE(VerifyTotp(kRfcKey, code, t, -1).has_value());
  const std::string inputs[] = {
      "",        "5924",         "05924",
      "0005924", "005924 ",      " 005924",
      "00 5924", "00592a",       "+05924",
      "-05924",  "００５９２４",  // full-width
      "0x5924",  code + "0",     std::string("00592\0", 6),
  };
  for (const std::string& in : inputs)
    EXPECT_EQ(VerifyTotp(kRfcKey, in, t, -1), std::nullopt) << in;
  // An 8-digit code under 6-digit parameters, and the reverse.
  const TotpParams eight{.digits = 8};
  EXPECT_EQ(VerifyTotp(kRfcKey, TotpCode(kRfcKey, t, eight), t, -1), std::nullopt);
  EXPECT_EQ(VerifyTotp(kRfcKey, code, t, -1, 1, eight), std::nullopt);
}

TEST(Totp, AnotherKeysCodeIsRefused) {
  const int64_t t = 1234567890;
  EXPECT_EQ(VerifyTotp("another key of 20 by", TotpCode(kRfcKey, t), t, -1), std::nullopt);
}

TEST(Totp, InvalidParametersGiveNoCode) {
  const TotpParams bad[] = {
      {.digits = 5}, {.digits = 9}, {.step_seconds = 0}, {.step_seconds = -30}};
  for (const TotpParams& p : bad) {
    SCOPED_TRACE(testing::Message() << p.digits << "/" << p.step_seconds);
    EXPECT_EQ(TotpCode(kRfcKey, 59, p), "");
    EXPECT_EQ(VerifyTotp(kRfcKey, std::string(p.digits > 0 ? p.digits : 6, '0'), 59, -1, 1, p),
              std::nullopt);
  }
  EXPECT_EQ(TotpCode(kRfcKey, -1), "");
  EXPECT_EQ(VerifyTotp(kRfcKey, "000000", -1, -1), std::nullopt);
}

TEST(Totp, OtpauthUriEscapesIssuerAndAccount) {
  EXPECT_EQ(OtpauthUri("生态环境局", "zhang.san@example.cn", kRfcKey),
            "otpauth://totp/%E7%94%9F%E6%80%81%E7%8E%AF%E5%A2%83%E5%B1%80:zhang.san%40example.cn"
            "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=%E7%94%9F%E6%80%81%E7%8E%AF%E5%A2%83%E5%B1%80"
            "&algorithm=SHA1&digits=6&period=30");
  // ':' would split the label, '&' and '=' the query, ' ' the URI itself.
  EXPECT_EQ(
      OtpauthUri("Eco Hub:A&B", "a=b c~d_09-x.y", "foobar", {.digits = 8, .step_seconds = 60}),
      "otpauth://totp/Eco%20Hub%3AA%26B:a%3Db%20c~d_09-x.y?secret=MZXW6YTBOI"
      "&issuer=Eco%20Hub%3AA%26B&algorithm=SHA1&digits=8&period=60");
  EXPECT_EQ(OtpauthUri("", "admin", "foobar"),
            "otpauth://totp/admin?secret=MZXW6YTBOI&algorithm=SHA1&digits=6&period=30");
}

TEST(Totp, NewKeysAreTwentyFreshBytes) {
  std::set<std::string> keys;
  for (int i = 0; i < 8; ++i) {
    std::string key = NewTotpKey();
    ASSERT_EQ(key.size(), 20u);
    keys.insert(key);
    std::string code = TotpCode(key, 1700000000);
    EXPECT_EQ(VerifyTotp(key, code, 1700000000, -1), 1700000000 / 30);
  }
  EXPECT_EQ(keys.size(), 8u);
}

}  // namespace
}  // namespace ecohub::auth
