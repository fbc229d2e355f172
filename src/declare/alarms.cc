#include "declare/alarms.h"

#include <nlohmann/json.hpp>

namespace ecohub::declare {
namespace {

using nlohmann::json;

std::string CloseComment(const json& decl) {
  std::string kind = decl.value("kind", "");
  return "suppressed by declaration " + std::to_string(decl.value("id", int64_t{0})) + " (" +
         std::string(KindLabel(kind)) + " " + kind + ")";
}

}  // namespace

Effect Annotate(std::span<const Declaration> declarations, store::Alarm* a) {
  for (const Declaration& d : declarations) {
    if (d.site_id != a->site_id || !Covers(d, a->started)) continue;
    Effect e = RuleFor(d.kind, a->kind);
    if (e == Effect::kNone) return e;
    json detail = json::parse(a->detail, nullptr, false);
    if (!detail.is_object()) detail = json::object();
    detail["declaration"] = {{"id", d.id}, {"kind", d.kind}, {"effect", EffectName(e)}};
    a->detail = detail.dump(-1, ' ', false, json::error_handler_t::replace);
    return e;
  }
  return Effect::kNone;
}

bool Suppressed(const store::Alarm& a) {
  json detail = json::parse(a.detail, nullptr, false);
  if (!detail.is_object() || !detail.contains("declaration")) return false;
  const json& d = detail["declaration"];
  return d.is_object() && d.value("effect", "") == "suppress";
}

Result<int64_t> CloseSuppressed(store::AlarmStore& alarms, std::span<const store::Alarm> suppressed,
                                UnixSeconds now) {
  int64_t closed = 0;
  for (const store::Alarm& a : suppressed) {
    // The stored row: the same key, found among the outlet's alarms of that start.
    store::AlarmFilter f;
    f.site_id = a.site_id;
    f.kind = a.kind;
    f.from = a.started;
    f.to = a.started + 1;
    auto got = alarms.QueryAlarms(f);
    if (!got.ok()) return got.status();
    for (const store::Alarm& s : *got) {
      if (s.key != a.key || s.status == "closed") continue;
      json decl = json::parse(a.detail, nullptr, false)["declaration"];
      auto moved = alarms.TransitionAlarm(
          s.id, "closed", "declaration:" + std::to_string(decl.value("id", int64_t{0})),
          CloseComment(decl), now);
      // A person closing it at the same moment is as good.
      if (!moved.ok() && moved.status().code() != Code::kConflict) return moved.status();
      closed += moved.ok();
    }
  }
  return closed;
}

Result<Applied> ApplyToAlarms(store::AlarmStore& alarms, const Declaration& d, UnixSeconds now) {
  store::AlarmFilter f;
  f.site_id = d.site_id;
  f.from = d.from;
  f.to = d.to ? *d.to : now + 1;
  f.limit = 1'000'000;
  auto got = alarms.QueryAlarms(f);
  if (!got.ok()) return got.status();
  Applied out;
  std::vector<store::Alarm> changed, suppressed;
  const Declaration one[] = {d};
  for (store::Alarm a : *got) {
    std::string before = a.detail;
    Effect e = Annotate(one, &a);
    if (e == Effect::kNone) continue;
    if (a.detail != before) {
      changed.push_back(a);
      ++out.annotated;
    }
    if (e == Effect::kSuppress && a.status != "closed") suppressed.push_back(a);
  }
  // UpsertAlarms changes only the detail (and the fields the sync owns) of a row.
  if (Status s = alarms.UpsertAlarms(changed); !s.ok()) return s;
  auto closed = CloseSuppressed(alarms, suppressed, now);
  if (!closed.ok()) return closed.status();
  out.closed = *closed;
  return out;
}

}  // namespace ecohub::declare
