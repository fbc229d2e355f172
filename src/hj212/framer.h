// Framer: turns a TCP byte stream into HJ 212 frames (digest §1).
//
//   frame := "##" LLLL segment CCCC "\r\n"      LLLL = segment bytes, decimal, 4 digits
//                                              CCCC = CRC of segment, hex, high byte first
//
// Frames by length, never by "\r\n" or by read boundaries: sticky packets, a packet
// split over many reads and garbage between frames are all normal. A candidate that
// fails a check is reported with its Error and the framer resynchronises on the next
// "##" (a "##" inside log text is a false start that the checks reject); one bad frame
// never costs the connection. The buffer is bounded: it never holds more than one
// incomplete frame of at most 6 + max_segment + 6 bytes.
//
// No I/O, no allocation per frame on the fast path (a read holding whole frames is
// framed in place). Not thread-safe: one Framer per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "hj212/crc.h"
#include "hj212/error.h"
#include "hj212/tokens.h"

namespace ecohub::hj212 {

struct FramerOptions {
  // HJ 212 caps the data segment at 1024 bytes; real fleets send up to ~1600
  // (digest §14.7), so deployments may raise it, never unbounded.
  size_t max_segment = 1024;
  bool require_tail = true;
  CrcVariant crc = CrcVariant::kHj212;
};

struct FramerStats {
  uint64_t frames = 0;
  uint64_t garbage_bytes = 0;
  uint64_t rejected[kErrorCount] = {};
};

// Checks one complete wire frame (the CLI, tests): header, length digits, size
// limit, tail, length, CRC format, CRC, in that order. On kNone sets *segment.
Error CheckFrame(std::string_view wire, const FramerOptions& options, std::string_view* segment);

// Parses 4 hex digits (either case); false when any is not hex.
bool ParseHex4(const char* p, uint16_t* out);

class Framer {
 public:
  explicit Framer(FramerOptions options = {}) : options_(options) {}

  // on_frame(std::string_view segment, std::string_view whole_frame)
  // on_reject(Error, std::string_view bytes_of_the_candidate)
  // Views are valid only during the callback.
  template <class OnFrame, class OnReject>
  void Feed(std::string_view data, OnFrame&& on_frame, OnReject&& on_reject) {
    if (buf_.empty()) {
      size_t used = Scan(data, on_frame, on_reject);
      buf_.assign(data.substr(used));
      return;
    }
    buf_.append(data);
    size_t used = Scan(buf_, on_frame, on_reject);
    buf_.erase(0, used);
  }

  const FramerStats& stats() const { return stats_; }
  // Separator positions of the segment being handed to on_frame (valid only during
  // that call, and only with the HJ 212 CRC): pass them to ParsePacket.
  const Tokens* tokens() const { return options_.crc == CrcVariant::kHj212 ? &tokens_ : nullptr; }
  size_t buffered() const { return buf_.size(); }

 private:
  // Frames what it can of `in`; returns how many leading bytes are consumed.
  template <class OnFrame, class OnReject>
  size_t Scan(std::string_view in, OnFrame& on_frame, OnReject& on_reject) {
    size_t pos = 0;
    const size_t n = in.size();
    while (pos < n) {
      const char* start = static_cast<const char*>(std::memchr(in.data() + pos, '#', n - pos));
      if (!start) {
        stats_.garbage_bytes += n - pos;
        return n;
      }
      size_t at = static_cast<size_t>(start - in.data());
      if (at + 1 >= n) {  // a lone trailing '#': keep it, the next read may complete "##"
        stats_.garbage_bytes += at - pos;
        return at;
      }
      if (in[at + 1] != '#') {
        stats_.garbage_bytes += at + 1 - pos;
        pos = at + 1;
        continue;
      }
      stats_.garbage_bytes += at - pos;
      pos = at;
      if (n - pos < 6) return pos;  // wait for the length
      size_t len = 0;
      bool digits = true;
      for (int i = 2; i < 6; ++i) {
        char c = in[pos + i];
        digits = digits && c >= '0' && c <= '9';
        len = len * 10 + static_cast<size_t>(c - '0');
      }
      if (!digits || len > options_.max_segment) {
        Error e = digits ? Error::kOversize : Error::kBadLengthField;
        Reject(e, in.substr(pos, 6), on_reject);
        pos += 1;  // resync: "###0101" must still find the frame at the second #
        continue;
      }
      size_t body = 6 + len + 4;  // through the CRC
      size_t total = body + 2;
      if (n - pos < (options_.require_tail ? total : body)) return pos;  // wait for more
      std::string_view frame = in.substr(pos, options_.require_tail ? total : body);
      bool tail_ok = n - pos >= total && in[pos + body] == '\r' && in[pos + body + 1] == '\n';
      if (options_.require_tail && !tail_ok) {
        // No CR LF where the length says: either the length is wrong or the tail is.
        bool crc_like = IsHex4(in.data() + pos + 6 + len);
        Reject(crc_like ? Error::kMissingTail : Error::kLengthMismatch, frame, on_reject);
        pos += 1;
        continue;
      }
      uint16_t wire_crc = 0;
      std::string_view segment = in.substr(pos + 6, len);
      if (!ParseHex4(in.data() + pos + 6 + len, &wire_crc)) {
        Reject(Error::kBadCrcFormat, frame, on_reject);
        pos += 1;
        continue;
      }
      bool crc_ok = options_.crc == CrcVariant::kHj212
                        ? Crc16WithTokens(segment, &tokens_) == wire_crc
                        : CrcMatches(options_.crc, segment, wire_crc);
      if (!crc_ok) {
        Reject(Error::kCrcMismatch, frame, on_reject);
        pos += tail_ok ? total : body;  // well delimited: skip it whole
        continue;
      }
      if (tail_ok) frame = in.substr(pos, total);
      ++stats_.frames;
      on_frame(segment, frame);
      pos += tail_ok ? total : body;
    }
    return pos;
  }

  template <class OnReject>
  void Reject(Error e, std::string_view bytes, OnReject& on_reject) {
    ++stats_.rejected[static_cast<int>(e)];
    on_reject(e, bytes);
  }

  static bool IsHex4(const char* p) {
    uint16_t ignore;
    return ParseHex4(p, &ignore);
  }

  FramerOptions options_;
  FramerStats stats_;
  Tokens tokens_;
  std::string buf_;
};

}  // namespace ecohub::hj212
