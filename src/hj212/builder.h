// Building HJ 212 packets: data segments in the standard field order and whole frames
// with length and CRC. Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hj212/packet.h"

namespace ecohub::hj212 {

struct Field {
  std::string key, value;
};

// "QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;PNUM=…;PNO=…;CP=&&k=v;k=v&&". Header fields are
// emitted in the standard order (HJ 212-2017 table 3) whatever their order in
// `header`; keys outside it are ignored. In CP, consecutive pairs of the same factor
// ("w01018-Rtd", "w01018-Flag") share an item joined by ',' as the standard's
// examples do; other pairs are separated by ';'.
std::string BuildSegment(const std::vector<Field>& header, const std::vector<Field>& cp);

// The same packet again from a parse: header in the standard order, CP pairs with
// the separators they arrived with.
std::string RebuildSegment(const Packet& packet);

// "##" + 4-digit length + segment + 4 upper-case hex CRC digits (+ "\r\n").
std::string Frame(std::string_view segment, bool with_tail = true);

}  // namespace ecohub::hj212
