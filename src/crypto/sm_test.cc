// The primitives against the standards' published vectors.
#include "crypto/sm.h"

#include <gtest/gtest.h>

namespace ecohub::crypto {
namespace {

std::string Hex(const Result<std::string>& r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? ToHex(*r) : "";
}

std::string Unhex(std::string_view hex) { return FromHex(hex).value(); }

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(Sm3, GbT32905AppendixVectors) {
  struct {
    std::string message, digest;
  } cases[] = {
      // GB/T 32905-2016 appendix A.1: "abc".
      {"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"},
      // Appendix A.2: "abcd" 16 times (512 bits: two blocks after padding).
      {Repeat("abcd", 16), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"},
  };
  for (const auto& c : cases) EXPECT_EQ(Hex(Sm3(c.message)), c.digest) << c.message;
}

TEST(Sha256, Fips180Vectors) {
  // FIPS 180-4 examples: "abc", and the empty message.
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sm4, GbT32907AppendixVectorSingleBlock) {
  // GB/T 32907-2016 appendix A, example 1: key and plaintext are the same block.
  std::string key = Unhex("0123456789abcdeffedcba9876543210");
  EXPECT_EQ(Hex(Sm4EncryptBlock(key, key)), "681edf34d206965e86b3e94f536e4246");
  EXPECT_FALSE(Sm4EncryptBlock(key.substr(1), key).ok());
  EXPECT_FALSE(Sm4EncryptBlock(key, key.substr(1)).ok());
}

TEST(Sm4, CbcRoundTripAndPadding) {
  std::string key = Unhex("0123456789abcdeffedcba9876543210");
  std::string iv(16, '\x07');
  for (size_t n : {0, 1, 15, 16, 17, 100}) {
    std::string plain(n, 'p');
    auto ct = Sm4CbcEncrypt(key, iv, plain);
    ASSERT_TRUE(ct.ok());
    EXPECT_EQ(ct->size(), (n / 16 + 1) * 16);  // PKCS#7 always adds padding
    auto back = Sm4CbcDecrypt(key, iv, *ct);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, plain);
  }
  EXPECT_FALSE(Sm4CbcDecrypt(key, iv, "short").ok());
}

// HMAC-SM3 checked against RFC 2104 written out over SM3 (64-byte blocks): the
// OpenSSL MAC is asked for by name, so this catches a wrong digest or parameter.
std::string Rfc2104(std::string key, std::string_view msg) {
  if (key.size() > 64) key = Sm3(key).value();
  key.resize(64, '\0');
  std::string ipad = key, opad = key;
  for (size_t i = 0; i < 64; ++i) {
    ipad[i] = static_cast<char>(ipad[i] ^ 0x36);
    opad[i] = static_cast<char>(opad[i] ^ 0x5c);
  }
  return Sm3(opad + Sm3(ipad + std::string(msg)).value()).value();
}

TEST(HmacSm3, MatchesRfc2104OverSm3) {
  struct {
    std::string key, msg;
  } cases[] = {{"", ""},
               {"key", "The quick brown fox jumps over the lazy dog"},
               {std::string(32, '\x0b'), "Hi There"},
               {std::string(100, 'k'), "long key"}};
  for (const auto& c : cases) {
    auto mac = HmacSm3(c.key, c.msg);
    ASSERT_TRUE(mac.ok());
    EXPECT_EQ(mac->size(), kSm3Bytes);
    EXPECT_EQ(ToHex(*mac), ToHex(Rfc2104(c.key, c.msg))) << c.msg;
  }
  EXPECT_NE(HmacSm3("a", "m").value(), HmacSm3("b", "m").value());
  EXPECT_NE(DeriveKey("master", "one").value(), DeriveKey("master", "two").value());
}

TEST(Hex, RoundTripAndRejects) {
  EXPECT_EQ(ToHex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(Unhex("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(FromHex("abc").ok());
  EXPECT_FALSE(FromHex("zz").ok());
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
  EXPECT_EQ(RandomBytes(32).value().size(), 32u);
  EXPECT_NE(RandomBytes(32).value(), RandomBytes(32).value());
}

}  // namespace
}  // namespace ecohub::crypto
