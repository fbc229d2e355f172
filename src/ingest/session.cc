#include "ingest/session.h"

#include <algorithm>
#include <charconv>

#include "hj212/reply.h"

namespace ecohub::ingest {

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kStored:
      return "stored";
    case Verdict::kNoData:
      return "no_data";
    case Verdict::kReply:
      return "reply";
    case Verdict::kNotify:
      return "notify";
    case Verdict::kKeptRaw:
      return "kept_raw";
    case Verdict::kUnknownMn:
      return "unknown_mn";
    case Verdict::kBadPassword:
      return "bad_password";
    case Verdict::kBadDataTime:
      return "bad_datatime";
    case Verdict::kUnexpectedReply:
      return "unexpected_reply";
  }
  return "unknown";
}

namespace {

std::string_view Or(std::optional<std::string_view> v) { return v ? *v : std::string_view(); }

// "w01018-Rtd" -> ("w01018", "Rtd"). The factor may itself contain '-' in private
// codes ("aqms-1"), so split at the last one.
bool SplitKey(std::string_view key, std::string_view* factor, std::string_view* field) {
  size_t dash = key.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == key.size()) return false;
  *factor = key.substr(0, dash);
  *field = key.substr(dash + 1);
  return true;
}

int64_t IntervalSeconds(Period p, int64_t minute_step) {
  switch (p) {
    case Period::kMinute:
      return minute_step;
    case Period::kHour:
      return 3600;
    default:
      return 0;
  }
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::vector<Reading>> ExtractReadings(const hj212::Packet& packet, Period period,
                                                    std::string_view mn, int64_t utc_offset) {
  auto dt = packet.Cp("DataTime");
  if (!dt) return std::nullopt;
  auto t = ParseCompactLocal(*dt, utc_offset);
  if (!t) return std::nullopt;
  std::vector<Reading> out;
  // Flags first: a factor's -Flag may come before or after its values.
  std::vector<std::pair<std::string_view, char>> flags;  // a few per packet: no map
  for (size_t i = 0; i < packet.cp_count(); ++i) {
    std::string_view factor, field;
    if (SplitKey(packet.cp_key(i), &factor, &field) && field == "Flag" &&
        !packet.cp_value(i).empty())
      flags.emplace_back(factor, packet.cp_value(i)[0]);
  }
  out.reserve(packet.cp_count());
  for (size_t i = 0; i < packet.cp_count(); ++i) {
    std::string_view factor, field, value = packet.cp_value(i);
    if (!SplitKey(packet.cp_key(i), &factor, &field) || !IsValueField(field) || value.empty())
      continue;
    Reading r;
    r.mn = mn;
    r.period = period;
    r.time = *t;
    r.factor = factor;
    r.field = field;
    r.value = value;
    r.flag = 0;
    for (const auto& [name, flag] : flags)
      if (name == factor) r.flag = flag;
    out.push_back(std::move(r));
  }
  return out;
}

Session::Session(const registry::Registry& registry, const SessionOptions& options,
                 Metrics& metrics)
    : registry_(registry),
      options_(options),
      metrics_(metrics),
      utc_offset_(options.default_utc_offset) {}

std::string Session::NewQn(int64_t now_ms) {
  // QNs of one connection must differ: bump by 1 ms when two requests share a ms.
  if (now_ms <= last_qn_ms_) now_ms = last_qn_ms_ + 1;
  last_qn_ms_ = now_ms;
  return FormatQn(now_ms, utc_offset_);
}

PendingRequest& Session::SendRequest(std::string_view cn, const std::vector<hj212::Field>& cp,
                                     int64_t now_ms, Outcome* out, std::string qn) {
  PendingRequest r;
  r.qn = qn.empty() ? NewQn(now_ms) : std::move(qn);
  r.cn = cn;
  r.frame = hj212::Request(r.qn, st_.empty() ? "32" : st_, cn, pw_, mn_, version_, cp);
  r.deadline_ms = now_ms + options_.request_timeout_ms;
  out->send_now.push_back(r.frame);
  metrics_
      .counter("ecohub_gateway_host_requests_total{cn=\"" + std::string(cn) + "\"}",
               "Host-side requests sent to devices")
      ->Add();
  std::string key = r.qn;
  return pending_[key] = std::move(r);
}

RequestEvent Session::EventOf(const PendingRequest& r, std::string status, std::string code) {
  RequestEvent e;
  e.qn = r.qn;
  e.cn = r.cn;
  e.command_id = r.command_id;
  e.status = std::move(status);
  e.code = std::move(code);
  e.result = r.result;
  e.records = static_cast<int64_t>(r.got.size());
  e.recovery = r.gap_id != 0;
  return e;
}

void Session::Finish(PendingRequest& r, std::string status, std::string code, int64_t now_ms,
                     Outcome* out) {
  // A device told its new minute interval has it from now on: gaps are measured in
  // it (a longer one must not look like skipped records).
  if (r.min_interval > 0 && status == "done") minute_step_ = r.min_interval;
  if (r.command_id != 0 || r.gap_id != 0)
    out->events.push_back(EventOf(r, std::move(status), std::move(code)));
  if (r.gap_id == 0) return;
  auto gap =
      std::find_if(gaps_.begin(), gaps_.end(), [&](const Gap& g) { return g.id == r.gap_id; });
  if (gap == gaps_.end()) return;
  // Narrow the gap to what is still missing; ask again later while asks remain.
  UnixSeconds first = 0, last = 0;
  for (UnixSeconds t = gap->begin; t <= gap->end; t += gap->step)
    if (!gap->got.count(t)) {
      if (first == 0) first = t;
      last = t;
    }
  if (first == 0 || gap->asks > options_.backfill_follow_ups) {
    if (first != 0)
      metrics_
          .counter("ecohub_gateway_backfill_gaps_abandoned_total",
                   "Gaps still open after every follow-up pull")
          ->Add();
    gaps_.erase(gap);
    return;
  }
  gap->begin = first;
  gap->end = last;
  gap->ask_at_ms = now_ms + options_.backfill_follow_up_ms;
}

void Session::AskGap(Gap& gap, int64_t now_ms, Outcome* out) {
  std::vector<hj212::Field> cp = {{"BeginTime", FormatCompactLocal(gap.begin, utc_offset_)},
                                  {"EndTime", FormatCompactLocal(gap.end, utc_offset_)}};
  PendingRequest& r = SendRequest(gap.cn, cp, now_ms, out);
  r.gap_id = gap.id;
  r.begin = gap.begin;
  r.end = gap.end;
  ++gap.asks;
  gap.ask_at_ms = 0;
  RequestEvent e = EventOf(r, "sent", "");
  e.started = true;
  e.params = "BeginTime=" + cp[0].value + ";EndTime=" + cp[1].value;
  e.expected = (gap.end - gap.begin) / gap.step + 1;
  e.follow_up_of = gap.first_command_id;
  out->events.push_back(std::move(e));
  metrics_.counter("ecohub_gateway_backfill_requests_total", "History pulls to fill gaps")->Add();
}

void Session::SetCommandId(const std::string& qn, int64_t id) {
  auto it = pending_.find(qn);
  if (it == pending_.end()) return;
  it->second.command_id = id;
  for (Gap& g : gaps_)
    if (g.id == it->second.gap_id && g.first_command_id == 0) g.first_command_id = id;
}

void Session::CountRecord(std::string_view cn, UnixSeconds t) {
  for (auto& [qn, r] : pending_)
    if (r.cn == cn && r.end != 0 && t >= r.begin && t <= r.end) r.got.insert(t);
  for (Gap& g : gaps_)
    if (g.cn == cn && t >= g.begin && t <= g.end && (t - g.begin) % g.step == 0) g.got.insert(t);
}

bool Session::TakeDataReply(const hj212::Packet& packet, std::string_view cn, Outcome* out) {
  // The data step of a request (HJ 212-2017 §6.5.1): same CN, the request's QN; a
  // 3020 log may come with new QNs, so one tracked request of that CN also matches.
  std::string qn(Or(packet.Header("QN")));
  auto it = pending_.find(qn);
  if (it == pending_.end() || it->second.cn != cn) {
    it = pending_.end();
    int same = 0;
    for (auto i = pending_.begin(); i != pending_.end(); ++i)
      if (i->second.cn == cn) it = i, ++same;
    if (same != 1) return false;
  }
  PendingRequest& r = it->second;
  for (size_t i = 0; i < packet.cp_count(); ++i) {
    if (r.result.size() > 4096) break;  // a chatty log: keep the start
    if (!r.result.empty()) r.result += ';';
    r.result += std::string(packet.cp_key(i)) + "=" + std::string(packet.cp_value(i));
  }
  if (r.command_id != 0) out->events.push_back(EventOf(r, r.answered ? "accepted" : "sent", ""));
  return true;
}

void Session::HandleReply(const hj212::Packet& packet, std::string_view cn, Outcome* out,
                          int64_t now_ms) {
  // 2017 replies carry the request QN in the header; 2005 replies inside CP.
  std::string qn(packet.Header("QN") ? *packet.Header("QN") : Or(packet.Cp("QN")));
  auto it = pending_.find(qn);
  if (it == pending_.end()) {
    out->verdict = Verdict::kUnexpectedReply;
    metrics_.counter("ecohub_gateway_unexpected_replies_total", "Replies matching no request")
        ->Add();
    return;
  }
  out->verdict = Verdict::kReply;
  if (cn == "9011") {
    std::string rtn(Or(packet.Cp("QnRtn")));
    if (rtn == "1") {
      if (!it->second.answered) {
        it->second.answered = true;
        it->second.deadline_ms += options_.request_timeout_ms;  // now the execution timeout
        if (it->second.command_id != 0) out->events.push_back(EventOf(it->second, "accepted", ""));
      }
    } else {
      metrics_.counter("ecohub_gateway_host_requests_refused_total", "9011 with QnRtn != 1")->Add();
      Finish(it->second, "refused", rtn, now_ms, out);
      pending_.erase(it);
    }
  } else if (cn == "9012") {
    std::string rtn(Or(packet.Cp("ExeRtn")));
    bool ok = rtn == "1";
    metrics_
        .counter(ok ? "ecohub_gateway_host_requests_done_total"
                    : "ecohub_gateway_host_requests_failed_total",
                 "Host requests finished by 9012")
        ->Add();
    Finish(it->second, ok ? "done" : "failed", ok ? "" : rtn, now_ms, out);
    pending_.erase(it);
  }
}

void Session::MaybeBackfill(Period period, UnixSeconds t, int64_t now_ms, Outcome* out) {
  auto& last = last_time_[static_cast<int>(period)];
  if (period == Period::kMinute && last && t > *last) {
    // Infer MinInterval from consecutive records (HJ 212 gives no field for it).
    int64_t step = t - *last;
    if (minute_step_ == 0 || step < minute_step_) minute_step_ = step;
  }
  int64_t step = IntervalSeconds(period, minute_step_);
  if (options_.backfill && step > 0 && last && t > *last + step &&
      t - *last <= options_.backfill_max_seconds && gaps_.size() < options_.max_open_gaps) {
    // The device skipped records between last and t (it was offline): pull them.
    Gap gap;
    gap.id = next_gap_id_++;
    gap.cn = PeriodCn(period);
    gap.begin = *last + step;
    gap.end = t - step;
    gap.step = step;
    gaps_.push_back(std::move(gap));
    AskGap(gaps_.back(), now_ms, out);
  }
  if (!last || t > *last) last = t;
}

const store::Device* Session::Lookup(std::string_view mn) {
  if (!snapshot_ || snapshot_->version() != registry_.version()) snapshot_ = registry_.Current();
  return snapshot_->DeviceByMn(mn);
}

Outcome Session::OnPacket(const hj212::Packet& packet, int64_t now_ms) {
  Outcome out;
  std::string_view cn = Or(packet.Header("CN"));
  std::string_view mn = Or(packet.Header("MN"));
  out.mn = mn;
  if (cn == "9011" || cn == "9012" || cn == "9013" || cn == "9014") {
    HandleReply(packet, cn, &out, now_ms);
    return out;
  }
  const store::Device* device = Lookup(mn);
  if (!device || !device->enabled) {
    out.verdict = Verdict::kUnknownMn;
    metrics_
        .counter("ecohub_gateway_auth_rejected_total{reason=\"unknown_mn\"}",
                 "Packets from unknown or disabled devices, or with a wrong password")
        ->Add();
    return out;
  }
  if (Or(packet.Header("PW")) != device->password) {
    out.verdict = Verdict::kBadPassword;
    metrics_.counter("ecohub_gateway_auth_rejected_total{reason=\"bad_password\"}")->Add();
    return out;
  }
  bool first = mn_.empty();
  mn_ = mn;
  pw_ = device->password;
  st_ = Or(packet.Header("ST"));
  version_ = packet.version();

  if (cn == "1013" || cn == "2072") {
    // Device-to-host notifications: answer 9013 at once (digest §7); 1013 asks for
    // the clock, which 1012 sets.
    out.verdict = Verdict::kNotify;
    out.send_now.push_back(hj212::NotifyAck(packet));
    if (cn == "1013" && options_.time_sync)
      SendRequest("1012", {{"SystemTime", FormatCompactLocal(now_ms / 1000, utc_offset_)}}, now_ms,
                  &out);
    return out;
  }

  auto period = PeriodFromCn(cn);
  if (period) {
    auto readings = ExtractReadings(packet, *period, mn, utc_offset_);
    if (!readings) {
      out.verdict = Verdict::kBadDataTime;
      metrics_
          .counter("ecohub_gateway_bad_datatime_total", "Data packets without a valid DataTime")
          ->Add();
    } else {
      out.verdict = readings->empty() ? Verdict::kNoData : Verdict::kStored;
      if (!readings->empty()) {
        CountRecord(cn, readings->front().time);
        MaybeBackfill(*period, readings->front().time, now_ms, &out);
      }
      out.readings = std::move(*readings);
    }
  } else if (TakeDataReply(packet, cn, &out)) {
    out.verdict = Verdict::kReply;
  } else {
    // Other uploads (2081 restart time, 3019/3020 info...) are kept raw only.
    out.verdict = Verdict::kKeptRaw;
  }
  // The raw packet (and readings) are committed before the 9014 goes out, whatever
  // the verdict: the device must not resend what we have kept.
  if (packet.ack_requested()) out.ack_after_commit = hj212::DataAck(packet);

  if (first && options_.time_sync && !synced_) {
    synced_ = true;
    SendRequest("1012", {{"SystemTime", FormatCompactLocal(now_ms / 1000, utc_offset_)}}, now_ms,
                &out);
  }
  return out;
}

Outcome Session::OnTick(int64_t now_ms) {
  Outcome out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    PendingRequest& r = it->second;
    if (now_ms < r.deadline_ms) {
      ++it;
      continue;
    }
    if (!r.answered && r.attempts <= options_.request_retries) {
      ++r.attempts;
      r.deadline_ms = now_ms + options_.request_timeout_ms;
      out.send_now.push_back(r.frame);
      metrics_.counter("ecohub_gateway_host_requests_resent_total", "Requests resent on timeout")
          ->Add();
      ++it;
    } else {
      metrics_.counter("ecohub_gateway_host_requests_timeout_total", "Requests abandoned")->Add();
      Finish(r, "timed_out", r.answered ? "no 9012" : "no 9011", now_ms, &out);
      it = pending_.erase(it);
    }
  }
  for (size_t i = 0; i < gaps_.size(); ++i)
    if (gaps_[i].ask_at_ms != 0 && now_ms >= gaps_[i].ask_at_ms) AskGap(gaps_[i], now_ms, &out);
  return out;
}

Outcome Session::OnClose() {
  Outcome out;
  for (auto& [qn, r] : pending_)
    if (r.command_id != 0) out.events.push_back(EventOf(r, "timed_out", "link closed"));
  pending_.clear();
  gaps_.clear();
  return out;
}

Outcome Session::SendCommand(const control::Command& c, const std::string& qn, int64_t now_ms) {
  Outcome out;
  out.mn = mn_;
  if (mn_.empty()) {
    RequestEvent e;
    e.qn = qn;
    e.cn = c.cn;
    e.command_id = c.id;
    e.status = "timed_out";
    e.code = "device not authenticated";
    out.events.push_back(std::move(e));
    return out;
  }
  std::vector<hj212::Field> cp;
  for (auto& [k, v] : control::RequestFields(c, now_ms / 1000, utc_offset_)) cp.push_back({k, v});
  PendingRequest& r = SendRequest(c.cn, cp, now_ms, &out, qn);
  r.command_id = c.id;
  for (const auto& f : cp)
    if (c.cn == "1064" && f.key == "MinInterval")
      r.min_interval = 60 * ParseInt(f.value).value_or(0);
  if (auto step = PeriodFromCn(c.cn); step && *step != Period::kRealtime) {
    // A history command: count the records of its range as they arrive.
    for (const auto& f : cp) {
      if (f.key == "BeginTime") r.begin = ParseCompactLocal(f.value, utc_offset_).value_or(0);
      if (f.key == "EndTime") r.end = ParseCompactLocal(f.value, utc_offset_).value_or(0);
    }
  }
  return out;
}

}  // namespace ecohub::ingest
