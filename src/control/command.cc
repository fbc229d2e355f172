#include "control/command.h"

#include <algorithm>
#include <charconv>

namespace ecohub::control {

namespace {

struct KindInfo {
  std::string_view name, cn;
};
// HJ 212-2017 table 9.
constexpr KindInfo kKinds[] = {
    {"time_sync", "1012"},        {"get_time", "1011"},         {"get_rtd_interval", "1061"},
    {"set_rtd_interval", "1062"}, {"get_min_interval", "1063"}, {"set_min_interval", "1064"},
    {"get_info", "3020"},         {"set_info", "3021"},         {"history", ""},
};

const std::string* Find(const Params& p, std::string_view key) {
  for (const auto& [k, v] : p)
    if (k == key) return &v;
  return nullptr;
}

bool Int(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Characters an HJ 212 CP value may carry unescaped.
bool SafeValue(std::string_view v) {
  if (v.empty() || v.size() > 64) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return c > ' ' && c < 127 && c != ';' && c != '=' && c != ',' && c != '&';
  });
}

Status Bad(std::string_view kind, std::string m) {
  return Status::InvalidInput(std::string(kind) + ": " + m);
}

}  // namespace

bool Terminal(std::string_view s) {
  return s == "done" || s == "failed" || s == "refused" || s == "timed_out" || s == "expired";
}

std::vector<std::string_view> Kinds() {
  std::vector<std::string_view> out;
  for (const auto& k : kKinds) out.push_back(k.name);
  return out;
}

int64_t MaxHistorySeconds(std::string_view cn) {
  if (cn == "2051") return 86400;
  if (cn == "2061") return 31 * 86400;
  return 366 * 86400;
}

int64_t HistoryStep(std::string_view cn) {
  if (cn == "2061") return 3600;
  if (cn == "2031") return 86400;
  return 0;
}

Result<Command> NewCommand(std::string_view mn, std::string_view kind, const Params& params,
                           std::string_view created_by, UnixSeconds now) {
  const KindInfo* info = nullptr;
  for (const auto& k : kKinds)
    if (k.name == kind) info = &k;
  if (!info) {
    std::string all;
    for (auto k : Kinds()) all += (all.empty() ? "" : ", ") + std::string(k);
    return Status::InvalidInput("unknown command kind '" + std::string(kind) + "' (one of " + all +
                                ")");
  }
  Command c;
  c.mn = mn;
  c.kind = kind;
  c.cn = info->cn;
  c.origin = "api";
  c.created_by = created_by;
  c.created_at = now;
  c.updated_at = now;
  c.status = "queued";
  // Which parameters each kind takes: required, then optional.
  std::vector<std::string_view> required, optional;
  if (kind == "set_rtd_interval") required = {"RtdInterval"};
  if (kind == "set_min_interval") required = {"MinInterval"};
  if (kind == "get_time") optional = {"PolId"};
  if (kind == "get_info") required = {"PolId", "InfoId"}, optional = {"BeginTime", "EndTime"};
  if (kind == "set_info") required = {"PolId", "InfoId", "Info"};
  if (kind == "history") required = {"period", "BeginTime", "EndTime"};
  for (const auto& [k, v] : params) {
    bool known = std::find(required.begin(), required.end(), k) != required.end() ||
                 std::find(optional.begin(), optional.end(), k) != optional.end();
    if (!known) return Bad(kind, "takes no parameter '" + k + "'");
    if (!SafeValue(v))
      return Bad(kind, k + " must be 1 to 64 printable characters without ; = , &");
  }
  for (auto k : required)
    if (!Find(params, k)) return Bad(kind, "needs " + std::string(k));
  Params cp;
  if (kind == "set_rtd_interval") {
    int64_t s = 0;
    if (!Int(*Find(params, "RtdInterval"), &s) || s < 30 || s > 3600)
      return Bad(kind, "RtdInterval must be whole seconds from 30 to 3600 (HJ 212-2017 1062)");
    cp.push_back({"RtdInterval", std::to_string(s)});
  } else if (kind == "set_min_interval") {
    int64_t m = 0;
    constexpr int64_t kAllowed[] = {1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30};
    if (!Int(*Find(params, "MinInterval"), &m) ||
        std::find(std::begin(kAllowed), std::end(kAllowed), m) == std::end(kAllowed))
      return Bad(kind, "MinInterval must be one of 1,2,3,4,5,6,10,12,15,20,30 minutes");
    cp.push_back({"MinInterval", std::to_string(m)});
  } else if (kind == "get_info" || kind == "set_info" || kind == "get_time") {
    if (const auto* p = Find(params, "PolId")) cp.push_back({"PolId", *p});
    if (const auto* i = Find(params, "InfoId")) {
      // Info ids are i + five digits (HJ 212-2017 table B.3).
      if (i->size() != 6 || (*i)[0] != 'i' ||
          !std::all_of(i->begin() + 1, i->end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
        return Bad(kind, "InfoId must be i and five digits (i12001)");
      cp.push_back({"InfoId", *i});
      if (const auto* v = Find(params, "Info")) cp.push_back({*i + "-Info", *v});
    }
  }
  if (kind == "history" || kind == "get_info") {
    const auto* b = Find(params, "BeginTime");
    const auto* e = Find(params, "EndTime");
    if (b || e) {
      if (!b || !e) return Bad(kind, "BeginTime and EndTime go together");
      auto bt = ParseCompactLocal(*b), et = ParseCompactLocal(*e);
      if (!bt || !et) return Bad(kind, "BeginTime and EndTime must be YYYYMMDDhhmmss");
      if (*et < *bt) return Bad(kind, "EndTime is before BeginTime");
      if (kind == "history") {
        const std::string& period = *Find(params, "period");
        c.cn = period == "minute" ? "2051"
               : period == "hour" ? "2061"
               : period == "day"  ? "2031"
                                  : "";
        if (c.cn.empty()) return Bad(kind, "period must be minute, hour or day");
        if (*et - *bt > MaxHistorySeconds(c.cn))
          return Bad(kind, "a " + period + " history covers at most " +
                               std::to_string(MaxHistorySeconds(c.cn) / 86400) + " days");
        if (int64_t step = HistoryStep(c.cn); step > 0) c.expected = (*et - *bt) / step + 1;
      }
      cp.push_back({"BeginTime", *b});
      cp.push_back({"EndTime", *e});
    }
  }
  c.params = FormatCp(cp);
  return c;
}

std::string FormatCp(const Params& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += ';';
    out += k + "=" + v;
  }
  return out;
}

Params ParseCp(std::string_view text) {
  Params out;
  while (!text.empty()) {
    size_t semi = text.find(';');
    std::string_view item = text.substr(0, semi);
    size_t eq = item.find('=');
    if (eq != std::string_view::npos)
      out.emplace_back(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
    if (semi == std::string_view::npos) break;
    text.remove_prefix(semi + 1);
  }
  return out;
}

Params RequestFields(const Command& c, UnixSeconds now, int64_t utc_offset) {
  Params out = ParseCp(c.params);
  if (c.kind == "time_sync") out.push_back({"SystemTime", FormatCompactLocal(now, utc_offset)});
  return out;
}

}  // namespace ecohub::control
