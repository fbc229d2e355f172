#include "crypto/sealer.h"

#include <gtest/gtest.h>

namespace ecohub::crypto {
namespace {

std::shared_ptr<const KeyRing> Ring(const std::string& text) {
  return std::make_shared<const KeyRing>(KeyRing::Parse(text, "test").value());
}

const std::string kK1 = "k1 " + std::string(64, '1'), kK2 = "k2 " + std::string(64, '2');

TEST(Sealer, RoundTripUnderTheNewestKey) {
  Sealer sealer(Ring(kK1 + "\n" + kK2));
  for (std::string plain :
       {std::string(), std::string("123456"), std::string(1000, 'x'), std::string("\0pw", 3)}) {
    auto sealed = sealer.Seal(plain);
    ASSERT_TRUE(sealed.ok());
    EXPECT_TRUE(Sealer::IsSealed(*sealed));
    EXPECT_TRUE(sealed->starts_with("$sm4$k2$"));
    if (plain.size() > 3) {
      EXPECT_EQ(sealed->find(plain), std::string::npos);
    }
    auto opened = sealer.Open(*sealed);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, plain);
  }
  // Fresh IVs: the same plaintext seals differently each time.
  EXPECT_NE(sealer.Seal("same").value(), sealer.Seal("same").value());
}

TEST(Sealer, OldKeysStillOpenAfterRotation) {
  std::string old = Sealer(Ring(kK1)).Seal("secret").value();
  Sealer rotated(Ring(kK1 + "\n" + kK2));
  EXPECT_EQ(rotated.Open(old).value(), "secret");
  auto without = Sealer(Ring(kK2)).Open(old);
  EXPECT_EQ(without.status().code(), Code::kNotFound);
}

TEST(Sealer, ClearValuesPassThroughForMigration) {
  Sealer sealer(Ring(kK1));
  EXPECT_FALSE(Sealer::IsSealed("123456"));
  EXPECT_EQ(sealer.Open("123456").value(), "123456");
}

TEST(Sealer, EveryAlteredCharacterIsCaught) {
  Sealer sealer(Ring(kK1 + "\n" + "k3 " + std::string(64, '3')));
  std::string sealed = sealer.Seal("device password").value();
  // Every hex digit of the body flipped, one at a time; the key id swapped; cut short.
  size_t body = sealed.rfind('$') + 1;
  for (size_t i = body; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = bad[i] == '0' ? '1' : '0';
    auto r = sealer.Open(bad);
    EXPECT_EQ(r.status().code(), Code::kCorruption) << "offset " << i;
  }
  std::string swapped = sealed;
  swapped.replace(5, 2, "k1");
  EXPECT_EQ(sealer.Open(swapped).status().code(), Code::kCorruption);
  EXPECT_EQ(sealer.Open(sealed.substr(0, sealed.size() - 2)).status().code(), Code::kCorruption);
  EXPECT_EQ(sealer.Open("$sm4$k3").status().code(), Code::kCorruption);
}

}  // namespace
}  // namespace ecohub::crypto
