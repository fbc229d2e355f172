#include "auth/catalog.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace ecohub::auth {

const std::vector<CategoryInfo>& Categories() {
  static const std::vector<CategoryInfo> kCategories = {
      {"environmental_quality",
       "环境质量",
       "Environmental quality",
       {{"air", "环境空气"},
        {"surface_water", "地表水"},
        {"drinking_water", "饮用水水源地"},
        {"groundwater", "地下水"},
        {"soil", "土壤"},
        {"noise", "声环境"},
        {"radiation", "辐射环境"},
        {"data_quality", "监测数据质量"}}},
      {"pollution_sources",
       "污染源",
       "Pollution sources",
       {{"enterprises", "企业名录"},
        {"online_monitoring", "在线监测"},
        {"permits", "排污许可"},
        {"disclosure", "信息公开"},
        {"solid_waste", "固体废物"}}},
      {"ecological_status",
       "生态状况",
       "Ecological status",
       {{"redline", "生态保护红线"}, {"biodiversity", "生物多样性"}, {"reserves", "自然保护地"}}},
      {"enforcement",
       "执法监管",
       "Enforcement",
       {{"exceedances", "超标排放"},
        {"inspections", "现场检查"},
        {"penalties", "行政处罚"},
        {"complaints", "信访投诉"}}},
      {"emergency",
       "应急管理",
       "Emergency",
       {{"risk_sources", "风险源"}, {"incidents", "突发环境事件"}, {"supplies", "应急物资"}}},
      {"policy_standards",
       "政策标准",
       "Policy and standards",
       {{"standards", "标准规范"}, {"regulations", "法规政策"}, {"plans", "规划计划"}}},
  };
  return kCategories;
}

namespace {

Dataset Make(std::string id, std::string name, std::string description, std::string category,
             std::string sub, std::string owner, std::string frequency, Secrecy secrecy,
             Sharing sharing, std::string endpoint, std::vector<DatasetField> fields,
             std::vector<std::string> keywords, bool enterprise_rows = false) {
  Dataset d;
  d.id = std::move(id);
  d.name = std::move(name);
  d.description = std::move(description);
  d.category = std::move(category);
  d.subcategory = std::move(sub);
  d.source_system = "EcoHub";
  d.owner_department = std::move(owner);
  d.update_frequency = std::move(frequency);
  d.fields = std::move(fields);
  d.formats = {"json", "csv", "xlsx"};
  d.keywords = std::move(keywords);
  d.endpoint = std::move(endpoint);
  d.builtin = true;
  d.tags = {d.id, secrecy, sharing, {}, d.owner_department, enterprise_rows};
  return d;
}

const std::vector<DatasetField> kReadingFields = {
    {"site", "string", "", "site code"},
    {"time", "time", "", "start of the interval, Beijing time"},
    {"factor", "string", "", "HJ 212 factor code"},
    {"value", "number", "per factor", "value as sent"},
    {"flag", "string", "", "HJ 212 data flag"}};

}  // namespace

std::vector<Dataset> BuiltinDatasets() {
  using S = Secrecy;
  using H = Sharing;
  return {
      Make("air-station-readings", "环境空气自动监测站数据",
           "Hourly, daily and real-time values of the automatic air stations, as sent.",
           "environmental_quality", "air", "monitoring", "hourly", S::kInternal, H::kGovernment,
           "/api/v1/readings", kReadingFields, {"空气", "air", "PM2.5", "O3", "station"}),
      Make("air-aqi", "空气质量指数 (AQI)",
           "Hourly and daily AQI of stations, districts and the city under HJ 633.",
           "environmental_quality", "air", "monitoring", "hourly", S::kPublic, H::kPublic,
           "/api/v1/public/aqi/history",
           {{"scope", "string", "", "site:CODE, district:CODE or city"},
            {"time", "time", "", "interval start"},
            {"aqi", "integer", "", "AQI"},
            {"level", "string", "", "category"},
            {"primary", "string", "", "primary pollutants"}},
           {"AQI", "空气质量", "ranking", "排名"}),
      Make("air-report", "环境空气质量评价",
           "Monthly and annual evaluation under HJ 663: good-day ratio, pollutant statistics, "
           "composite index.",
           "environmental_quality", "air", "monitoring", "daily", S::kInternal, H::kGovernment,
           "/api/v1/air/report",
           {{"scope", "string", "", ""}, {"period", "string", "", "year or month"}},
           {"优良天数", "综合指数", "HJ 663"}),
      Make("water-section-readings", "地表水自动监测站数据",
           "Values of the automatic surface-water stations.", "environmental_quality",
           "surface_water", "monitoring", "4-hourly", S::kInternal, H::kGovernment,
           "/api/v1/readings", kReadingFields, {"水质", "water", "断面"}),
      Make("drinking-water-readings", "饮用水水源地监测数据",
           "Values of the drinking-water sources' automatic stations, as sent.",
           "environmental_quality", "drinking_water", "monitoring", "hourly", S::kInternal,
           H::kGovernment, "/api/v1/readings", kReadingFields, {"饮用水", "水源地", "drinking"}),
      Make("groundwater-readings", "地下水监测井数据", "Values of the groundwater wells, as sent.",
           "environmental_quality", "groundwater", "monitoring", "daily", S::kInternal,
           H::kGovernment, "/api/v1/readings", kReadingFields, {"地下水", "groundwater", "监测井"}),
      Make("noise-station-readings", "声环境自动监测站数据",
           "Hourly equivalent levels (Leq, Lmax) of the noise stations, as sent; evaluated "
           "against GB 3096 by functional zone.",
           "environmental_quality", "noise", "monitoring", "hourly", S::kInternal, H::kGovernment,
           "/api/v1/readings", kReadingFields, {"噪声", "声环境", "noise", "GB 3096"}),
      Make("dust-monitor-readings", "施工扬尘在线监测数据",
           "Particulate values (TSP, PM10) of the dust monitors on construction sites, as sent.",
           "environmental_quality", "air", "monitoring", "hourly", S::kInternal, H::kGovernment,
           "/api/v1/readings", kReadingFields, {"扬尘", "TSP", "工地", "dust"}),
      Make("water-classes", "地表水断面水质类别",
           "GB 3838 class of each section per day, with the items over the target.",
           "environmental_quality", "surface_water", "monitoring", "daily", S::kPublic, H::kPublic,
           "/api/v1/public/water/classes",
           {{"section", "string", "", ""},
            {"date", "date", "", ""},
            {"class", "string", "", "I..劣V"},
            {"exceeding", "array", "", "items over the target with multiples"}},
           {"水质类别", "GB 3838", "断面"}),
      Make("data-quality", "监测数据传输有效率",
           "Transmission and validity rates per site and district per day.",
           "environmental_quality", "data_quality", "monitoring", "daily", S::kInternal,
           H::kGovernment, "/api/v1/quality/rates",
           {{"scope", "string", "", ""},
            {"date", "date", "", ""},
            {"transmission_rate", "number", "%", ""},
            {"valid_rate", "number", "%", ""}},
           {"传输率", "有效率", "quality"}),
      Make("monitoring-sites", "监测点位名录",
           "Air stations, water sections and enterprise outlets with their location.",
           "environmental_quality", "air", "monitoring", "on change", S::kInternal, H::kGovernment,
           "/api/v1/sites",
           {{"code", "string", "", ""}, {"name", "string", "", ""}, {"kind", "string", "", ""}},
           {"点位", "站点", "sites"}),
      Make("enterprise-registry", "排污单位名录",
           "Enterprises with credit code, industry, district and permit number.",
           "pollution_sources", "enterprises", "pollution_control", "on change", S::kInternal,
           H::kGovernment, "/api/v1/enterprises",
           {{"name", "string", "", ""},
            {"credit_code", "string", "", "统一社会信用代码"},
            {"permit_no", "string", "", "排污许可证编号"}},
           {"企业", "排污单位", "enterprise"}, true),
      Make("enterprise-emissions", "污染源在线监测数据",
           "Outlet concentrations and flows from the online monitors of enterprises.",
           "pollution_sources", "online_monitoring", "pollution_control", "hourly", S::kRestricted,
           H::kDepartments, "/api/v1/readings", kReadingFields,
           {"在线监测", "排放", "emissions", "outlet"}, true),
      Make("emission-disclosure", "重点排污单位排放信息公开",
           "Latest emissions of key pollutant-discharging units against their limits.",
           "pollution_sources", "disclosure", "pollution_control", "hourly", S::kPublic, H::kPublic,
           "/api/v1/public/enterprises",
           {{"enterprise", "string", "", ""},
            {"outlet", "string", "", ""},
            {"factor", "string", "", ""},
            {"value", "number", "mg/m³ or mg/L", ""},
            {"limit", "number", "", ""}},
           {"信息公开", "重点排污单位", "disclosure"}),
      Make("exceedances", "超标排放事件",
           "Periods in which an outlet exceeded its limit: start, end, peak, multiple.",
           "enforcement", "exceedances", "enforcement", "hourly", S::kRestricted, H::kNone,
           "/api/v1/exceedances",
           {{"site", "string", "", ""},
            {"factor", "string", "", ""},
            {"start", "time", "", ""},
            {"end", "time", "", ""},
            {"peak", "number", "", ""},
            {"multiple", "number", "", "peak / limit"}},
           {"超标", "exceedance", "执法"}, true),
      Make("alarms", "告警",
           "Alarms raised from exceedances, data anomalies and offline devices, with their "
           "handling: open, acknowledged, closed, by whom and with what comment.",
           "enforcement", "exceedances", "enforcement", "on change", S::kInternal, H::kNone,
           "/api/v1/alarms",
           {{"kind", "string", "", "exceedance, anomaly or offline"},
            {"site", "string", "", "site code"},
            {"factor", "string", "", "HJ 212 factor code"},
            {"started", "time", "", ""},
            {"ended", "time", "", "empty while it lasts"},
            {"value", "number", "", "peak"},
            {"status", "string", "", "open, acknowledged or closed"}},
           {"告警", "alarm", "报警", "离线"}, true),
  };
}

nlohmann::ordered_json DatasetToJson(const Dataset& d) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::array();
  for (const auto& f : d.fields)
    fields.push_back(
        {{"name", f.name}, {"type", f.type}, {"unit", f.unit}, {"description", f.description}});
  return {{"id", d.id},
          {"name", d.name},
          {"description", d.description},
          {"category", d.category},
          {"subcategory", d.subcategory},
          {"source_system", d.source_system},
          {"owner_department", d.owner_department},
          {"update_frequency", d.update_frequency},
          {"fields", fields},
          {"formats", d.formats},
          {"coverage", {{"from", d.coverage_from}, {"to", d.coverage_to}}},
          {"keywords", d.keywords},
          {"endpoint", d.endpoint},
          {"builtin", d.builtin},
          {"secrecy", SecrecyName(d.tags.secrecy)},
          {"sharing", SharingName(d.tags.sharing)},
          {"sharing_departments", d.tags.departments},
          {"enterprise_own_rows", d.tags.enterprise_own_rows}};
}

namespace {

// Field readers for DatasetFromJson: each checks the JSON type and the size.
Status Text(const nlohmann::json& j, const char* key, std::string* out, size_t max, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    return required ? Status::InvalidInput(std::string(key) + " is required") : Status::Ok();
  }
  if (!it->is_string()) return Status::InvalidInput(std::string(key) + " must be a string");
  *out = it->get<std::string>();
  if (out->size() > max)
    return Status::InvalidInput(std::string(key) + " is longer than " + std::to_string(max));
  if (required && out->empty()) return Status::InvalidInput(std::string(key) + " is empty");
  return Status::Ok();
}

Status TextList(const nlohmann::json& j, const char* key, std::vector<std::string>* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_array() || it->size() > 64)
    return Status::InvalidInput(std::string(key) + " must be an array of at most 64 strings");
  for (const auto& e : *it) {
    if (!e.is_string() || e.get_ref<const std::string&>().size() > 200)
      return Status::InvalidInput(std::string(key) + " must hold strings of at most 200 bytes");
    out->push_back(e.get<std::string>());
  }
  return Status::Ok();
}

bool IsSlug(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

bool IsDate(std::string_view s) {
  if (s.empty()) return true;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

}  // namespace

Result<Dataset> DatasetFromJson(const nlohmann::json& j) {
  static const std::set<std::string> kKnown = {"id",
                                               "name",
                                               "description",
                                               "category",
                                               "subcategory",
                                               "source_system",
                                               "owner_department",
                                               "update_frequency",
                                               "fields",
                                               "formats",
                                               "coverage",
                                               "keywords",
                                               "secrecy",
                                               "sharing",
                                               "sharing_departments",
                                               "enterprise_own_rows"};
  if (!j.is_object()) return Status::InvalidInput("a dataset must be a JSON object");
  for (const auto& [k, v] : j.items())
    if (!kKnown.count(k)) return Status::InvalidInput("unknown field: " + k);
  Dataset d;
  Status s;
  const std::pair<const char*, std::pair<std::string*, size_t>> texts[] = {
      {"id", {&d.id, 64}},
      {"name", {&d.name, 200}},
      {"description", {&d.description, 4000}},
      {"category", {&d.category, 64}},
      {"subcategory", {&d.subcategory, 64}},
      {"source_system", {&d.source_system, 200}},
      {"owner_department", {&d.owner_department, 100}},
      {"update_frequency", {&d.update_frequency, 100}}};
  for (const auto& [key, target] : texts) {
    bool required =
        std::string_view(key) != "description" && std::string_view(key) != "update_frequency";
    if (!(s = Text(j, key, target.first, target.second, required)).ok()) return s;
  }
  if (!IsSlug(d.id))
    return Status::InvalidInput("id must be 1-64 characters of a-z, 0-9, '-' and '_'");
  auto cat = std::find_if(Categories().begin(), Categories().end(),
                          [&](const CategoryInfo& c) { return c.id == d.category; });
  if (cat == Categories().end()) return Status::InvalidInput("unknown category: " + d.category);
  if (std::none_of(cat->subclasses.begin(), cat->subclasses.end(),
                   [&](const auto& sc) { return sc.first == d.subcategory; }))
    return Status::InvalidInput("unknown subcategory of " + d.category + ": " + d.subcategory);
  std::string secrecy = "internal", sharing = "government";
  if (!(s = Text(j, "secrecy", &secrecy, 20, false)).ok()) return s;
  if (!(s = Text(j, "sharing", &sharing, 20, false)).ok()) return s;
  auto sec = ParseSecrecy(secrecy);
  auto sha = ParseSharing(sharing);
  if (!sec) return Status::InvalidInput("secrecy must be public, internal, restricted or secret");
  if (!sha) return Status::InvalidInput("sharing must be public, government, departments or none");
  if (*sha == Sharing::kPublic && *sec != Secrecy::kPublic)
    return Status::InvalidInput("only a dataset of secrecy 'public' can be shared publicly");
  if (!(s = TextList(j, "formats", &d.formats)).ok()) return s;
  if (!(s = TextList(j, "keywords", &d.keywords)).ok()) return s;
  std::vector<std::string> departments;
  if (!(s = TextList(j, "sharing_departments", &departments)).ok()) return s;
  if (*sha == Sharing::kDepartments && departments.empty())
    return Status::InvalidInput("sharing 'departments' needs sharing_departments");
  for (const auto& f : d.formats)
    if (f != "json" && f != "csv" && f != "xlsx" && f != "api" && f != "file")
      return Status::InvalidInput("unknown format: " + f);
  if (auto it = j.find("coverage"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Status::InvalidInput("coverage must be {from, to}");
    for (const auto& [k, v] : it->items())
      if (k != "from" && k != "to") return Status::InvalidInput("unknown field: coverage." + k);
    if (!(s = Text(*it, "from", &d.coverage_from, 10, false)).ok()) return s;
    if (!(s = Text(*it, "to", &d.coverage_to, 10, false)).ok()) return s;
    if (!IsDate(d.coverage_from) || !IsDate(d.coverage_to))
      return Status::InvalidInput("coverage dates are YYYY-MM-DD");
  }
  if (auto it = j.find("fields"); it != j.end() && !it->is_null()) {
    if (!it->is_array() || it->size() > 200)
      return Status::InvalidInput("fields must be an array of at most 200 entries");
    for (const auto& f : *it) {
      if (!f.is_object()) return Status::InvalidInput("each field is an object");
      for (const auto& [k, v] : f.items())
        if (k != "name" && k != "type" && k != "unit" && k != "description")
          return Status::InvalidInput("unknown field: fields[]." + k);
      DatasetField df;
      if (!(s = Text(f, "name", &df.name, 100, true)).ok()) return s;
      if (!(s = Text(f, "type", &df.type, 20, false)).ok()) return s;
      if (!(s = Text(f, "unit", &df.unit, 40, false)).ok()) return s;
      if (!(s = Text(f, "description", &df.description, 1000, false)).ok()) return s;
      d.fields.push_back(std::move(df));
    }
  }
  bool own_rows = false;
  if (auto it = j.find("enterprise_own_rows"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) return Status::InvalidInput("enterprise_own_rows must be a boolean");
    own_rows = it->get<bool>();
  }
  d.tags = {d.id, *sec, *sha, std::move(departments), d.owner_department, own_rows};
  return d;
}

bool DatasetMatches(const Dataset& d, std::string_view text) {
  if (text.empty()) return true;
  auto lower = [](std::string_view s) {
    std::string o(s);
    for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
  };
  std::string needle = lower(text);
  auto has = [&](std::string_view hay) { return lower(hay).find(needle) != std::string::npos; };
  if (has(d.id) || has(d.name) || has(d.description)) return true;
  return std::any_of(d.keywords.begin(), d.keywords.end(), has);
}

}  // namespace ecohub::auth
