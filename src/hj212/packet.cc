#include "hj212/packet.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace ecohub::hj212 {

namespace {

constexpr std::string_view kHeaderKeys[] = {"QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO"};

// Position of a standard header field in kHeaderKeys, -1 for anything else.
int HeaderKeyIndex(std::string_view k) {
  switch (k.size()) {
    case 2:
      for (int i = 0; i < 5; ++i)
        if (k == kHeaderKeys[i]) return i;
      return -1;
    case 3:
      return k == "PNO" ? 7 : -1;
    case 4:
      return k == "Flag" ? 5 : k == "PNUM" ? 6 : -1;
    default:
      return -1;
  }
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool UpperHex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Byte classes for the CP scanner: one table load decides where a token stops.
constexpr uint8_t kEq = 1, kSep = 2;
constexpr auto kClass = [] {
  std::array<uint8_t, 256> t{};
  t['='] = kEq;
  t[';'] = kSep;
  t[','] = kSep;
  return t;
}();
// Skips the separators and blanks between CP items ("CP=&& &&", trailing ';'),
// remembering the last separator seen.
void SkipBetweenItems(const char* d, size_t close, size_t* i, char* sep) {
  for (; *i < close; ++*i) {
    char c = d[*i];
    if (c == ';' || c == ',') {
      *sep = c;
    } else if (!IsSpace(c)) {
      return;
    }
  }
}

inline uint8_t Class(char c) { return kClass[static_cast<unsigned char>(c)]; }

// Finds "CP=&&" at the start of an item (segment start or after ';' or ',').
size_t FindCp(std::string_view s) {
  size_t p = 0;
  while ((p = s.find("CP=", p)) != std::string_view::npos) {
    if (p == 0 || s[p - 1] == ';' || s[p - 1] == ',') return p;
    p += 3;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<std::string_view> Packet::Header(std::string_view key) const {
  int k = HeaderKeyIndex(key);
  if (k < 0 || header_index_[k] < 0) return std::nullopt;
  return View(header_[header_index_[k]].value);
}

std::optional<std::string_view> Packet::Cp(std::string_view key) const {
  for (const auto& p : cp_)
    if (View(p.key) == key) return View(p.value);
  return std::nullopt;
}

// Reads ParsePacket's parts of a Packet; a friend of Packet, so that each step of the
// parse is a function of its own.
struct PacketParser {
  static Packet::Span MakeSpan(size_t off, size_t len) {
    return Packet::Span{static_cast<uint32_t>(off), static_cast<uint32_t>(len)};
  }

  // Header: KEY=VALUE items before CP.
  static void Header(std::string_view s, size_t cp, Packet* out) {
    auto span = MakeSpan;
    out->header_.reserve(8);
    size_t i = 0;
    while (i < cp) {
      const void* semi = std::memchr(s.data() + i, ';', cp - i);
      size_t end = semi ? static_cast<size_t>(static_cast<const char*>(semi) - s.data()) : cp;
      std::string_view item = s.substr(i, end - i);
      if (!item.empty()) {
        size_t eq = item.find('=');
        std::string_view key = item.substr(0, eq);
        int k = eq == std::string_view::npos ? -1 : HeaderKeyIndex(key);
        if (eq == std::string_view::npos) {
          out->warnings_.push_back("header item without '=': " + std::string(item.substr(0, 32)));
        } else if (k < 0) {
          out->warnings_.push_back("unknown header field " + std::string(key.substr(0, 32)));
        } else if (out->header_index_[k] >= 0) {
          out->warnings_.push_back("repeated header field " + std::string(key));
        } else {
          out->header_index_[k] = static_cast<int8_t>(out->header_.size());
          out->header_.push_back({span(i, eq), span(i + eq + 1, item.size() - eq - 1), ';'});
        }
      }
      i = end + 1;
    }
  }

  // CP body with tokens: the scanner jumps from separator to separator.
  static void CpByTokens(std::string_view s, size_t body_start, size_t close, const Tokens& tokens,
                         Packet* out) {
    auto span = MakeSpan;
    const char* d = s.data();
    // Pairs are written into a pre-sized buffer (at most one per '=' token), then the
    // vector is cut to length: no per-pair capacity checks.
    const uint16_t* t = tokens.pos.data();
    const uint16_t* tend = t + tokens.pos.size();
    while (t < tend && *t < body_start) ++t;
    while (tend > t && tend[-1] >= close) --tend;  // tokens past the body are not ours
    out->cp_.resize(static_cast<size_t>(tend - t) + 1);
    Packet::Pair* pair = out->cp_.data();
    size_t i = body_start;
    char sep = ';';
    for (;;) {
      SkipBetweenItems(d, close, &i, &sep);
      if (i >= close) break;
      size_t kstart = i;
      while (t < tend && *t < kstart) ++t;
      size_t next = t < tend ? *t : close;
      if (next == close || d[next] != '=') {
        out->warnings_.push_back(
            "CP item without '=': " +
            std::string(s.substr(kstart, std::min<size_t>(next - kstart, 32))));
        i = next;
        continue;
      }
      size_t kend = next;
      while (kend > kstart && IsSpace(d[kend - 1])) --kend;
      ++t;
      while (t < tend && d[*t] == '=') ++t;  // '=' inside a value
      size_t vend = t < tend ? *t : close;
      *pair++ = {span(kstart, kend - kstart), span(next + 1, vend - next - 1), sep};
      sep = ';';
      i = vend;
    }
    out->cp_.resize(static_cast<size_t>(pair - out->cp_.data()));
  }

  // CP body without tokens, or with log text (//...// may hide separators): the
  // scanner walks the bytes.
  static void CpByBytes(std::string_view s, size_t body_start, size_t close, Packet* out) {
    auto span = MakeSpan;
    const char* d = s.data();
    size_t i = body_start;
    char sep = ';';
    for (;;) {
      SkipBetweenItems(d, close, &i, &sep);
      if (i >= close) break;
      size_t kstart = i;
      while (i < close && !Class(d[i])) ++i;
      if (i >= close || d[i] != '=') {
        out->warnings_.push_back("CP item without '=': " +
                                 std::string(s.substr(kstart, std::min<size_t>(i - kstart, 32))));
        continue;
      }
      size_t kend = i;
      while (kend > kstart && IsSpace(d[kend - 1])) --kend;
      size_t vstart = ++i;
      if (close - vstart >= 2 && d[vstart] == '/' && d[vstart + 1] == '/') {
        // Log text //...// may contain ; , = (HJ 212-2017 §6.3.3).
        size_t closing = s.find("//", vstart + 2);
        if (closing != std::string_view::npos && closing + 2 <= close) i = closing + 2;
      }
      while (i < close && !(Class(d[i]) & kSep)) ++i;
      out->cp_.push_back({span(kstart, kend - kstart), span(vstart, i - vstart), sep});
      sep = ';';
    }
  }

  static void Flag(Packet* out) {
    if (auto f = out->Header("Flag")) {
      int v = 256;
      if (AllDigits(*f) && f->size() <= 3) {
        v = 0;
        for (char ch : *f) v = v * 10 + (ch - '0');
      }
      if (v <= 255) {
        out->flag_ = v;
      } else {
        out->warnings_.push_back("Flag is not an integer 0-255: " + std::string(f->substr(0, 16)));
      }
    }
  }

  // Field-level checks: warnings only (digest §2, §14).
  static void WarnFields(const std::optional<std::string_view>& mn,
                         const std::optional<std::string_view>& cn, Packet* out) {
    auto warn = [&](std::string w) { out->warnings_.push_back(std::move(w)); };
    if (cn->size() != 4 || !AllDigits(*cn)) warn("CN is not 4 digits");
    if (auto qn = out->Header("QN"); qn && (qn->size() != 17 || !AllDigits(*qn)))
      warn("QN is not YYYYMMDDhhmmsszzz");
    if (auto st = out->Header("ST"); st && st->size() != 2) warn("ST is not 2 characters");
    if (auto pw = out->Header("PW"); pw && pw->size() > 6) warn("PW longer than 6 characters");
    if (mn && !mn->empty()) {
      if (out->version() >= 1 && (mn->size() != 24 || !UpperHex(*mn)))
        warn("MN is not 24 hex characters (HJ 212-2017)");
      else if (out->version() == 0 && mn->size() != 14)
        warn("MN is not 14 characters (HJ/T 212-2005)");
    }
    if (out->version() > 2) warn("unknown protocol version bits " + std::to_string(out->version()));
    bool d_bit = out->flag_ & 2;
    bool has_parts = out->Header("PNUM").has_value() || out->Header("PNO").has_value();
    if (d_bit && !has_parts) warn("Flag D bit set without PNUM/PNO");
    if (!d_bit && has_parts && out->Header("Flag")) warn("PNUM/PNO present without the D bit");
    if (auto dt = out->Cp("DataTime")) {
      if (dt->size() == 17 && AllDigits(*dt))
        warn("DataTime carries milliseconds (17 digits)");
      else if (dt->size() != 14 || !AllDigits(*dt))
        warn("DataTime is not YYYYMMDDhhmmss");
    }
  }
};

Error ParsePacket(std::string_view segment, Packet* out, const Packet::Options& options,
                  const Tokens* tokens) {
  out->text_.assign(segment);
  out->header_.clear();
  out->cp_.clear();
  out->warnings_.clear();
  out->flag_ = 0;
  std::fill(std::begin(out->header_index_), std::end(out->header_index_), int8_t{-1});
  std::string_view s = out->text_;

  size_t cp = FindCp(s);
  if (cp == std::string_view::npos) return Error::kMissingCp;
  if (s.substr(cp + 3, 2) != "&&") return Error::kMissingCp;
  size_t body_start = cp + 5;
  // CP is the last field: its closing "&&" is the last one in the segment.
  size_t close = s.rfind("&&");
  if (close == std::string_view::npos || close < body_start) return Error::kCpUnterminated;
  if (close + 2 != s.size()) out->warnings_.push_back("bytes after the closing && of CP");

  PacketParser::Header(s, cp, out);
  // With tokens (and no log text, whose //...// may hide separators) the scanner
  // jumps from separator to separator; otherwise it walks the bytes.
  out->cp_.reserve(32);
  if (tokens && !tokens->has_slash)
    PacketParser::CpByTokens(s, body_start, close, *tokens, out);
  else
    PacketParser::CpByBytes(s, body_start, close, out);

  // Flag: absent means 0 (HJ/T 212-2005 uploads often omit it).
  PacketParser::Flag(out);
  auto mn = out->Header("MN");
  auto cn = out->Header("CN");
  bool ack_2005 = options.accept_2005_ack_without_mn && cn && *cn == "9014" && out->version() == 0;
  if (!cn || cn->empty() || ((!mn || mn->empty()) && !ack_2005)) return Error::kMissingField;
  PacketParser::WarnFields(mn, cn, out);
  return Error::kNone;
}

std::string RedactPassword(std::string_view frame) {
  std::string out;
  out.reserve(frame.size());
  size_t i = 0;
  while (i < frame.size()) {
    size_t at = frame.find("PW=", i);
    if (at == std::string_view::npos) break;
    bool item_start = at == 0 || frame[at - 1] == ';' ||
                      (at == 6 && frame.substr(0, 2) == "##");  // right after ##dddd
    size_t value = at + 3;
    out.append(frame.substr(i, value - i));
    i = value;
    if (!item_start) continue;
    size_t end = frame.find_first_of(";&", value);
    if (end == std::string_view::npos) end = frame.size();
    out += "******";
    i = end;
  }
  out.append(frame.substr(i));
  return out;
}

}  // namespace ecohub::hj212
