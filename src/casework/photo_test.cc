// CleanPhotoBytes on pictures put together by hand: what a phone adds (EXIF with the
// place, comments, text chunks) is gone, what shows the picture is kept byte for
// byte, and every broken file is refused with why.
#include "casework/photo.h"

#include <gtest/gtest.h>

namespace ecohub::casework {
namespace {

std::string Segment(unsigned char marker, std::string body) {
  size_t n = body.size() + 2;
  return std::string{'\xFF', static_cast<char>(marker), static_cast<char>(n >> 8),
                     static_cast<char>(n & 0xFF)} +
         body;
}

const std::string kJfif = Segment(0xE0, std::string("JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 14));
const std::string kExif = Segment(0xE1, std::string("Exif\0\0GPS 40.32N 116.63E iPhone", 31));
const std::string kXmp = Segment(0xE1, "http://ns.adobe.com/xap/1.0/ <x:creator>me</x:creator>");
const std::string kComment = Segment(0xFE, "taken at home");
const std::string kTables = Segment(0xDB, std::string(65, '\x01'));
const std::string kScan = Segment(0xDA, std::string("\x01\x01\x00\x00\x3F\x00", 6)) +
                          std::string("\x12\x34\xFF\x00\x56", 5) + "\xFF\xD9";

std::string Chunk(const std::string& type, const std::string& data) {
  size_t n = data.size();
  return std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                     static_cast<char>(n >> 8), static_cast<char>(n)} +
         type + data + std::string("\0\0\0\0", 4);
}

const std::string kPngSignature = "\x89PNG\r\n\x1A\n";
const std::string kIhdr = Chunk("IHDR", std::string(13, '\x01'));
const std::string kIdat = Chunk("IDAT", "pixels");
const std::string kIend = Chunk("IEND", "");

TEST(Photo, AJpegLosesWhatThePhoneWroteAndKeepsThePicture) {
  std::string in = "\xFF\xD8" + kJfif + kExif + kXmp + kComment + kTables + kScan;
  auto out = CleanPhotoBytes(in);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->media_type, "image/jpeg");
  EXPECT_EQ(out->bytes, "\xFF\xD8" + kJfif + kTables + kScan);
  auto again = CleanPhotoBytes(out->bytes);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->bytes, out->bytes);
}

TEST(Photo, APngLosesItsTextAndTimeChunks) {
  std::string in = kPngSignature + kIhdr + Chunk("tEXt", std::string("Author\0me", 9)) +
                   Chunk("eXIf", "GPS") + Chunk("pHYs", std::string(9, '\x02')) + kIdat +
                   Chunk("tIME", "2026") + kIend + "trailing";
  auto out = CleanPhotoBytes(in);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->media_type, "image/png");
  EXPECT_EQ(out->bytes,
            kPngSignature + kIhdr + Chunk("pHYs", std::string(9, '\x02')) + kIdat + kIend);
}

TEST(Photo, BrokenFilesAreRefusedWithWhy) {
  struct Case {
    std::string what, bytes, why;
  } cases[] = {
      {"a GIF", "GIF89a....", "only JPEG or PNG"},
      {"empty", "", "only JPEG or PNG"},
      {"too large", "\xFF\xD8\xFF" + std::string(kMaxPhotoBytes, 'x'), "larger than 1 MB"},
      {"a JPEG cut in a segment", "\xFF\xD8" + kJfif.substr(0, 8), "runs past the end"},
      {"a JPEG with no scan", "\xFF\xD8" + kJfif + kTables, "cut short"},
      {"a JPEG ending early", "\xFF\xD8" + kJfif + "\xFF\xD9", "ends before"},
      {"a JPEG of garbage", "\xFF\xD8\xFF\xE0\x00", "cut short"},
      {"a JPEG segment of length 0", std::string("\xFF\xD8\xFF\xE1\x00\x00", 6), "runs past"},
      {"a PNG without its header", kPngSignature + kIdat + kIend, "header"},
      {"a PNG cut short", kPngSignature + kIhdr + kIdat, "cut short"},
      {"a PNG chunk too long", kPngSignature + std::string("\x7F\xFF\xFF\xFFIHDR", 8) + kIend,
       "runs past"},
      {"a PNG chunk of a bad type", kPngSignature + Chunk("IH\x01R", ""), "bad type"},
  };
  for (const Case& c : cases) {
    auto out = CleanPhotoBytes(c.bytes);
    ASSERT_FALSE(out.ok()) << c.what;
    EXPECT_EQ(out.status().code(), Code::kInvalidInput) << c.what;
    EXPECT_NE(out.status().message().find(c.why), std::string::npos)
        << c.what << ": " << out.status().message();
  }
}

}  // namespace
}  // namespace ecohub::casework
