#include "ingest/session.h"

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

void Session::SendRequest(std::string_view cn, const std::vector<hj212::Field>& cp, int64_t now_ms,
                          Outcome* out) {
  PendingRequest r;
  r.qn = NewQn(now_ms);
  r.cn = cn;
  r.frame = hj212::Request(r.qn, st_.empty() ? "32" : st_, cn, pw_, mn_, version_, cp);
  r.deadline_ms = now_ms + options_.request_timeout_ms;
  out->send_now.push_back(r.frame);
  metrics_
      .counter("ecohub_gateway_host_requests_total{cn=\"" + std::string(cn) + "\"}",
               "Host-side requests sent to devices")
      ->Add();
  pending_[r.qn] = std::move(r);
}

void Session::HandleReply(const hj212::Packet& packet, std::string_view cn, Outcome* out) {
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
    if (Or(packet.Cp("QnRtn")) == "1") {
      it->second.answered = true;
      it->second.deadline_ms += options_.request_timeout_ms;  // now the execution timeout
    } else {
      metrics_.counter("ecohub_gateway_host_requests_refused_total", "9011 with QnRtn != 1")->Add();
      pending_.erase(it);
    }
  } else if (cn == "9012") {
    bool ok = Or(packet.Cp("ExeRtn")) == "1";
    metrics_
        .counter(ok ? "ecohub_gateway_host_requests_done_total"
                    : "ecohub_gateway_host_requests_failed_total",
                 "Host requests finished by 9012")
        ->Add();
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
      t - *last <= options_.backfill_max_seconds && period != Period::kMinute) {
    // The device skipped records between last and t (it was offline): pull them.
    std::string cn = PeriodCn(period);
    SendRequest(cn,
                {{"BeginTime", FormatCompactLocal(*last + step, utc_offset_)},
                 {"EndTime", FormatCompactLocal(t - step, utc_offset_)}},
                now_ms, out);
    metrics_.counter("ecohub_gateway_backfill_requests_total", "History pulls to fill gaps")->Add();
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
    HandleReply(packet, cn, &out);
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
      if (!readings->empty()) MaybeBackfill(*period, readings->front().time, now_ms, &out);
      out.readings = std::move(*readings);
    }
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

std::vector<std::string> Session::OnTick(int64_t now_ms) {
  std::vector<std::string> resend;
  for (auto it = pending_.begin(); it != pending_.end();) {
    PendingRequest& r = it->second;
    if (now_ms < r.deadline_ms) {
      ++it;
      continue;
    }
    if (!r.answered && r.attempts <= options_.request_retries) {
      ++r.attempts;
      r.deadline_ms = now_ms + options_.request_timeout_ms;
      resend.push_back(r.frame);
      metrics_.counter("ecohub_gateway_host_requests_resent_total", "Requests resent on timeout")
          ->Add();
      ++it;
    } else {
      metrics_.counter("ecohub_gateway_host_requests_timeout_total", "Requests abandoned")->Add();
      it = pending_.erase(it);
    }
  }
  return resend;
}

}  // namespace ecohub::ingest
