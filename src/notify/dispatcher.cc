#include "notify/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/factors.h"

namespace ecohub::notify {

namespace {

constexpr std::string_view kAlarmSource = "alarms";
constexpr std::string_view kTaskSource = "tasks";
constexpr std::string_view kComplaintSource = "complaints";

// A value as people write it: at most three decimals, no trailing zeros.
std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
    bool dot = s.back() == '.';
    s.pop_back();
    if (dot) break;
  }
  return s;
}

// "2026-12-07 19:30" of `t` (China Standard Time).
std::string Minute(UnixSeconds t) {
  std::string s = FormatRfc3339Beijing(t);
  return s.size() >= 16 ? s.substr(0, 10) + " " + s.substr(11, 5) : s;
}

// Every alarm with an id above `above`, in id order.
Result<std::vector<store::Alarm>> AlarmsAbove(store::AlarmStore& alarms, int64_t above) {
  std::vector<store::Alarm> out;
  store::AlarmFilter f;
  f.above_id = above;
  f.limit = 500;
  for (;;) {
    auto page = alarms.QueryAlarms(f);
    if (!page.ok()) return page.status();
    out.insert(out.end(), page->begin(), page->end());
    if (page->size() < f.limit) break;
    f.after = std::make_pair(page->back().started, page->back().id);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace

Event EventOfAlarm(const store::Alarm& a, const std::string& site_name) {
  Event e;
  e.ref = "alarm:" + std::to_string(a.id);
  e.kind = "alarm." + a.kind;
  e.district_id = a.district_id;
  e.enterprise_id = a.enterprise_id;
  e.at = a.started;
  e.link = "/console/alarms?id=" + std::to_string(a.id);
  std::string site = site_name.empty() ? a.site_code : site_name;
  const Factor* factor = FindFactor(a.factor);
  std::string item = factor ? std::string(factor->name_zh) : a.factor;
  std::string unit = a.unit.empty() ? "" : " " + a.unit;
  if (a.kind == "exceedance") {
    e.severity = Severity::kCritical;
    e.title = "超标告警：" + site + " " + item;
    e.body = site + "（" + a.site_code + "）" + item + "超标";
    if (a.value) e.body += "，峰值 " + Number(*a.value) + unit;
    if (a.limit) e.body += "，限值 " + Number(*a.limit) + unit;
  } else if (a.kind == "offline") {
    e.severity = Severity::kWarning;
    e.title = "设备离线：" + site;
    e.body = site + "（" + a.site_code + "）的监测设备已停止上报数据";
  } else {
    e.severity = Severity::kInfo;
    e.title = "数据异常：" + site + (item.empty() ? "" : " " + item);
    e.body = site + "（" + a.site_code + "）" + item + "的数据有异常";
    nlohmann::json d = nlohmann::json::parse(a.detail, nullptr, false);
    if (d.is_object() && d.contains("reason") && d["reason"].is_string())
      e.body += "：" + d["reason"].get<std::string>();
  }
  e.body += "。开始于 " + Minute(a.started) + "。";
  return e;
}

std::optional<TaskNews> NewsOfTaskStep(const casework::TaskEvent& step,
                                       const casework::Task& task) {
  TaskNews n;
  Event& e = n.event;
  e.ref = "task-step:" + std::to_string(step.id);
  e.district_id = task.district_id;
  e.at = step.at;
  e.link = "/console/tasks?id=" + std::to_string(task.id);
  std::string due = "截止 " + Minute(task.due_at) + "。";
  std::string where = task.address.empty() ? "" : "地点：" + task.address + "。";
  switch (step.step) {
    case casework::TaskStep::kAssign:
      e.kind = "task.assigned";
      e.severity = Severity::kWarning;
      e.title = "新任务：" + task.title;
      e.body = due + where;
      n.direct = {task.assignee};
      break;
    case casework::TaskStep::kReturn:
      e.kind = "task.returned";
      e.severity = Severity::kWarning;
      e.title = "任务退回：" + task.title;
      e.body = "退回原因：" + step.text + "。" + due;
      n.direct = {task.assignee};
      break;
    case casework::TaskStep::kSubmit:
      e.kind = "task.submitted";
      e.severity = Severity::kInfo;
      e.title = "任务待审核：" + task.title;
      e.body = "巡查员已提交现场记录。" + where;
      break;
    case casework::TaskStep::kEscalate:
      e.kind = "task.escalated";
      e.severity = Severity::kCritical;
      e.title = "任务超期：" + task.title;
      e.body = step.text + (step.text.empty() ? "" : "。") + due;
      break;
    default:
      return std::nullopt;
  }
  if (n.direct.size() == 1 && n.direct[0] == 0) n.direct.clear();
  return n;
}

std::optional<Event> NewsOfComplaintStep(const casework::ComplaintEvent& step,
                                         const casework::Complaint& c) {
  Event e;
  e.ref = "complaint-step:" + std::to_string(step.id);
  e.district_id = c.district_id;
  e.at = step.at;
  e.link = "/console/complaints?id=" + std::to_string(c.id);
  const casework::Category* category = casework::FindCategory(c.category);
  std::string what = category ? std::string(category->name) : c.category;
  std::string where = c.address.empty() ? "" : "，" + c.address;
  std::string due = c.deadline ? "答复期限 " + Minute(c.deadline) + "。" : "";
  e.body = "举报编号 " + c.tracking_code + "，" + what + "类" + where + "。" + due;
  switch (step.step) {
    case casework::Step::kSubmit:
      e.kind = "complaint.received";
      e.severity = Severity::kWarning;
      e.title = "新举报：" + what + where;
      break;
    case casework::Step::kDispatch:
      e.kind = "complaint.dispatched";
      e.severity = Severity::kWarning;
      e.title = "举报派至本区：" + what + where;
      break;
    case casework::Step::kReopen:
      e.kind = "complaint.reopened";
      e.severity = Severity::kCritical;
      e.title = "举报人不满意，重新打开：" + what + where;
      break;
    default:
      return std::nullopt;
  }
  return e;
}

Result<int64_t> Dispatcher::PublishFrom(std::string_view source, const RaisedSince& raised_since,
                                        UnixSeconds now) {
  auto cursor = notify_.Cursor(source);
  if (!cursor.ok()) return cursor.status();
  auto raised = raised_since(cursor->value_or(0), !*cursor);
  if (!raised.ok()) return raised.status();
  if (!*cursor) {  // a new deployment: what is there already is not news
    int64_t highest = raised->empty() ? 0 : raised->back().id;
    spdlog::info("[notify] first pass: {} up to {} are not announced", source, highest);
    return notify_.Publish(source, highest, {}, now);
  }
  if (raised->empty()) return int64_t{0};
  auto subs = notify_.Subscriptions(0);
  if (!subs.ok()) return subs.status();

  // The owners' rights, asked once per owner and kind of thing (an account read and the
  // policy) however many events of the pass share them.
  std::map<std::tuple<int64_t, std::string, int64_t, int64_t>, bool> rights;
  auto may_see = [&](int64_t user, const Event& e) {
    auto key = std::make_tuple(user, e.kind, e.district_id, e.enterprise_id);
    auto it = rights.find(key);
    if (it == rights.end()) it = rights.emplace(key, audience_.may_see(user, e)).first;
    return it->second;
  };
  std::vector<Fanout> fanouts;
  for (const Raised& r : *raised) {
    if (!r.event) continue;
    Fanout f{*r.event, r.direct, {}};
    for (const Subscription& s : *subs) {
      bool subject = std::find(r.direct.begin(), r.direct.end(), s.user_id) != r.direct.end();
      if (!Wants(s, f.event, now) || !(subject || may_see(s.user_id, f.event))) continue;
      if (s.channel != Channel::kInbox) {
        f.subscriptions.push_back(s.id);
      } else if (std::find(f.inbox_users.begin(), f.inbox_users.end(), s.user_id) ==
                 f.inbox_users.end()) {
        f.inbox_users.push_back(s.user_id);
      }
    }
    fanouts.push_back(std::move(f));
  }
  return notify_.Publish(source, raised->back().id, fanouts, now);
}

Result<int64_t> Dispatcher::PublishAlarms(UnixSeconds now) {
  return PublishFrom(
      kAlarmSource,
      [&](int64_t above, bool first) -> Result<std::vector<Raised>> {
        auto alarms = AlarmsAbove(alarms_, above);
        if (!alarms.ok()) return alarms.status();
        std::vector<Raised> out;
        for (const store::Alarm& a : *alarms) {
          Raised r{a.id, std::nullopt, {}};
          // Ended before anyone could be told (suppressed by a declaration): not news.
          if (!first && a.status != "closed")
            r.event = EventOfAlarm(a, audience_.site_name ? audience_.site_name(a.site_id) : "");
          out.push_back(std::move(r));
        }
        return out;
      },
      now);
}

// Every line of a store's time lines after `above` (StepsAfter in pages), each turned
// into a Raised by `news(line)` unless this is the first pass.
template <typename Store, typename News>
auto StepsSince(Store& store, int64_t above, bool first, News news)
    -> Result<std::vector<Dispatcher::Raised>> {
  std::vector<Dispatcher::Raised> out;
  constexpr size_t kPage = 500;
  for (;;) {
    auto steps = store.StepsAfter(above, kPage);
    if (!steps.ok()) return steps.status();
    for (const auto& step : *steps) {
      Dispatcher::Raised r{step.id, std::nullopt, {}};
      if (!first)
        if (Status s = news(step, &r); !s.ok()) return s;
      out.push_back(std::move(r));
    }
    if (steps->size() < kPage) break;
    above = steps->back().id;
  }
  return out;
}

Result<int64_t> Dispatcher::PublishTasks(UnixSeconds now) {
  if (!tasks_) return int64_t{0};
  return PublishFrom(
      kTaskSource,
      [&](int64_t above, bool first) {
        return StepsSince(*tasks_, above, first,
                          [&](const casework::TaskEvent& step, Raised* r) -> Status {
                            auto task = tasks_->Get(step.task_id);
                            if (!task.ok()) return task.status();
                            if (auto news = NewsOfTaskStep(step, *task)) {
                              r->event = std::move(news->event);
                              r->direct = std::move(news->direct);
                            }
                            return Status::Ok();
                          });
      },
      now);
}

Result<int64_t> Dispatcher::PublishComplaints(UnixSeconds now) {
  if (!complaints_) return int64_t{0};
  return PublishFrom(
      kComplaintSource,
      [&](int64_t above, bool first) {
        return StepsSince(*complaints_, above, first,
                          [&](const casework::ComplaintEvent& step, Raised* r) -> Status {
                            auto c = complaints_->Get(step.complaint_id);
                            if (!c.ok()) return c.status();
                            r->event = NewsOfComplaintStep(step, *c);
                            return Status::Ok();
                          });
      },
      now);
}

Status Dispatcher::Send(const Subscription& s, const Event& e, int64_t delivery_id,
                        UnixSeconds now) {
  auto target = senders_.open(s.target);
  if (!target.ok()) return target.status();
  switch (s.channel) {
    case Channel::kInbox:
      return Status::Ok();
    case Channel::kWebhook:
    case Channel::kSms: {
      bool sms = s.channel == Channel::kSms;
      if (sms && options_.sms_url.empty())
        return Status(Code::kUnavailable, "no SMS gateway is configured ([notify.sms] url)");
      HttpCall call;
      call.method = "POST";
      call.url = sms ? options_.sms_url : *target;
      call.body =
          sms ? nlohmann::json{{"phone", *target}, {"text", SmsText(e)}, {"ref", e.ref}}.dump()
              : WebhookBody(e);
      std::string secret = options_.sms_secret;
      if (!sms) {
        auto opened = senders_.open(s.secret);
        if (!opened.ok()) return opened.status();
        secret = *opened;
      }
      call.headers = {{"Content-Type", "application/json; charset=utf-8"},
                      {"User-Agent", "EcoHub-Notify/1"},
                      {"X-EcoHub-Event", e.kind},
                      {"X-EcoHub-Delivery", std::to_string(delivery_id)}};
      if (!secret.empty()) {
        auto sig = WebhookSignature(secret, now, call.body);
        if (!sig.ok()) return sig.status();
        call.headers.emplace_back("X-EcoHub-Signature", *sig);
      }
      auto reply = senders_.fetch(call);
      if (!reply.ok()) return reply.status();
      if (reply->status < 200 || reply->status > 299)
        return Status(Code::kUnavailable,
                      "the receiver answered HTTP " + std::to_string(reply->status));
      return Status::Ok();
    }
    case Channel::kEmail: {
      if (options_.mail_from.empty() || !senders_.mail)
        return Status(Code::kUnavailable, "no SMTP server is configured ([notify.smtp])");
      Mail m = MailOf(e, options_.mail_from, *target, options_.console_url);
      std::string id = std::to_string(delivery_id) + "." + std::to_string(now) + "@ecohub";
      return senders_.mail(m.from, m.to, MailMessage(m, now, id));
    }
  }
  return Status::Ok();
}

Status Dispatcher::SendNow(const Subscription& s, const Event& e, UnixSeconds now) {
  return Send(s, e, 0, now);
}

Result<int64_t> Dispatcher::DeliverDue(UnixSeconds now) {
  auto due = notify_.Due(now, options_.batch);
  if (!due.ok()) return due.status();
  std::map<int64_t, std::optional<Subscription>> subs;
  // Subscriptions whose receiver failed in this pass, with when to try again: their
  // other deliveries wait as long, untried, so that one dead receiver costs one
  // timeout per pass rather than one per message (and never stalls the others).
  std::map<int64_t, UnixSeconds> failed;
  int64_t sent = 0;
  for (Delivery d : *due) {
    if (auto f = failed.find(d.subscription_id); f != failed.end()) {
      d.next_at = f->second;
      if (Status r = notify_.RecordAttempt(d); !r.ok()) return r;
      continue;
    }
    auto it = subs.find(d.subscription_id);
    if (it == subs.end()) {
      auto s = notify_.GetSubscription(d.subscription_id);
      if (!s.ok() && s.status().code() != Code::kNotFound) return s.status();
      it = subs.emplace(d.subscription_id, s.ok() ? std::optional(*s) : std::nullopt).first;
    }
    ++d.attempts;
    bool usable = it->second && it->second->enabled;
    Status st = !it->second ? Status::NotFound("the subscription was removed")
                : !usable   ? Status(Code::kUnavailable, "the subscription is off")
                            : Send(*it->second, d.event, d.id, now);
    std::optional<int64_t> wait;
    if (!st.ok() && usable) wait = RetryAfter(d.attempts);
    if (st.ok()) {
      d.state = DeliveryState::kSent;
      d.done_at = now;
      d.last_error.clear();
      ++sent;
    } else {
      d.last_error = st.message().substr(0, 500);
      // Given up on this one: the others of the receiver still wait a minute.
      if (usable) failed[d.subscription_id] = now + (wait ? *wait : int64_t{60});
      if (wait) {
        d.next_at = now + *wait;
      } else {
        d.state = DeliveryState::kFailed;
        d.done_at = now;
        spdlog::warn("[notify] delivery {} of {} on subscription {} given up after {} attempts: {}",
                     d.id, d.event.ref, d.subscription_id, d.attempts, d.last_error);
      }
    }
    if (Status r = notify_.RecordAttempt(d); !r.ok()) return r;
  }
  return sent;
}

void Dispatcher::RunOnce() {
  if (leads_ && !leads_()) return;
  std::lock_guard lock(run_mu_);
  UnixSeconds now = clock_.WallSeconds();
  auto published = PublishAlarms(now);
  if (!published.ok())
    spdlog::error("[notify] publishing alarms failed: {}", published.status().ToString());
  else if (*published > 0)
    spdlog::info("[notify] {} new alarms published", *published);
  auto steps = PublishTasks(now);
  if (!steps.ok())
    spdlog::error("[notify] publishing task steps failed: {}", steps.status().ToString());
  else if (*steps > 0)
    spdlog::info("[notify] {} task steps published", *steps);
  auto cases = PublishComplaints(now);
  if (!cases.ok())
    spdlog::error("[notify] publishing complaint steps failed: {}", cases.status().ToString());
  else if (*cases > 0)
    spdlog::info("[notify] {} complaint steps published", *cases);
  auto sent = DeliverDue(now);
  if (!sent.ok())
    spdlog::error("[notify] deliveries failed: {}", sent.status().ToString());
  else if (*sent > 0)
    spdlog::info("[notify] {} messages delivered", *sent);
}

void Dispatcher::Start() {
  periodic_.Start(std::chrono::seconds(options_.interval_seconds), [this] { RunOnce(); });
}

void Dispatcher::Stop() { periodic_.Stop(); }

}  // namespace ecohub::notify
