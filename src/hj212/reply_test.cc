#include "hj212/reply.h"

#include <gtest/gtest.h>

#include "hj212/framer.h"
#include "hj212/packet.h"

namespace ecohub::hj212 {
namespace {

Packet Parse(const std::string& seg) {
  Packet p;
  EXPECT_EQ(ParsePacket(seg, &p), Error::kNone) << seg;
  return p;
}

std::string SegmentOf(const std::string& frame) {
  std::string_view seg;
  EXPECT_EQ(CheckFrame(frame, {}, &seg), Error::kNone) << frame;
  return std::string(seg);
}

TEST(Reply, DataAck2017EchoesQnPwMn) {
  // HJ 212-2017 C.14/C.15.
  Packet up = Parse(
      "QN=20160801085857223;ST=32;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;"
      "CP=&&DataTime=20160801085857;w01018-Rtd=1.1,w01018-Flag=N&&");
  EXPECT_EQ(SegmentOf(DataAck(up)),
            "QN=20160801085857223;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;"
            "CP=&&&&");
}

TEST(Reply, DataAckOfSplitPartClearsDBit) {
  Packet up = Parse(
      "QN=20160801085857534;ST=32;CN=2061;PW=123456;MN=010000A8900016F000169DC0;Flag=7;PNUM=2;"
      "PNO=1;CP=&&DataTime=20160801080000;w00000-Avg=1&&");
  EXPECT_EQ(SegmentOf(DataAck(up)),
            "QN=20160801085857534;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;"
            "CP=&&&&");
}

TEST(Reply, DataAck2005Form) {
  // HJ/T 212-2005 Appendix C example 6: no PW, no MN.
  Packet up = Parse(
      "QN=20040516010101001;ST=32;CN=2051;PW=123456;MN=88888880000001;Flag=1;"
      "CP=&&DataTime=20040516010000;011-Avg=1&&");
  EXPECT_EQ(SegmentOf(DataAck(up)), "ST=91;CN=9014;CP=&&QN=20040516010101001;CN=2051&&");
}

TEST(Reply, NotifyAck) {
  Packet n = Parse(
      "QN=20160801085857223;ST=32;CN=1013;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&&&");
  EXPECT_EQ(SegmentOf(NotifyAck(n)),
            "QN=20160801085857223;ST=91;CN=9013;PW=123456;MN=010000A8900016F000169DC0;Flag=4;"
            "CP=&&&&");
  Packet old =
      Parse("QN=20040516010101001;ST=32;CN=2072;PW=123456;MN=88888880000001;Flag=1;CP=&&&&");
  EXPECT_EQ(SegmentOf(NotifyAck(old)),
            "ST=91;CN=9013;PW=123456;MN=88888880000001;Flag=0;CP=&&QN=20040516010101001&&");
}

TEST(Reply, RequestSetsTheABit) {
  std::string f = Request("20160801085857223", "32", "1012", "123456", "010000A8900016F000169DC0",
                          1, {{"SystemTime", "20160801085857"}});
  EXPECT_EQ(SegmentOf(f),
            "QN=20160801085857223;ST=32;CN=1012;PW=123456;MN=010000A8900016F000169DC0;Flag=5;"
            "CP=&&SystemTime=20160801085857&&");
}

}  // namespace
}  // namespace ecohub::hj212

namespace ecohub::hj212 {
namespace {

TEST(RedactPassword, HidesEveryPasswordItemAndNothingElse) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"##0101QN=1;ST=22;CN=2011;PW=123456;MN=X;CP=&&a=1&&ABCD\r\n",
       "##0101QN=1;ST=22;CN=2011;PW=******;MN=X;CP=&&a=1&&ABCD\r\n"},
      {"PW=secret;MN=X", "PW=******;MN=X"},              // a segment
      {"##0040PW=abc;ST=22", "##0040PW=******;ST=22"},   // first item of a frame
      {"ST=22;PW=;MN=X", "ST=22;PW=******;MN=X"},        // empty value still masked
      {"ST=22;PW=abc", "ST=22;PW=******"},               // cut at the end
      {"ST=22;PW=abc&&", "ST=22;PW=******&&"},           // ended by the body marker
      {"ST=22;PW=a;PW=b", "ST=22;PW=******;PW=******"},  // repeated
      {"CP=&&XPW=5;a-Rtd=1&&", "CP=&&XPW=5;a-Rtd=1&&"},  // not an item: kept
      {"no password here", "no password here"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(RedactPassword(c.in), c.out) << c.in;
}

}  // namespace
}  // namespace ecohub::hj212
