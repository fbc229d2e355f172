// Photos sent with a complaint: JPEG or PNG only, at most kMaxPhotoBytes, with the
// metadata a phone writes into them taken out before they are kept (EXIF with the
// place and the phone's make, XMP, comments, text chunks, times). Pure: bytes in,
// bytes out; no decoding of the picture itself.
//
// JPEG: the segments before the scan are kept only when they are needed to show
// the picture (APP0 JFIF, APP2 ICC profile, APP14 Adobe, and the tables and frame
// headers); the scan and what follows are copied as they are. PNG: the critical
// chunks and the ancillary ones that change how it looks (tRNS, gAMA, cHRM, sRGB,
// iCCP, sBIT, bKGD, pHYs) are kept, every other chunk dropped. A JPEG loses its EXIF
// orientation: the portal turns the picture upright before sending it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ecohub::casework {

inline constexpr size_t kMaxPhotoBytes = 1024 * 1024;
inline constexpr int kMaxPhotos = 4;

struct CleanPhoto {
  std::string media_type;  // "image/jpeg" or "image/png"
  std::string bytes;
};

// The photo without its metadata. kInvalidInput saying why for anything else: not a
// JPEG or PNG, larger than kMaxPhotoBytes, cut short or malformed.
Result<CleanPhoto> CleanPhotoBytes(std::string_view bytes);

}  // namespace ecohub::casework
