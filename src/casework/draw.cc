#include "casework/draw.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "crypto/sm.h"

namespace ecohub::casework {

namespace {

constexpr std::string_view kCategoryCodes[] = {"key", "special", "general"};
constexpr std::string_view kCategoryNames[] = {"重点监管对象", "特殊监管对象", "一般监管对象"};
constexpr size_t kMaxEnterprises = 100000;

Status Bad(std::string what) { return Status(Code::kInvalidInput, std::move(what)); }

// Step 3 and 4's partial shuffle: the first `k` of `items` become the picks.
template <typename T>
Status PartialShuffle(DrawStream& s, std::vector<T>& items, size_t k) {
  for (size_t i = 0; i < k; ++i) {
    auto j = s.Below(items.size() - i);
    if (!j.ok()) return j.status();
    std::swap(items[i], items[i + *j]);
  }
  return Status::Ok();
}

bool Listed(const std::vector<int64_t>& ids, int64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

std::string_view PoolCategoryCode(PoolCategory c) { return kCategoryCodes[static_cast<int>(c)]; }
std::string_view PoolCategoryName(PoolCategory c) { return kCategoryNames[static_cast<int>(c)]; }
std::optional<PoolCategory> PoolCategoryFromCode(std::string_view code) {
  for (int i = 0; i < kPoolCategories; ++i)
    if (kCategoryCodes[i] == code) return static_cast<PoolCategory>(i);
  return std::nullopt;
}

std::string DrawTaskMark(std::string_view credit_code) {
  return "统一社会信用代码 " + std::string(credit_code);
}

std::optional<int64_t> RateFromPercent(double percent) {
  if (!std::isfinite(percent) || percent < 0 || percent > 100) return std::nullopt;
  return static_cast<int64_t>(std::llround(percent * 100));
}

Result<uint64_t> DrawStream::Next() {
  if (used_ == 4) {
    std::string counter(8, '\0');
    for (int i = 0; i < 8; ++i) counter[i] = static_cast<char>(block_ >> (56 - 8 * i));
    auto d = crypto::Sha256(seed_ + counter);
    if (!d.ok()) return d.status();
    ++block_;
    for (int w = 0; w < 4; ++w) {
      uint64_t v = 0;
      for (int i = 0; i < 8; ++i) v = v << 8 | static_cast<unsigned char>((*d)[w * 8 + i]);
      words_[w] = v;
    }
    used_ = 0;
  }
  return words_[used_++];
}

Result<uint64_t> DrawStream::Below(uint64_t m) {
  // 2^64 mod m, computed in 64 bits: (2^64 − m) mod m.
  uint64_t reject_from = UINT64_MAX - (-m % m) + 1;  // 0 when m divides 2^64
  for (;;) {
    auto w = Next();
    if (!w.ok()) return w.status();
    if (reject_from == 0 || *w < reject_from) return *w % m;
  }
}

Status CheckDrawInput(const DrawInput& in) {
  if (in.seed.empty() || in.seed.size() > 200) return Bad("seed: 1 to 200 bytes");
  for (int64_t r : in.rate_bp)
    if (r < 0 || r > 10000) return Bad("rates: each between 0 and 100 percent");
  if (in.team < 1 || in.team > 5) return Bad("team: 1 to 5 officers per enterprise");
  if (in.enterprises.size() > kMaxEnterprises) return Bad("enterprises: at most 100000");
  std::set<std::string> codes;
  for (const auto& e : in.enterprises) {
    if (e.credit_code.empty()) return Bad("enterprises: a credit code for every one");
    if (!codes.insert(e.credit_code).second)
      return Bad("enterprises: credit code " + e.credit_code + " twice");
  }
  std::set<int64_t> ids;
  for (const auto& o : in.officers) {
    if (o.id <= 0) return Bad("officers: each the id of a user");
    if (!ids.insert(o.id).second) return Bad("officers: user " + std::to_string(o.id) + " twice");
  }
  return Status::Ok();
}

Result<DrawResult> RunDraw(const DrawInput& in) {
  if (Status s = CheckDrawInput(in); !s.ok()) return s;
  DrawStream stream(in.seed);
  DrawResult out;
  std::vector<const DrawEnterprise*> drawn;
  for (int c = 0; c < kPoolCategories; ++c) {
    std::vector<const DrawEnterprise*> pool;
    for (const auto& e : in.enterprises)
      if (static_cast<int>(e.category) == c) pool.push_back(&e);
    std::sort(pool.begin(), pool.end(),
              [](const auto* a, const auto* b) { return a->credit_code < b->credit_code; });
    int64_t n = static_cast<int64_t>(pool.size());
    int64_t k = (n * in.rate_bp[c] + 9999) / 10000;
    if (Status s = PartialShuffle(stream, pool, static_cast<size_t>(k)); !s.ok()) return s;
    out.pool[c] = n;
    out.drawn[c] = k;
    drawn.insert(drawn.end(), pool.begin(), pool.begin() + k);
  }
  std::vector<DrawOfficer> officers = in.officers;
  std::sort(officers.begin(), officers.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  for (const DrawEnterprise* e : drawn) {
    DrawPick pick{e->credit_code, e->category, {}};
    auto last = in.last.find(e->credit_code);
    std::vector<int64_t> free;
    for (const auto& o : officers) {
      if (in.recuse_own_district && o.district_id != 0 && o.district_id == e->district_id) continue;
      if (in.recuse_last && last != in.last.end() && Listed(last->second, o.id)) continue;
      free.push_back(o.id);
    }
    if (free.size() >= static_cast<size_t>(in.team)) {
      if (Status s = PartialShuffle(stream, free, in.team); !s.ok()) return s;
      pick.officers.assign(free.begin(), free.begin() + in.team);
    }
    out.picks.push_back(std::move(pick));
  }
  return out;
}

nlohmann::ordered_json DrawInputJson(const DrawInput& in) {
  nlohmann::ordered_json rates = nlohmann::ordered_json::object();
  for (int c = 0; c < kPoolCategories; ++c)
    rates[std::string(kCategoryCodes[c])] = static_cast<double>(in.rate_bp[c]) / 100;
  nlohmann::ordered_json ents = nlohmann::ordered_json::array();
  for (const auto& e : in.enterprises)
    ents.push_back({{"credit_code", e.credit_code},
                    {"name", e.name},
                    {"district_id", e.district_id},
                    {"category", PoolCategoryCode(e.category)}});
  nlohmann::ordered_json offs = nlohmann::ordered_json::array();
  for (const auto& o : in.officers)
    offs.push_back({{"id", o.id}, {"name", o.name}, {"district_id", o.district_id}});
  nlohmann::ordered_json last = nlohmann::ordered_json::object();
  for (const auto& [code, ids] : in.last) last[code] = ids;
  return {{"algorithm", kDrawAlgorithm},
          {"seed", in.seed},
          {"rates", rates},
          {"team", in.team},
          {"recuse_own_district", in.recuse_own_district},
          {"recuse_last", in.recuse_last},
          {"enterprises", ents},
          {"officers", offs},
          {"last", last}};
}

namespace {

// The integer at `key` of `j`; kInvalidInput naming `field` otherwise.
Status ReadInt(const nlohmann::json& j, const char* key, const std::string& field, int64_t* out) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer())
    return Bad(field + "." + key + ": a whole number");
  *out = j[key].get<int64_t>();
  return Status::Ok();
}

Status ReadText(const nlohmann::json& j, const char* key, const std::string& field,
                std::string* out) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string())
    return Bad(field + "." + key + ": text");
  *out = j[key].get<std::string>();
  return Status::Ok();
}

Status ReadCategory(const nlohmann::json& j, const std::string& field, PoolCategory* out) {
  std::string code;
  if (Status s = ReadText(j, "category", field, &code); !s.ok()) return s;
  auto c = PoolCategoryFromCode(code);
  if (!c) return Bad(field + ".category: key, special or general");
  *out = *c;
  return Status::Ok();
}

}  // namespace

Result<DrawInput> DrawInputFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Bad("the draw's input is an object");
  if (j.value("algorithm", "") != kDrawAlgorithm)
    return Bad("algorithm: " + std::string(kDrawAlgorithm));
  DrawInput in;
  if (Status s = ReadText(j, "seed", "input", &in.seed); !s.ok()) return s;
  if (!j.contains("rates") || !j["rates"].is_object()) return Bad("rates: an object");
  for (int c = 0; c < kPoolCategories; ++c) {
    const auto& r = j["rates"].value(std::string(kCategoryCodes[c]), nlohmann::json());
    auto bp = r.is_number() ? RateFromPercent(r.get<double>()) : std::nullopt;
    if (!bp) return Bad("rates." + std::string(kCategoryCodes[c]) + ": 0 to 100");
    in.rate_bp[c] = *bp;
  }
  int64_t team = 0;
  if (Status s = ReadInt(j, "team", "input", &team); !s.ok()) return s;
  in.team = static_cast<int>(std::clamp<int64_t>(team, 0, 100));
  if (!j.contains("recuse_own_district") || !j["recuse_own_district"].is_boolean() ||
      !j.contains("recuse_last") || !j["recuse_last"].is_boolean())
    return Bad("recuse_own_district, recuse_last: true or false");
  in.recuse_own_district = j["recuse_own_district"].get<bool>();
  in.recuse_last = j["recuse_last"].get<bool>();
  if (!j.contains("enterprises") || !j["enterprises"].is_array())
    return Bad("enterprises: an array");
  for (size_t i = 0; i < j["enterprises"].size(); ++i) {
    const auto& e = j["enterprises"][i];
    std::string field = "enterprises[" + std::to_string(i) + "]";
    DrawEnterprise d;
    for (Status s :
         {ReadText(e, "credit_code", field, &d.credit_code), ReadText(e, "name", field, &d.name),
          ReadInt(e, "district_id", field, &d.district_id), ReadCategory(e, field, &d.category)})
      if (!s.ok()) return s;
    in.enterprises.push_back(std::move(d));
  }
  if (!j.contains("officers") || !j["officers"].is_array()) return Bad("officers: an array");
  for (size_t i = 0; i < j["officers"].size(); ++i) {
    const auto& o = j["officers"][i];
    std::string field = "officers[" + std::to_string(i) + "]";
    DrawOfficer d;
    for (Status s : {ReadInt(o, "id", field, &d.id), ReadText(o, "name", field, &d.name),
                     ReadInt(o, "district_id", field, &d.district_id)})
      if (!s.ok()) return s;
    in.officers.push_back(std::move(d));
  }
  if (j.contains("last")) {
    if (!j["last"].is_object()) return Bad("last: an object of credit code to officer ids");
    for (const auto& [code, ids] : j["last"].items()) {
      if (!ids.is_array()) return Bad("last." + code + ": officer ids");
      for (const auto& id : ids) {
        if (!id.is_number_integer()) return Bad("last." + code + ": officer ids");
        in.last[code].push_back(id.get<int64_t>());
      }
    }
  }
  if (Status s = CheckDrawInput(in); !s.ok()) return s;
  return in;
}

nlohmann::ordered_json DrawResultJson(const DrawResult& r) {
  nlohmann::ordered_json picks = nlohmann::ordered_json::array();
  for (const auto& p : r.picks)
    picks.push_back({{"credit_code", p.credit_code},
                     {"category", PoolCategoryCode(p.category)},
                     {"officers", p.officers}});
  nlohmann::ordered_json pool = nlohmann::ordered_json::object(),
                         drawn = nlohmann::ordered_json::object();
  for (int c = 0; c < kPoolCategories; ++c) {
    pool[std::string(kCategoryCodes[c])] = r.pool[c];
    drawn[std::string(kCategoryCodes[c])] = r.drawn[c];
  }
  return {{"picks", picks}, {"pool", pool}, {"drawn", drawn}};
}

Result<DrawResult> DrawResultFromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("picks") || !j["picks"].is_array())
    return Bad("the draw's result has picks");
  DrawResult r;
  for (size_t i = 0; i < j["picks"].size(); ++i) {
    const auto& p = j["picks"][i];
    std::string field = "picks[" + std::to_string(i) + "]";
    DrawPick d;
    if (Status s = ReadText(p, "credit_code", field, &d.credit_code); !s.ok()) return s;
    if (Status s = ReadCategory(p, field, &d.category); !s.ok()) return s;
    if (!p.contains("officers") || !p["officers"].is_array()) return Bad(field + ".officers");
    for (const auto& id : p["officers"]) {
      if (!id.is_number_integer()) return Bad(field + ".officers");
      d.officers.push_back(id.get<int64_t>());
    }
    r.picks.push_back(std::move(d));
  }
  for (int c = 0; c < kPoolCategories; ++c) {
    std::string code(kCategoryCodes[c]);
    if (Status s = ReadInt(j.value("pool", nlohmann::json()), code.c_str(), "pool", &r.pool[c]);
        !s.ok())
      return s;
    if (Status s = ReadInt(j.value("drawn", nlohmann::json()), code.c_str(), "drawn", &r.drawn[c]);
        !s.ok())
      return s;
  }
  return r;
}

}  // namespace ecohub::casework
