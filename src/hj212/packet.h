// Packet: one parsed HJ 212 data segment (digest §2, §3, §9).
//
//   segment := item *(";" item) ";" "CP=&&" body "&&"     header items are KEY=VALUE
//   body    := [pair *((";" | ",") pair)]                 pair := key "=" value
//   value   := chars except ";" "," | "//" text "//"      (log text may hold ; , = &)
//
// Parsed by key, never by position: devices reorder header fields. The packet owns a
// copy of the segment; fields are offsets into it, so parsing allocates once per
// packet (plus vector growth), and a Packet is a plain copyable value.
// Field-level oddities (widths, DataTime with milliseconds, D bit without PNUM...) are
// warnings, not rejections (digest §14.12).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hj212/error.h"
#include "hj212/tokens.h"

namespace ecohub::hj212 {

class Packet {
 public:
  struct Span {
    uint32_t off = 0, len = 0;
  };
  struct Pair {
    Span key, value;
    char sep = ';';  // separator before this pair in CP (';' or ','); kept for rebuilding
  };

  // Header fields present, in arrival order (QN ST CN PW MN Flag PNUM PNO only).
  size_t header_count() const { return header_.size(); }
  std::string_view header_key(size_t i) const { return View(header_[i].key); }
  std::string_view header_value(size_t i) const { return View(header_[i].value); }
  std::optional<std::string_view> Header(std::string_view key) const;

  // CP pairs in order; a key may repeat.
  size_t cp_count() const { return cp_.size(); }
  std::string_view cp_key(size_t i) const { return View(cp_[i].key); }
  std::string_view cp_value(size_t i) const { return View(cp_[i].value); }
  char cp_separator(size_t i) const { return cp_[i].sep; }
  // First value of a CP key.
  std::optional<std::string_view> Cp(std::string_view key) const;

  // Flag as an integer; absent or unreadable = 0 (HJ/T 212-2005: no ack, no split).
  int flag() const { return flag_; }
  bool ack_requested() const { return flag_ & 1; }  // A bit
  // V5..V0: 0 = HJ/T 212-2005, 1 = HJ 212-2017, 2 = HJ 212-2025 (unconfirmed, digest §3).
  int version() const { return flag_ >> 2; }
  // PNUM/PNO present: a part of a split upload (their presence is authoritative, §3).
  bool split() const { return Header("PNUM").has_value() && Header("PNO").has_value(); }

  const std::string& segment() const { return text_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

  struct Options {
    // HJ/T 212-2005 data answers (CN=9014, version 0) carry no MN (digest §7); the
    // strict default rejects them like any packet without MN.
    bool accept_2005_ack_without_mn = false;
  };
  friend struct PacketParser;
  friend Error ParsePacket(std::string_view segment, Packet* out, const Options& options,
                           const Tokens* tokens);

 private:
  std::string_view View(Span s) const { return std::string_view(text_).substr(s.off, s.len); }

  // Index into header_ of each standard field (QN ST CN PW MN Flag PNUM PNO), -1 if
  // absent: header lookups by name do not search.
  int8_t header_index_[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  std::string text_;
  std::vector<Pair> header_;
  std::vector<Pair> cp_;
  std::vector<std::string> warnings_;
  int flag_ = 0;
};

// Parses a data segment (the bytes between the length and the CRC). On an error
// other than kNone, *out is left in an unspecified but valid state.
// `tokens`, when given, are the separator positions of exactly this segment (from
// Framer::tokens()); the result is the same, found faster.
Error ParsePacket(std::string_view segment, Packet* out, const Packet::Options& options,
                  const Tokens* tokens = nullptr);
inline Error ParsePacket(std::string_view segment, Packet* out) {
  return ParsePacket(segment, out, Packet::Options{});
}

// `frame` (a whole frame or a segment, valid or not) with the value of every PW
// header item replaced by "******", for showing or keeping frames where the access
// password must not be seen. A PW item is "PW=" at the start of the text, after the
// "##dddd" length, or after ';'; its value ends at ';', '&' or the end. The CRC no
// longer matches: the result is for reading, not for parsing.
std::string RedactPassword(std::string_view frame);

}  // namespace ecohub::hj212
