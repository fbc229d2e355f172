#include "hj212/builder.h"

#include <cstdio>

#include "hj212/crc.h"

namespace ecohub::hj212 {

namespace {
constexpr std::string_view kOrder[] = {"QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO"};

std::string_view Prefix(std::string_view key) {
  size_t dash = key.find('-');
  return dash == std::string_view::npos ? std::string_view() : key.substr(0, dash);
}
}  // namespace

std::string BuildSegment(const std::vector<Field>& header, const std::vector<Field>& cp) {
  std::string out;
  out.reserve(64 + cp.size() * 24);
  for (auto key : kOrder)
    for (const auto& f : header)
      if (f.key == key) {
        out.append(f.key).append("=").append(f.value).append(";");
        break;
      }
  out += "CP=&&";
  std::string_view prev;
  for (size_t i = 0; i < cp.size(); ++i) {
    std::string_view prefix = Prefix(cp[i].key);
    if (i > 0) out += !prefix.empty() && prefix == prev ? ',' : ';';
    out.append(cp[i].key).append("=").append(cp[i].value);
    prev = prefix;
  }
  out += "&&";
  return out;
}

std::string RebuildSegment(const Packet& p) {
  std::string out;
  for (auto key : kOrder)
    if (auto v = p.Header(key)) out.append(key).append("=").append(*v).append(";");
  out += "CP=&&";
  for (size_t i = 0; i < p.cp_count(); ++i) {
    if (i > 0) out += p.cp_separator(i);
    out.append(p.cp_key(i)).append("=").append(p.cp_value(i));
  }
  out += "&&";
  return out;
}

std::string Frame(std::string_view segment, bool with_tail) {
  char head[8], crc[8];
  std::snprintf(head, sizeof head, "##%04u", static_cast<unsigned>(segment.size() % 10000));
  std::snprintf(crc, sizeof crc, "%04X", Crc16(segment));
  std::string out;
  out.reserve(segment.size() + 12);
  out.append(head).append(segment).append(crc);
  if (with_tail) out += "\r\n";
  return out;
}

}  // namespace ecohub::hj212
