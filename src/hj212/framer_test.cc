// The stream framer against what TCP and real devices do: sticky and half packets,
// byte-by-byte delivery, garbage, resync after damage (LevelDB log_test style).
#include "hj212/framer.h"

#include <gtest/gtest.h>

#include "hj212/builder.h"

namespace ecohub::hj212 {
namespace {

const std::string kA = Frame(
    "QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    "CP=&&RtdInterval=30&&");
const std::string kB = Frame(
    "QN=20160801085857224;ST=32;CN=2011;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    "CP=&&DataTime=20160801085800;w01018-Rtd=12.3,w01018-Flag=N&&");
const std::string kLog = Frame(
    "QN=20160801085857225;ST=32;CN=3020;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    "CP=&&DataTime=20160801085800;i11001-Info=//##0101 looks like a frame//&&");

struct Result {
  std::vector<std::string> frames;
  std::vector<Error> rejects;
};

Result FeedInChunks(const std::string& stream, size_t chunk, FramerOptions o = {}) {
  Framer f(o);
  Result r;
  for (size_t i = 0; i < stream.size(); i += chunk)
    f.Feed(
        std::string_view(stream).substr(i, chunk),
        [&](std::string_view, std::string_view frame) { r.frames.emplace_back(frame); },
        [&](Error e, std::string_view) { r.rejects.push_back(e); });
  return r;
}

TEST(Framer, StickyPackets) {
  auto r = FeedInChunks(kA + kB + kLog, 1 << 20);
  ASSERT_EQ(r.frames.size(), 3u);
  EXPECT_EQ(r.frames[0], kA);
  EXPECT_EQ(r.frames[2], kLog);
  EXPECT_TRUE(r.rejects.empty());
}

TEST(Framer, EveryChunkSize) {
  std::string stream = kA + kB + kLog + kA;
  for (size_t chunk = 1; chunk <= 64; ++chunk) {
    auto r = FeedInChunks(stream, chunk);
    ASSERT_EQ(r.frames.size(), 4u) << chunk;
    EXPECT_EQ(r.frames[1], kB);
    EXPECT_TRUE(r.rejects.empty());
  }
}

TEST(Framer, GarbageBetweenFrames) {
  Framer f;
  int frames = 0;
  f.Feed(
      "noise\r\n#x" + kA + "\x01\x02##" + "zz" + kB,
      [&](std::string_view, std::string_view) { ++frames; }, [](Error, std::string_view) {});
  EXPECT_EQ(frames, 2);
  EXPECT_GT(f.stats().garbage_bytes, 0u);
}

TEST(Framer, ResyncAfterCorruptFrame) {
  std::string bad = kA;
  bad[bad.size() - 3] ^= 1;  // a CRC digit
  auto r = FeedInChunks(bad + kB, 7);
  ASSERT_EQ(r.frames.size(), 1u);
  EXPECT_EQ(r.frames[0], kB);
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(r.rejects[0], Error::kCrcMismatch);
}

TEST(Framer, DamageAtEveryByteNeverLosesTheNextFrame) {
  for (size_t i = 0; i < kA.size(); ++i) {
    for (char repl : {'#', 'x', '\0', '9'}) {
      std::string damaged = kA;
      if (damaged[i] == repl) continue;
      damaged[i] = repl;
      // A damaged length digit can make the framer wait for up to 1024 more bytes;
      // the frames after it still come out once the stream goes on.
      std::string tail;
      while (tail.size() < 1100) tail += kA;
      auto r = FeedInChunks(damaged + kB + kLog + tail, 13);
      // The damaged frame may be rejected (or, 1 time in 256, pass a CRC by luck when
      // a data byte changes), but the ones that follow always arrive intact.
      int b = 0, log = 0;
      for (auto& f : r.frames) b += f == kB, log += f == kLog;
      EXPECT_EQ(b, 1) << "byte " << i << " -> " << int(repl);
      EXPECT_EQ(log, 1) << "byte " << i << " -> " << int(repl);
    }
  }
}

TEST(Framer, TruncatedFrameThenGoodOne) {
  std::string cut = kA.substr(0, 50);
  auto r = FeedInChunks(cut + kB + kLog, 5);
  // The truncated frame swallows bytes of kB up to its declared length, then the
  // framer resyncs; kLog is always delivered.
  ASSERT_FALSE(r.frames.empty());
  EXPECT_EQ(r.frames.back(), kLog);
}

TEST(Framer, BufferIsBounded) {
  Framer f;
  std::string junk(1 << 20, 'x');
  f.Feed(
      junk, [](std::string_view, std::string_view) {}, [](Error, std::string_view) {});
  EXPECT_EQ(f.buffered(), 0u);
  f.Feed(
      "##9999", [](std::string_view, std::string_view) {}, [](Error, std::string_view) {});
  EXPECT_EQ(f.stats().rejected[static_cast<int>(Error::kOversize)], 1u);
  EXPECT_LT(f.buffered(), 8u);
  // A partial frame of legal size is held, never more than one frame.
  f.Feed(
      kA.substr(0, kA.size() - 1), [](std::string_view, std::string_view) {},
      [](Error, std::string_view) {});
  EXPECT_LE(f.buffered(), 6 + 1024 + 6u);
}

TEST(Framer, TailProblemsAreMissingTailLengthProblemsAreNot) {
  std::string_view out;
  std::string body = kA.substr(0, kA.size() - 2);
  EXPECT_EQ(CheckFrame(body, {}, &out), Error::kMissingTail);
  EXPECT_EQ(CheckFrame(body + "\n", {}, &out), Error::kMissingTail);  // LF only
  EXPECT_EQ(CheckFrame(body + "\r", {}, &out), Error::kMissingTail);
  EXPECT_EQ(CheckFrame(body + "\n\r", {}, &out), Error::kMissingTail);
  EXPECT_EQ(CheckFrame(body + "xyz\r\n", {}, &out), Error::kLengthMismatch);
  EXPECT_EQ(CheckFrame(body.substr(0, body.size() - 1) + "\r\n", {}, &out), Error::kLengthMismatch);
}

TEST(Framer, LowerCaseCrcAccepted) {
  std::string seg =
      "QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
      "CP=&&RtdInterval=30&&";
  std::string_view out;
  EXPECT_EQ(CheckFrame("##0101" + seg + "1c80\r\n", {}, &out), Error::kNone);
}

TEST(Framer, LargerLimitForLegacyFleets) {
  std::string seg = "ST=31;CN=2011;PW=1;MN=1;CP=&&" + std::string(1500, 'a') + "=1&&";
  std::string wire = Frame(seg);
  std::string_view out;
  EXPECT_EQ(CheckFrame(wire, {}, &out), Error::kOversize);
  FramerOptions big;
  big.max_segment = 4096;
  EXPECT_EQ(CheckFrame(wire, big, &out), Error::kNone);
  EXPECT_EQ(FeedInChunks(wire, 100, big).frames.size(), 1u);
}

}  // namespace
}  // namespace ecohub::hj212
