#include "casework/photo.h"

#include <cstdint>

namespace ecohub::casework {

namespace {

unsigned Byte(std::string_view b, size_t i) { return static_cast<unsigned char>(b[i]); }

uint32_t Be32(std::string_view b, size_t i) {
  return (Byte(b, i) << 24) | (Byte(b, i + 1) << 16) | (Byte(b, i + 2) << 8) | Byte(b, i + 3);
}

Status Broken(const char* what) { return Status::InvalidInput(std::string("photo: ") + what); }

// An APPn segment (marker 0xE0 + n) worth keeping to show the picture.
bool KeepApp(unsigned marker, std::string_view body) {
  if (marker == 0xE0) return body.starts_with(std::string_view("JFIF\0", 5));
  if (marker == 0xE2) return body.starts_with(std::string_view("ICC_PROFILE\0", 12));
  if (marker == 0xEE) return body.starts_with("Adobe");
  return false;
}

Result<CleanPhoto> CleanJpeg(std::string_view in) {
  std::string out = "\xFF\xD8";
  size_t i = 2;
  while (true) {
    if (i + 2 > in.size()) return Broken("the JPEG is cut short before its picture");
    if (Byte(in, i) != 0xFF) return Broken("the JPEG's segments are malformed");
    unsigned marker = Byte(in, i + 1);
    if (marker == 0xFF) {  // fill bytes before a marker
      ++i;
      continue;
    }
    if (marker == 0xD9) return Broken("the JPEG ends before its picture");
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8))
      return Broken("the JPEG has a stray marker before its picture");
    if (i + 4 > in.size()) return Broken("the JPEG is cut short");
    size_t length = (Byte(in, i + 2) << 8) | Byte(in, i + 3);
    if (length < 2 || i + 2 + length > in.size()) return Broken("a JPEG segment runs past the end");
    std::string_view segment = in.substr(i, 2 + length);
    if (marker == 0xDA) {  // start of scan: the picture and everything after, as it is
      out.append(in.substr(i));
      return CleanPhoto{"image/jpeg", std::move(out)};
    }
    bool app = marker >= 0xE0 && marker <= 0xEF;
    bool comment = marker == 0xFE;
    if (!comment && (!app || KeepApp(marker, segment.substr(4)))) out.append(segment);
    i += 2 + length;
  }
}

bool KeepChunk(std::string_view type) {
  for (std::string_view keep : {"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB",
                                "iCCP", "sBIT", "bKGD", "pHYs"})
    if (type == keep) return true;
  return false;
}

Result<CleanPhoto> CleanPng(std::string_view in) {
  std::string out(in.substr(0, 8));
  size_t i = 8;
  bool header = false;
  while (true) {
    if (i + 12 > in.size()) return Broken("the PNG is cut short before its end");
    uint32_t length = Be32(in, i);
    if (length > in.size() - i - 12) return Broken("a PNG chunk runs past the end");
    std::string_view type = in.substr(i + 4, 4);
    for (char c : type)
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
        return Broken("a PNG chunk has a bad type");
    if (!header && type != "IHDR") return Broken("the PNG does not start with its header");
    header = true;
    if (KeepChunk(type)) out.append(in.substr(i, 12 + length));
    i += 12 + length;
    if (type == "IEND") return CleanPhoto{"image/png", std::move(out)};
  }
}

}  // namespace

Result<CleanPhoto> CleanPhotoBytes(std::string_view bytes) {
  if (bytes.size() > kMaxPhotoBytes) return Status::InvalidInput("photo: larger than 1 MB");
  if (bytes.starts_with("\xFF\xD8\xFF")) return CleanJpeg(bytes);
  if (bytes.starts_with("\x89PNG\r\n\x1A\n")) return CleanPng(bytes);
  return Status::InvalidInput("photo: only JPEG or PNG pictures");
}

}  // namespace ecohub::casework
