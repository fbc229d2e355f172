// What the host (EcoHub's gateway) sends to a device (digest §7). Whole frames with
// tail. Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hj212/builder.h"
#include "hj212/packet.h"

namespace ecohub::hj212 {

// 9014 data answer to an upload that set the A bit. HJ 212-2017 C.14ff: echo QN, PW,
// MN; ST=91; Flag with the A and D bits cleared, version kept (Flag=4 for 2017);
// CP=&&&&. For version-0 (HJ/T 212-2005) devices the 2005 form, which has no PW or MN:
// "ST=91;CN=9014;CP=&&QN=<qn>;CN=<cn>&&" (2005 Appendix C ex. 6). Each part of a split
// upload is answered on its own, echoing that part's QN.
std::string DataAck(const Packet& upload);

// 9013 notify answer (1013, 2005's 2072): 2017 "QN=…;ST=91;CN=9013;PW;MN;Flag=4;CP=&&&&",
// 2005 "ST=91;CN=9013;PW;MN;Flag=0;CP=&&QN=…&&".
std::string NotifyAck(const Packet& notify);

// A host request with the A bit set: "QN;ST;CN;PW;MN;Flag=<version<<2|1>;CP=&&…&&".
// 1012 sets the clock (SystemTime), 2051/2061 pull history (BeginTime, EndTime).
std::string Request(std::string_view qn, std::string_view st, std::string_view cn,
                    std::string_view pw, std::string_view mn, int version,
                    const std::vector<Field>& cp);

}  // namespace ecohub::hj212
