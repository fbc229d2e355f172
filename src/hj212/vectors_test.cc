// Every vector of shared/reference/hj212_vectors.json through CheckFrame and
// ParsePacket: expected error codes, header fields, CP pairs, CRC facts, round trips.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "hj212/builder.h"
#include "hj212/crc.h"
#include "hj212/framer.h"
#include "hj212/packet.h"
#include "hj212/tokens.h"

namespace ecohub::hj212 {
namespace {

using nlohmann::json;

std::vector<json> LoadVectors() {
  std::ifstream f(std::string(ECOHUB_SHARED_DIR) + "/reference/hj212_vectors.json");
  if (!f) return {};
  return json::parse(f).get<std::vector<json>>();
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

std::string Wire(const json& v) {
  if (v.contains("wire_hex")) return Unhex(v["wire_hex"]);
  if (v.contains("wire")) return v["wire"];
  return v["packet"].get<std::string>() + "\r\n";
}

class Vector : public testing::TestWithParam<json> {};

TEST_P(Vector, DecodesAsSpecified) {
  const json& v = GetParam();
  std::string wire = Wire(v);
  std::string_view segment;
  Error e = CheckFrame(wire, FramerOptions{}, &segment);
  Packet p;
  if (e == Error::kNone) e = ParsePacket(segment, &p);
  std::string expected = v.value("error", "ok");
  ASSERT_STREQ(ErrorCode(e), expected.c_str()) << v["name"];
  if (e != Error::kNone) return;

  json header = json::object();
  for (size_t i = 0; i < p.header_count(); ++i)
    header[std::string(p.header_key(i))] = std::string(p.header_value(i));
  EXPECT_EQ(header, v["fields"]) << v["name"];
  json cp = json::object();
  for (size_t i = 0; i < p.cp_count(); ++i) {
    std::string k(p.cp_key(i)), val(p.cp_value(i));
    if (!cp.contains(k))
      cp[k] = val;
    else if (cp[k].is_array())
      cp[k].push_back(val);
    else
      cp[k] = json::array({cp[k], val});
  }
  if (v.value("encoding", "") != "gbk") {
    EXPECT_EQ(cp, v["cp"]) << v["name"];
  }
  if (v.value("roundtrip", false)) {
    std::string rebuilt = Frame(RebuildSegment(p), false);
    EXPECT_EQ(rebuilt, v["packet"].get<std::string>()) << v["name"];
  }
}

TEST_P(Vector, TokenParseAgreesWithByteParse) {
  std::string wire = Wire(GetParam());
  std::string_view segment;
  if (CheckFrame(wire, FramerOptions{}, &segment) != Error::kNone) return;
  Tokens tokens;
  EXPECT_EQ(Crc16WithTokens(segment, &tokens), Crc16(segment));
  Packet a, b;
  ASSERT_EQ(ParsePacket(segment, &a), ParsePacket(segment, &b, {}, &tokens));
  ASSERT_EQ(a.cp_count(), b.cp_count());
  for (size_t i = 0; i < a.cp_count(); ++i) {
    EXPECT_EQ(a.cp_key(i), b.cp_key(i));
    EXPECT_EQ(a.cp_value(i), b.cp_value(i));
    EXPECT_EQ(a.cp_separator(i), b.cp_separator(i));
  }
}

TEST_P(Vector, CrcFactsHold) {
  const json& v = GetParam();
  std::string wire = Wire(v);
  std::string packet = v["packet"];
  // crc_ok is over the declared segment; with a broken length there is none.
  std::string err = v.value("error", "");
  if (packet.size() < 10 || packet.compare(0, 2, "##") != 0 || err == "length_mismatch" ||
      err == "bad_length_field")
    return;
  std::string segment = wire.substr(6, wire.size() - 6 - 4 - (wire.ends_with("\r\n") ? 2 : 0));
  uint16_t on_wire = 0;
  if (!ParseHex4(wire.data() + 6 + segment.size(), &on_wire)) return;
  EXPECT_EQ(Crc16(segment) == on_wire, v["crc_ok"].get<bool>()) << v["name"];
  if (v.contains("crc_variant")) {
    std::string cv = v["crc_variant"];
    CrcVariant var = cv == "modbus" ? CrcVariant::kModbus : CrcVariant::kModbusSwapped;
    EXPECT_TRUE(CrcMatches(var, segment, on_wire)) << v["name"];
  }
}

std::vector<json> Vectors() {
  auto v = LoadVectors();
  return v;
}

INSTANTIATE_TEST_SUITE_P(Reference, Vector, testing::ValuesIn(Vectors()),
                         [](const testing::TestParamInfo<json>& info) {
                           std::string n = info.param["name"];
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Vector);

TEST(Crc, AppendixAExample) {
  // HJ 212-2017 Appendix A prints 1C80 (the prose under it misprints 1C08).
  EXPECT_EQ(Crc16("QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;"
                  "Flag=5;CP=&&RtdInterval=30&&"),
            0x1C80);
  EXPECT_EQ(Crc16(""), 0xFFFF);
}

TEST(Crc, OnlyTableValuesOccur) {
  // The register carries only its high byte, so every CRC of non-empty input is T[x].
  for (std::string s : {"a", "ab", "QN=1;CP=&&&&", "\xff\x00\x10"}) {
    uint16_t c = Crc16(s);
    bool in_table = false;
    for (int i = 0; i < 256; ++i) in_table = in_table || kCrcTable[i] == c;
    EXPECT_TRUE(in_table) << s;
  }
}

TEST(Packet, Accepts2005AckWhenAsked) {
  Packet p;
  std::string seg = "ST=91;CN=9014;CP=&&QN=20040516010101001;CN=2051&&";
  EXPECT_EQ(ParsePacket(seg, &p), Error::kMissingField);
  Packet::Options o;
  o.accept_2005_ack_without_mn = true;
  EXPECT_EQ(ParsePacket(seg, &p, o), Error::kNone);
  EXPECT_EQ(p.Cp("QN"), "20040516010101001");
}

TEST(Packet, ToleratesRealWorldOddities) {
  Packet p;
  // Spaces in CP, trailing ';', ',' between items, repeated keys, a log with ; , =.
  ASSERT_EQ(ParsePacket("MN=1;CN=3020;PW=1;ST=32;CP=&& DataTime=20200101000000;PolId=101;PolId=102;"
                        "i11001-Info=//a;b,c=d//;&&",
                        &p),
            Error::kNone);
  ASSERT_EQ(p.cp_count(), 4u);
  EXPECT_EQ(p.cp_value(1), "101");
  EXPECT_EQ(p.cp_value(2), "102");
  EXPECT_EQ(p.cp_value(3), "//a;b,c=d//");
  EXPECT_FALSE(p.warnings().empty());  // MN width, Flag absent is fine
  EXPECT_EQ(p.flag(), 0);
  EXPECT_EQ(p.version(), 0);
}

TEST(Packet, HugeFlagIsAWarningNotAnOverflow) {
  // Regression: found by the fuzzer (signed overflow while reading Flag).
  Packet p;
  ASSERT_EQ(ParsePacket("QN=1;ST=32;CN=2011;PW=1;MN=1;Flag=4010008A8900016F;CP=&&&&", &p),
            Error::kNone);
  EXPECT_EQ(p.flag(), 0);
  ASSERT_EQ(ParsePacket("QN=1;ST=32;CN=2011;PW=1;MN=1;Flag=99999999999999999999;CP=&&&&", &p),
            Error::kNone);
  EXPECT_EQ(p.flag(), 0);
  EXPECT_FALSE(p.warnings().empty());
}

TEST(Packet, FlagBits) {
  Packet p;
  ASSERT_EQ(ParsePacket("QN=20160801085857223;ST=32;CN=2061;PW=1;MN=010000A8900016F000169DC0;"
                        "Flag=7;PNUM=2;PNO=1;CP=&&&&",
                        &p),
            Error::kNone);
  EXPECT_TRUE(p.ack_requested());
  EXPECT_TRUE(p.split());
  EXPECT_EQ(p.version(), 1);
  EXPECT_TRUE(p.warnings().empty()) << p.warnings()[0];
}

}  // namespace
}  // namespace ecohub::hj212
