#include "hj212/reply.h"

namespace ecohub::hj212 {

namespace {
std::string Get(const Packet& p, std::string_view key) {
  auto v = p.Header(key);
  return v ? std::string(*v) : std::string();
}

// Flag of a reply: version bits kept, A and D cleared.
std::string ReplyFlag(const Packet& p) { return std::to_string(p.version() << 2); }
}  // namespace

std::string DataAck(const Packet& upload) {
  if (upload.version() == 0) {
    std::vector<Field> cp = {{"QN", Get(upload, "QN")}, {"CN", Get(upload, "CN")}};
    if (upload.split()) {  // HJ/T 212-2005 Appendix C: a part's ack names the part
      cp.push_back({"PNO", Get(upload, "PNO")});
      cp.push_back({"PNUM", Get(upload, "PNUM")});
    }
    return Frame(BuildSegment({{"ST", "91"}, {"CN", "9014"}}, cp));
  }
  std::vector<Field> h = {{"QN", Get(upload, "QN")},
                          {"ST", "91"},
                          {"CN", "9014"},
                          {"PW", Get(upload, "PW")},
                          {"MN", Get(upload, "MN")},
                          {"Flag", ReplyFlag(upload)}};
  return Frame(BuildSegment(h, {}));
}

std::string NotifyAck(const Packet& notify) {
  if (notify.version() == 0) {
    return Frame(BuildSegment({{"ST", "91"},
                               {"CN", "9013"},
                               {"PW", Get(notify, "PW")},
                               {"MN", Get(notify, "MN")},
                               {"Flag", "0"}},
                              {{"QN", Get(notify, "QN")}}));
  }
  return Frame(BuildSegment({{"QN", Get(notify, "QN")},
                             {"ST", "91"},
                             {"CN", "9013"},
                             {"PW", Get(notify, "PW")},
                             {"MN", Get(notify, "MN")},
                             {"Flag", ReplyFlag(notify)}},
                            {}));
}

std::string Request(std::string_view qn, std::string_view st, std::string_view cn,
                    std::string_view pw, std::string_view mn, int version,
                    const std::vector<Field>& cp) {
  std::vector<Field> h = {{"QN", std::string(qn)}, {"ST", std::string(st)},
                          {"CN", std::string(cn)}, {"PW", std::string(pw)},
                          {"MN", std::string(mn)}, {"Flag", std::to_string(version << 2 | 1)}};
  return Frame(BuildSegment(h, cp));
}

}  // namespace ecohub::hj212
