#include "app/demo_complaints.h"

#include <cstdio>

#include "registry/boundaries.h"

namespace ecohub::app {

namespace {

using casework::Complaint;
using casework::ComplaintChange;
using casework::ComplaintStatus;
using casework::Step;

struct Story {
  const char* category;
  const char* description;
  const char* reply;
};

// What people report, and what a bureau answers.
constexpr Story kStories[] = {
    {"air", "附近工厂烟囱冒黑烟，气味刺鼻，晚上尤其明显。",
     "经现场核查，该企业除尘设施故障，已责令停产整改并立案调查，整改完成前不得恢复生产。"},
    {"air", "有人在空地露天焚烧垃圾和秸秆，烟很大。",
     "执法人员到场时已扑灭，已对责任人批评教育并清理现场，网格员将加强巡查。"},
    {"air", "楼下餐馆油烟直排，熏得家里开不了窗。",
     "经检查，该餐馆油烟净化器未正常运行，已责令限期清洗维护，复查合格。"},
    {"water", "河边有一根管子往河里排黑水，有臭味。",
     "经排查为雨污混接管道，已通知管理单位封堵并改造，采样结果已送检。"},
    {"water", "河面上漂着不少死鱼，水发绿。",
     "经监测，溶解氧偏低系高温和藻类繁殖所致，未发现违法排污，已加强监测频次。"},
    {"noise", "工地夜里十一点后还在施工，噪声很大，影响休息。",
     "该工地无夜间施工许可，已责令立即停止夜间作业并依法处理。"},
    {"noise", "商铺门口音响声音太大，从早放到晚。",
     "已会同街道对商户进行劝导，音响已移入室内并调低音量。"},
    {"solid_waste", "路边被倾倒了一大堆建筑垃圾。", "已联系属地街道清运，并调取监控追查倾倒者。"},
    {"ecology", "河滩上有人挖沙，挖掘机白天晚上都在干。",
     "已移交水务部门联合查处，非法采砂设备已扣押。"},
    {"other", "小区旁边有个废品站，味道很大，污水横流。",
     "经核查，该废品站无经营手续，已联合属地取缔。"},
};

// A small deterministic spread, so that the points are not all one dot.
double Jitter(int i, int salt) { return (((i * 7919 + salt * 104729) % 2001) - 1000) / 100000.0; }

}  // namespace

Status SeedDemoComplaints(casework::ComplaintStore& store, const crypto::Sealer& sealer,
                          const std::vector<registry::District>& districts, int64_t now,
                          int count) {
  std::vector<const registry::District*> active;
  for (const auto& d : districts)
    if (d.active) active.push_back(&d);
  if (active.empty()) return Status::Ok();
  registry::DistrictLocator where(districts);
  constexpr int64_t kDay = casework::kDaySeconds;
  for (int i = 0; i < count; ++i) {
    const registry::District& d = *active[(i * 5) % active.size()];
    const Story& story = kStories[i % std::size(kStories)];
    Complaint c;
    // Spread over the last 30 days, in the daytime (Beijing), none in the future.
    int64_t day = now + 8 * 3600 - (now + 8 * 3600) % kDay - 8 * 3600;
    c.submitted_at =
        day - (count - 1 - i) * 30 / count * kDay + (8 + i % 11) * 3600 + (i * 17 % 60) * 60;
    if (c.submitted_at > now) c.submitted_at = now - (count - i) * 1200;
    c.category = story.category;
    c.description = story.description;
    double lon = d.lon + Jitter(i, 1), lat = d.lat + Jitter(i, 2);
    if (where.Find(lon, lat) != d.id) lon = d.lon, lat = d.lat;
    c.lon = lon;
    c.lat = lat;
    c.observed_at = c.submitted_at - 2 * 3600;
    c.district_id = d.id;
    c.deadline = casework::ReplyDeadline(c.submitted_at);
    c.month = casework::BeijingMonth(c.submitted_at);
    c.source = "portal";
    if (i % 3 == 0) {
      char phone[24];
      std::snprintf(phone, sizeof phone, "139%08d", 10000000 + i * 7331);
      auto sealed = sealer.Seal(phone);
      if (!sealed.ok()) return sealed.status();
      c.phone = std::move(*sealed);
    }
    char code[24];
    std::snprintf(code, sizeof code, "DEM0%08d", i + 1);  // Crockford: no letter O
    c.tracking_code = code;
    auto added = store.Add(c, {0, c.submitted_at, Step::kSubmit, "public", ""});
    if (added.status().code() == Code::kConflict) continue;  // seeded before
    if (!added.ok()) return added.status();
    // Its steps so far: a day to accept, a few more to reply, a day for the rating.
    // The older ones are done; some of the middle ones are past their deadline.
    int64_t age = now - c.submitted_at;
    Complaint at = *added;
    auto step = [&](Step s, ComplaintStatus to, int64_t when, std::string text) -> Status {
      Complaint next = at;
      next.status = to;
      if (s == Step::kReply) next.reply = text, next.replied_at = when;
      if (s == Step::kRate) next.score = 3 + i % 3, next.rating_comment = "";
      ComplaintChange change{next, {{at.id, when, s, s == Step::kRate ? "public" : "demo", text}}};
      if (Status st = store.Apply({&change, 1}); !st.ok()) return st;
      next.version = at.version + 1;
      at = next;
      return Status::Ok();
    };
    bool overdue = i % 9 == 4;  // a few left in hand past their deadline
    if (age > kDay) {
      if (Status s = step(Step::kAccept, ComplaintStatus::kAccepted, c.submitted_at + kDay / 2, "");
          !s.ok())
        return s;
    }
    if (age > 3 * kDay && i % 4 == 1) {
      if (Status s = step(Step::kDispatch, ComplaintStatus::kDispatched, c.submitted_at + kDay,
                          "请属地核查处理");
          !s.ok())
        return s;
    }
    if (age > 6 * kDay && !overdue) {
      if (Status s =
              step(Step::kReply, ComplaintStatus::kReplied, c.submitted_at + 5 * kDay, story.reply);
          !s.ok())
        return s;
      if (age > 9 * kDay && i % 5 != 0) {
        std::string text = std::to_string(3 + i % 3) + "分";
        if (Status s = step(Step::kRate, ComplaintStatus::kClosed, c.submitted_at + 7 * kDay, text);
            !s.ok())
          return s;
      }
    }
  }
  return Status::Ok();
}

}  // namespace ecohub::app
