// Accounts and sharing: login, users, API keys, the resource catalog, data
// requests and their approval, notifications, the audit log, the public
// disclosure of key enterprises, and the API's own description.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "api/handlers.h"
#include "api/params.h"
#include "api/routes.h"
#include "core/time.h"

namespace ecohub::api {

using auth::Action;
using auth::Area;
using auth::Principal;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

ordered_json UserJson(const auth::User& u) {
  return {
      {"id", u.id},
      {"username", u.username},
      {"display_name", u.display_name},
      {"role", auth::RoleName(u.role)},
      {"district_id", u.district_id},
      {"enterprise_id", u.enterprise_id ? json(u.enterprise_id) : json(nullptr)},
      {"department", u.department},
      {"disabled", u.disabled},
      {"locked_until", u.locked_until ? json(FormatRfc3339Beijing(u.locked_until)) : json(nullptr)},
      {"created", FormatRfc3339Beijing(u.created)}};
}

ordered_json KeyJson(const auth::ApiKey& k) {
  return {{"id", k.id},
          {"name", k.name},
          {"owner_id", k.owner_id},
          {"prefix", k.prefix},
          {"datasets", k.datasets},
          {"created", FormatRfc3339Beijing(k.created)},
          {"expires", FormatRfc3339Beijing(k.expires)},
          {"revoked", k.revoked},
          {"request_id", k.request_id ? json(k.request_id) : json(nullptr)}};
}

ordered_json RequestJson(const auth::DataRequest& r) {
  return {{"id", r.id},
          {"dataset", r.dataset},
          {"requester_id", r.requester_id},
          {"department", r.department},
          {"purpose", r.purpose},
          {"until", FormatRfc3339Beijing(r.until)},
          {"delivery", r.delivery},
          {"status", r.status},
          {"decided_by", r.decided_by ? json(r.decided_by) : json(nullptr)},
          {"reason", r.reason},
          {"created", FormatRfc3339Beijing(r.created)},
          {"decided", r.decided ? json(FormatRfc3339Beijing(r.decided)) : json(nullptr)},
          {"key_id", r.key_id ? json(r.key_id) : json(nullptr)}};
}

// Applies the optional user fields of a body onto `u`; a problem on bad values.
std::optional<Response> ApplyUserFields(const json& b, auth::User* u) {
  if (b.contains("role") && !b["role"].is_null()) {
    auto r = auth::ParseRole(b["role"].get<std::string>());
    if (!r || *r == auth::Role::kPublic)
      return Problem(400, "bad-field",
                     "role must be admin, leader, staff, inspector, partner or enterprise");
    u->role = *r;
  }
  if (b.contains("display_name") && !b["display_name"].is_null())
    u->display_name = b["display_name"];
  if (b.contains("district_id") && !b["district_id"].is_null()) u->district_id = b["district_id"];
  if (b.contains("enterprise_id") && !b["enterprise_id"].is_null())
    u->enterprise_id = b["enterprise_id"];
  if (b.contains("department") && !b["department"].is_null()) u->department = b["department"];
  if (b.contains("disabled") && !b["disabled"].is_null()) u->disabled = b["disabled"];
  if (u->district_id < 0 || u->enterprise_id < 0)
    return Problem(400, "bad-field", "district_id and enterprise_id are ids (0: none)");
  return std::nullopt;
}

}  // namespace

void AddPlatformRoutes(Api& api, const ApiContext& ctx) {
  auth::Accounts* acc = ctx.accounts;
  auto sites = ctx.sites;

  // --- login ---------------------------------------------------------------------
  const std::vector<ParamDoc> kLoginBody = {{"username", "string", "", true},
                                            {"password", "string", "", true}};
  api.Add("POST", "/api/v1/auth/login",
          {"Log in: returns a bearer token (eht_...) and its expiry",
           "Accounts",
           {},
           kLoginBody,
           false,
           "",
           false,
           "{token, expires, user}"},
          [ctx, acc, kLoginBody](const Request& req, const Principal&) {
            json b;
            if (auto bad = ParseBody(req, kLoginBody, &b)) return *bad;
            auto r = acc->Login(b["username"].get<std::string>(), b["password"].get<std::string>(),
                                WallSeconds());
            Principal actor;
            actor.name = "user:" + b["username"].get<std::string>();
            if (!r.ok()) {
              spdlog::warn("login refused for {} from {}: {}", b["username"].get<std::string>(),
                           req.peer, r.status().message());
              Audit(ctx, actor, "login.failed", actor.name, {{"peer", req.peer}});
              return FromStatus(r.status());
            }
            Audit(ctx, actor, "login", actor.name, {{"peer", req.peer}});
            return JsonResponse<ordered_json>({{"token", r->token},
                                               {"token_type", "Bearer"},
                                               {"expires", FormatRfc3339Beijing(r->expires)},
                                               {"user", UserJson(r->user)}});
          });

  api.Add("POST", "/api/v1/auth/logout", {"End this token's session", "Accounts"},
          [acc](const Request& req, const Principal& who) {
            if (who.key_id)
              return Problem(400, "bad-input", "API keys are revoked, not logged out");
            Status s = acc->Logout(BearerOf(req.authorization));
            if (!s.ok()) return FromStatus(s);
            Response r;
            r.status = 204;
            return r;
          });

  const std::vector<ParamDoc> kPasswordBody = {{"old_password", "string", "", true},
                                               {"new_password", "string", "", true}};
  api.Add("POST", "/api/v1/auth/password",
          {"Change one's own password (ends every session)", "Accounts", {}, kPasswordBody},
          [ctx, acc, kPasswordBody](const Request& req, const Principal& who) {
            json b;
            if (auto bad = ParseBody(req, kPasswordBody, &b)) return *bad;
            if (who.key_id)
              return Problem(403, "forbidden", "Not allowed", "API keys are read-only");
            auto u = acc->GetUser(who.user_id);
            if (!u.ok()) return FromStatus(u.status());
            auto check =
                acc->Login(u->username, b["old_password"].get<std::string>(), WallSeconds());
            if (!check.ok()) return FromStatus(check.status());
            Status s = acc->SetPassword(who.user_id, b["new_password"].get<std::string>());
            if (!s.ok()) return FromStatus(s);
            Audit(ctx, who, "user.password", who.name, json::object());
            Response r;
            r.status = 204;
            return r;
          });

  api.Add("GET", "/api/v1/me", {"Who the bearer is: account, role, scope, grants", "Accounts"},
          [acc](const Request&, const Principal& who) {
            auto u = acc->GetUser(who.user_id);
            if (!u.ok()) return FromStatus(u.status());
            ordered_json grants = ordered_json::array();
            for (const auto& g : who.grants)
              grants.push_back({{"dataset", g.dataset}, {"until", FormatRfc3339Beijing(g.until)}});
            ordered_json j = UserJson(*u);
            j["via"] = who.key_id ? "api_key" : "token";
            j["grants"] = grants;
            return JsonResponse(j);
          });

  // --- users (administrators) ------------------------------------------------------
  api.Add(
      "GET", "/api/v1/users",
      {"User accounts (administrators)",
       "Accounts",
       {{"cursor", "cursor", ""}, {"limit", "integer", "1..1000"}}},
      [acc](const Request& req, const Principal& who) {
        if (auto denied = Check(who, Action::kRead, {Area::kUsers})) return *denied;
        std::string bad;
        auto page = PageParams(req, 1000, &bad);
        if (!page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
        auto users = acc->Users();
        if (!users.ok()) return FromStatus(users.status());
        ordered_json items = ordered_json::array();
        int64_t last = 0;
        bool more = false;
        for (const auto& u : *users) {
          if (u.id <= page->after) continue;
          if (items.size() == page->limit) {
            more = true;
            break;
          }
          items.push_back(UserJson(u));
          last = u.id;
        }
        return JsonResponse<ordered_json>(
            {{"items", items}, {"next_cursor", more ? json(CursorAfter(last)) : json(nullptr)}});
      });

  const std::vector<ParamDoc> kUserBody = {
      {"username", "string", "1-64 of A-Z a-z 0-9 . _ - @", true},
      {"password", "string", "at least 10 characters, two classes", true},
      {"role", "string", "admin, leader, staff, inspector, partner or enterprise", true},
      {"display_name", "string", ""},
      {"district_id", "integer", "0: the whole city"},
      {"enterprise_id", "integer", "enterprise accounts"},
      {"department", "string", "department (deciders of requests, partners)"},
      {"disabled", "boolean", ""}};
  api.Add("POST", "/api/v1/users",
          {"Create an account (administrators)", "Accounts", {}, kUserBody},
          [ctx, acc, kUserBody](const Request& req, const Principal& who) {
            if (auto denied = Check(who, Action::kWrite, {Area::kUsers})) return *denied;
            json b;
            if (auto bad = ParseBody(req, kUserBody, &b)) return *bad;
            auth::User u;
            u.username = b["username"];
            if (auto bad = ApplyUserFields(b, &u)) return *bad;
            auto created = acc->CreateUser(u, b["password"].get<std::string>());
            if (!created.ok()) return FromStatus(created.status());
            Audit(ctx, who, "user.create", "user:" + created->username, UserJson(*created));
            return JsonResponse(UserJson(*created), 201);
          });

  api.Add("GET", "/api/v1/users/{id}", {"One account (administrators, or oneself)", "Accounts"},
          [acc](const Request& req, const Principal& who) {
            int64_t id = 0;
            if (!ParseId(req.params.at("id"), &id)) return Problem(400, "bad-id", "Bad id");
            if (auto denied = Check(who, Action::kRead, {Area::kUsers, nullptr, 0, 0, id}))
              return *denied;
            auto u = acc->GetUser(id);
            if (!u.ok()) return FromStatus(u.status());
            return JsonResponse(UserJson(*u));
          });

  std::vector<ParamDoc> kUserPatch(kUserBody.begin() + 2, kUserBody.end());
  for (auto& p : kUserPatch) p.required = false;
  api.Add("PATCH", "/api/v1/users/{id}",
          {"Change an account: role, scope, department, disable (administrators)",
           "Accounts",
           {},
           kUserPatch},
          [ctx, acc, kUserPatch](const Request& req, const Principal& who) {
            int64_t id = 0;
            if (!ParseId(req.params.at("id"), &id)) return Problem(400, "bad-id", "Bad id");
            if (auto denied = Check(who, Action::kWrite, {Area::kUsers})) return *denied;
            json b;
            if (auto bad = ParseBody(req, kUserPatch, &b)) return *bad;
            auto u = acc->GetUser(id);
            if (!u.ok()) return FromStatus(u.status());
            if (auto bad = ApplyUserFields(b, &*u)) return *bad;
            Status s = acc->UpdateUser(*u);
            if (!s.ok()) return FromStatus(s);
            Audit(ctx, who, "user.update", "user:" + u->username, b);
            return JsonResponse(UserJson(*u));
          });

  const std::vector<ParamDoc> kResetBody = {{"password", "string", "the new password", true}};
  api.Add("POST", "/api/v1/users/{id}/reset-password",
          {"Set a new password, unlock, end sessions (administrators)", "Accounts", {}, kResetBody},
          [ctx, acc, kResetBody](const Request& req, const Principal& who) {
            int64_t id = 0;
            if (!ParseId(req.params.at("id"), &id)) return Problem(400, "bad-id", "Bad id");
            if (auto denied = Check(who, Action::kWrite, {Area::kUsers})) return *denied;
            json b;
            if (auto bad = ParseBody(req, kResetBody, &b)) return *bad;
            Status s = acc->SetPassword(id, b["password"].get<std::string>());
            if (!s.ok()) return FromStatus(s);
            Audit(ctx, who, "user.reset_password", "user-id:" + std::to_string(id), json::object());
            Response r;
            r.status = 204;
            return r;
          });

  // --- API keys ------------------------------------------------------------------
  api.Add("GET", "/api/v1/api-keys", {"API keys: all (administrators) or one's own", "Accounts"},
          [acc](const Request&, const Principal& who) {
            bool admin = auth::Authorize(who, Action::kRead, {Area::kKeys}, WallSeconds()).allow;
            auto keys = acc->Keys(admin ? 0 : who.user_id);
            if (!keys.ok()) return FromStatus(keys.status());
            ordered_json items = ordered_json::array();
            for (const auto& k : *keys) items.push_back(KeyJson(k));
            return JsonResponse<ordered_json>({{"items", items}});
          });

  const std::vector<ParamDoc> kKeyBody = {
      {"name", "string", "what system uses it", true},
      {"owner_id", "integer", "the account it acts for (administrators; default: oneself)"},
      {"datasets", "array", "dataset ids it is limited to (default: the owner's rights)"},
      {"expires", "time", "default: 90 days"}};
  api.Add("POST", "/api/v1/api-keys",
          {"Create an API key; its secret (ehk_...) is shown once", "Accounts", {}, kKeyBody},
          [ctx, acc, kKeyBody](const Request& req, const Principal& who) {
            json b;
            if (auto bad = ParseBody(req, kKeyBody, &b)) return *bad;
            auth::ApiKey k;
            k.name = b["name"];
            k.owner_id = b.value("owner_id", who.user_id);
            if (auto denied = Check(who, Action::kWrite, {Area::kKeys, nullptr, 0, 0, k.owner_id}))
              return *denied;
            if (!acc->GetUser(k.owner_id).ok())
              return Problem(400, "bad-field", "owner_id names no account");
            if (b.contains("datasets") && b["datasets"].is_array()) {
              for (const auto& d : b["datasets"]) {
                if (!d.is_string() || !acc->GetDataset(d.get<std::string>()).ok())
                  return Problem(400, "bad-field", "datasets must name catalog entries");
                k.datasets.push_back(d);
              }
            }
            UnixSeconds now = WallSeconds();
            k.expires = b.contains("expires") && b["expires"].is_string()
                            ? *ParseTime(b["expires"].get<std::string>())
                            : now + 90 * 86400;
            if (k.expires > now + 3 * 366 * 86400)
              return Problem(400, "bad-field", "a key lives at most 3 years");
            auto created = acc->CreateKey(k, now);
            if (!created.ok()) return FromStatus(created.status());
            Audit(ctx, who, "api_key.create", "key:" + std::to_string(created->first.id),
                  KeyJson(created->first));
            ordered_json j = KeyJson(created->first);
            j["secret"] = created->second;
            return JsonResponse(j, 201);
          });

  api.Add("DELETE", "/api/v1/api-keys/{id}", {"Revoke an API key", "Accounts"},
          [ctx, acc](const Request& req, const Principal& who) {
            int64_t id = 0;
            if (!ParseId(req.params.at("id"), &id)) return Problem(400, "bad-id", "Bad id");
            auto k = acc->GetKey(id);
            if (!k.ok()) return FromStatus(k.status());
            if (auto denied = Check(who, Action::kWrite, {Area::kKeys, nullptr, 0, 0, k->owner_id}))
              return *denied;
            Status s = acc->RevokeKey(id);
            if (!s.ok()) return FromStatus(s);
            Audit(ctx, who, "api_key.revoke", "key:" + std::to_string(id), json::object());
            Response r;
            r.status = 204;
            return r;
          });

  // --- catalog -----------------------------------------------------------------------
  api.Add(
      "GET", "/api/v1/catalog/categories",
      {"The six classes of the catalog and their subclasses", "Catalog", {}, {}, false},
      [](const Request&, const Principal&) {
        ordered_json items = ordered_json::array();
        for (const auto& c : auth::Categories()) {
          ordered_json subs = ordered_json::array();
          for (const auto& [id, name] : c.subclasses) subs.push_back({{"id", id}, {"name", name}});
          items.push_back(
              {{"id", c.id}, {"name", c.name_zh}, {"name_en", c.name_en}, {"subclasses", subs}});
        }
        return JsonResponse<ordered_json>({{"items", items}});
      });

  // What the catalog shows beside each entry, read once per request: the newest
  // reading of each readings dataset, and the city's rates of the last two days.
  struct CatalogFacts {
    std::map<std::string, UnixSeconds> newest_reading;  // by dataset id
    ordered_json quality;
  };
  auto catalog_facts = [ctx, sites] {
    CatalogFacts f;
    auto snap = sites->Get();
    std::map<std::string, std::string> dataset_of_mn;
    for (const auto& dev : snap->devices)
      if (const store::Site* s = snap->Site(dev.site_id))
        dataset_of_mn[dev.mn] = ReadingsDataset(*s);
    for (const auto& v : ctx.latest->All())
      if (auto it = dataset_of_mn.find(v.mn); it != dataset_of_mn.end())
        f.newest_reading[it->second] = std::max(f.newest_reading[it->second], v.time);
    UnixSeconds now = WallSeconds();
    auto rows = ctx.store->QueryDerived("quality_day", "site:*", now - 2 * 86400, now, 100000);
    int64_t expected = 0, received = 0, valid = 0;
    if (rows.ok())
      for (const auto& r : *rows) {
        auto b = json::parse(r.body, nullptr, false);
        if (b.is_discarded() || !b.contains("totals")) continue;
        expected += b["totals"].value("expected", int64_t{0});
        received += b["totals"].value("received", int64_t{0});
        valid += b["totals"].value("valid", int64_t{0});
      }
    f.quality = expected ? ordered_json{{"transmission_rate", double(received) / expected},
                                        {"valid_rate", received ? double(valid) / received : 0.0},
                                        {"days", "last 2"}}
                         : ordered_json(nullptr);
    return f;
  };

  auto dataset_view = [ctx](const auth::Dataset& d, const Principal& who, const CatalogFacts& f) {
    ordered_json j = DatasetToJson(d);
    j["readable"] = auth::CanReadDataset(who, d.tags, WallSeconds());
    // Freshness: the newest data behind the entry, where EcoHub holds it.
    std::optional<UnixSeconds> newest;
    const char* kind = d.id == "air-aqi"         ? "aqi_hour"
                       : d.id == "water-classes" ? "water_day"
                       : d.id == "data-quality"  ? "quality_day"
                       : d.id == "exceedances"   ? "exceedance"
                                                 : nullptr;
    if (kind) {
      UnixSeconds now = WallSeconds();
      auto rows = ctx.store->QueryDerived(kind, "", now - 3 * 86400, now + 86400, 100000);
      if (rows.ok() && !rows->empty()) newest = rows->back().time;
    } else if (auto it = f.newest_reading.find(d.id); it != f.newest_reading.end()) {
      newest = it->second;
    }
    j["freshness"] = newest ? json(FormatRfc3339Beijing(*newest)) : json(nullptr);
    if (d.endpoint == "/api/v1/readings" || d.id == "air-aqi" || d.id == "data-quality")
      j["quality"] = f.quality;
    return j;
  };

  api.Add("GET", "/api/v1/datasets",
          {"Search the resource catalog (资源目录)",
           "Catalog",
           {{"q", "string", "text in name, description, keywords"},
            {"category", "string", "one of the six classes"},
            {"subcategory", "string", ""},
            {"secrecy", "string", "public, internal, restricted or secret"},
            {"sharing", "string", "public, government, departments or none"}},
           {},
           false},
          [acc, dataset_view, catalog_facts](const Request& req, const Principal& who) {
            CatalogFacts facts = catalog_facts();
            std::string q = Param(req, "q", ""), cat = Param(req, "category", ""),
                        sub = Param(req, "subcategory", ""), sec = Param(req, "secrecy", ""),
                        sha = Param(req, "sharing", "");
            ordered_json items = ordered_json::array();
            for (const auto& d : acc->Datasets()) {
              if (!cat.empty() && d.category != cat) continue;
              if (!sub.empty() && d.subcategory != sub) continue;
              if (!sec.empty() && auth::SecrecyName(d.tags.secrecy) != sec) continue;
              if (!sha.empty() && auth::SharingName(d.tags.sharing) != sha) continue;
              if (!auth::DatasetMatches(d, q)) continue;
              if (!auth::Authorize(who, Action::kRead, {Area::kCatalog, &d.tags}, WallSeconds()))
                continue;
              items.push_back(dataset_view(d, who, facts));
            }
            return JsonResponse<ordered_json>({{"items", items}});
          });

  api.Add("GET", "/api/v1/datasets/{id}", {"One catalog entry", "Catalog", {}, {}, false},
          [acc, dataset_view, catalog_facts](const Request& req, const Principal& who) {
            auto d = acc->GetDataset(req.params.at("id"));
            if (!d.ok()) return FromStatus(d.status());
            if (auto denied = Check(who, Action::kRead, {Area::kCatalog, &d->tags})) {
              // Not listed for the caller: do not confirm that it exists.
              if (who.role != auth::Role::kPublic) return Problem(404, "not-found", "Not found");
              return *denied;
            }
            return JsonResponse(dataset_view(*d, who, catalog_facts()));
          });

  api.Add("POST", "/api/v1/datasets",
          {"Register a dataset held in another system (administrators)",
           "Catalog",
           {},
           {{"id", "string", "slug", true},
            {"name", "string", "", true},
            {"description", "string", ""},
            {"category", "string", "", true},
            {"subcategory", "string", "", true},
            {"source_system", "string", "", true},
            {"owner_department", "string", "", true},
            {"update_frequency", "string", ""},
            {"fields", "array", "[{name, type, unit, description}]"},
            {"formats", "array", "json, csv, xlsx, api, file"},
            {"coverage", "object", "{from, to} as YYYY-MM-DD"},
            {"keywords", "array", ""},
            {"secrecy", "string", ""},
            {"sharing", "string", ""},
            {"sharing_departments", "array", ""},
            {"enterprise_own_rows", "boolean", ""}}},
          [ctx, acc](const Request& req, const Principal& who) {
            json b;
            try {
              b = json::parse(req.body);
            } catch (const std::exception& e) {
              return Problem(400, "bad-body", "Body is not valid JSON", e.what());
            }
            auto d = auth::DatasetFromJson(b);
            if (!d.ok()) return FromStatus(d.status());
            if (auto denied = Check(who, Action::kWrite, {Area::kCatalog, &d->tags}))
              return *denied;
            Status s = acc->PutDataset(*d, WallSeconds());
            if (!s.ok()) return FromStatus(s);
            Audit(ctx, who, "dataset.put", "dataset:" + d->id, DatasetToJson(*d));
            return JsonResponse(DatasetToJson(*d), 201);
          });

  // --- data requests ---------------------------------------------------------------
  const std::vector<ParamDoc> kRequestBody = {
      {"dataset", "string", "catalog id", true},
      {"purpose", "string", "what the data is for", true},
      {"until", "time", "access asked until (at most a year)", true},
      {"delivery", "string", "account (default: rights on one's account) or key"}};
  api.Add("POST", "/api/v1/data-requests",
          {"Ask for access to a dataset (数据申请)", "Catalog", {}, kRequestBody},
          [ctx, acc, kRequestBody](const Request& req, const Principal& who) {
            json b;
            if (auto bad = ParseBody(req, kRequestBody, &b)) return *bad;
            if (who.key_id)
              return Problem(403, "forbidden", "Not allowed", "API keys are read-only");
            auth::DataRequest r;
            r.dataset = b["dataset"];
            r.purpose = b["purpose"];
            r.until = *ParseTime(b["until"].get<std::string>());
            r.delivery = b.value("delivery", std::string("account"));
            r.requester_id = who.user_id;
            r.department = who.department;
            auto d = acc->GetDataset(r.dataset);
            if (!d.ok()) return FromStatus(d.status());
            if (auto denied = Check(who, Action::kRead, {Area::kCatalog, &d->tags}))
              return Problem(404, "not-found", "Not found", r.dataset);
            if (d->tags.sharing == auth::Sharing::kPublic)
              return Problem(409, "conflict", "Public datasets need no request", r.dataset);
            auto created = acc->CreateRequest(r, WallSeconds());
            if (!created.ok()) return FromStatus(created.status());
            Audit(ctx, who, "data_request.create", "data-request:" + std::to_string(created->id),
                  RequestJson(*created));
            // Tell the deciders: the owner department's staff and leaders.
            if (auto users = acc->Users(); users.ok())
              for (const auto& u : *users)
                if (!u.disabled && u.department == d->owner_department &&
                    (u.role == auth::Role::kStaff || u.role == auth::Role::kLeader))
                  acc->Notify(u.id, "新的数据申请 #" + std::to_string(created->id) + "：" + d->name,
                              "data-request:" + std::to_string(created->id), WallSeconds());
            return JsonResponse(RequestJson(*created), 201);
          });

  api.Add(
      "GET", "/api/v1/data-requests",
      {"Data requests: one's own, and those one decides",
       "Catalog",
       {{"status", "string", "pending, approved, refused or expired"}}},
      [acc](const Request& req, const Principal& who) {
        auto all = acc->Requests(WallSeconds());
        if (!all.ok()) return FromStatus(all.status());
        std::string status = Param(req, "status", "");
        std::map<std::string, auth::DatasetTags> tags;  // one catalog read, not one per row
        for (auto& d : acc->Datasets()) tags.emplace(d.id, std::move(d.tags));
        ordered_json items = ordered_json::array();
        for (const auto& r : *all) {
          if (!status.empty() && r.status != status) continue;
          auto d = tags.find(r.dataset);
          if (d == tags.end()) continue;
          if (!auth::Authorize(who, Action::kRead,
                               {Area::kRequests, &d->second, 0, 0, r.requester_id}, WallSeconds()))
            continue;
          items.push_back(RequestJson(r));
        }
        return JsonResponse<ordered_json>({{"items", items}});
      });

  api.Add("GET", "/api/v1/data-requests/{id}", {"One data request", "Catalog"},
          [acc](const Request& req, const Principal& who) {
            int64_t id = 0;
            if (!ParseId(req.params.at("id"), &id)) return Problem(400, "bad-id", "Bad id");
            auto r = acc->GetRequest(id, WallSeconds());
            if (!r.ok()) return FromStatus(r.status());
            auto d = acc->GetDataset(r->dataset);
            if (!d.ok()) return FromStatus(d.status());
            if (auto denied =
                    Check(who, Action::kRead, {Area::kRequests, &d->tags, 0, 0, r->requester_id}))
              return *denied;
            return JsonResponse(RequestJson(*r));
          });

  const std::vector<ParamDoc> kDecideBody = {{"reason", "string", "required to refuse"}};
  for (bool approve : {true, false}) {
    api.Add("POST", std::string("/api/v1/data-requests/{id}/") + (approve ? "approve" : "refuse"),
            {approve ? "Approve a data request: grants access until its end (the owner department)"
                     : "Refuse a data request with a reason (the owner department)",
             "Catalog",
             {},
             kDecideBody},
            [ctx, acc, approve, kDecideBody](const Request& req, const Principal& who) {
              int64_t id = 0;
              if (!ParseId(req.params.at("id"), &id)) return Problem(400, "bad-id", "Bad id");
              json b = json::object();
              if (!req.body.empty())
                if (auto bad = ParseBody(req, kDecideBody, &b)) return *bad;
              auto r = acc->GetRequest(id, WallSeconds());
              if (!r.ok()) return FromStatus(r.status());
              auto d = acc->GetDataset(r->dataset);
              if (!d.ok()) return FromStatus(d.status());
              if (auto denied = Check(who, Action::kDecide,
                                      {Area::kRequests, &d->tags, 0, 0, r->requester_id}))
                return *denied;
              std::string secret;
              auto decided = acc->Decide(id, approve, who.user_id, b.value("reason", std::string()),
                                         WallSeconds(), &secret);
              if (!decided.ok()) return FromStatus(decided.status());
              Audit(ctx, who, approve ? "data_request.approve" : "data_request.refuse",
                    "data-request:" + std::to_string(id), RequestJson(*decided));
              ordered_json j = RequestJson(*decided);
              // The key goes to the requester through its notification... and here, once,
              // to the decider who hands it over (there is no mail system yet).
              if (!secret.empty()) j["key_secret"] = secret;
              return JsonResponse(j);
            });
  }

  api.Add("GET", "/api/v1/notifications",
          {"One's notifications, newest first",
           "Accounts",
           {{"limit", "integer", "1..500 (default 50)"}}},
          [acc](const Request& req, const Principal& who) {
            std::string bad;
            auto page = PageParams(req, 500, &bad);
            if (!page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
            auto n = acc->Notifications(who.user_id, req.query.count("limit") ? page->limit : 50);
            if (!n.ok()) return FromStatus(n.status());
            ordered_json items = ordered_json::array();
            for (const auto& x : *n)
              items.push_back({{"id", x.id},
                               {"time", FormatRfc3339Beijing(x.time)},
                               {"text", x.text},
                               {"object", x.object}});
            return JsonResponse<ordered_json>({{"items", items}});
          });

  // --- audit log -------------------------------------------------------------------
  api.Add("GET", "/api/v1/audit",
          {"The audit log and usage record (使用日志), newest first (administrators, leaders)",
           "Operations",
           {{"action", "string", "e.g. export, data.read, device.update"},
            {"actor", "string", "user:NAME or key:ID"},
            {"object", "string", "prefix of the object, e.g. dataset:air-aqi"},
            {"limit", "integer", "1..1000 (default 100)"}}},
          [ctx](const Request& req, const Principal& who) {
            if (auto denied = Check(who, Action::kRead, {Area::kAudit})) return *denied;
            std::string bad;
            auto page = PageParams(req, 1000, &bad);
            if (!page) return Problem(400, "bad-parameter", "Bad query parameter", bad);
            std::string action = Param(req, "action", ""), actor = Param(req, "actor", ""),
                        object = Param(req, "object", "");
            std::vector<store::AuditEntry> rows;
            Status s = ctx.store->ScanAudit([&](const store::AuditEntry& e) {
              if ((action.empty() || e.action == action) && (actor.empty() || e.actor == actor) &&
                  (object.empty() || e.object.starts_with(object))) {
                rows.push_back(e);
                if (rows.size() > page->limit) rows.erase(rows.begin());
              }
              return true;
            });
            if (!s.ok()) return FromStatus(s);
            ordered_json items = ordered_json::array();
            for (auto it = rows.rbegin(); it != rows.rend(); ++it)
              items.push_back({{"id", it->id},
                               {"time", FormatRfc3339Beijing(it->time / 1000)},
                               {"actor", it->actor},
                               {"action", it->action},
                               {"object", it->object},
                               {"detail", json::parse(it->detail, nullptr, false)},
                               {"hash", it->hash}});
            return JsonResponse<ordered_json>({{"items", items}});
          });

  // --- public disclosure of key enterprises ------------------------------------------
  api.Add("GET", "/api/v1/public/enterprises",
          {"Key pollutant-discharging units and the latest emissions of their outlets (信息公开)",
           "Public",
           {},
           {},
           false,
           "emission-disclosure"},
          [ctx, sites](const Request&, const Principal&) {
            auto snap = sites->Get();
            ordered_json items = ordered_json::array();
            for (const auto& e : snap->enterprises) {
              if (!e.key_unit) continue;
              ordered_json outlets = ordered_json::array();
              for (const auto& s : snap->sites) {
                if (s.enterprise_id != e.id) continue;
                auto attrs =
                    json::parse(s.attrs_json.empty() ? "{}" : s.attrs_json, nullptr, false);
                ordered_json values = ordered_json::array();
                for (const auto& v : ctx.latest->ForSite(s.id)) {
                  if (v.period != Period::kHour || (v.field != "Avg" && v.field != "ZsAvg"))
                    continue;
                  ordered_json x = {{"factor", v.factor},
                                    {"field", v.field},
                                    {"value", v.value},
                                    {"time", FormatRfc3339Beijing(v.time)}};
                  if (attrs.is_object() && attrs.contains("limits") &&
                      attrs["limits"].is_object() && attrs["limits"].contains(v.factor))
                    x["limit"] = attrs["limits"][v.factor];
                  values.push_back(std::move(x));
                }
                outlets.push_back(
                    {{"code", s.code}, {"name", s.name}, {"kind", s.kind}, {"values", values}});
              }
              items.push_back({{"id", e.id},
                               {"name", e.name},
                               {"credit_code", e.credit_code},
                               {"industry", e.industry},
                               {"permit_no", e.permit_no},
                               {"outlets", outlets}});
            }
            return JsonResponse<ordered_json>(
                {{"time_label", "hour start, Beijing time"}, {"items", items}});
          });

  api.Add(
      "GET", "/api/v1/public/datasets",
      {"The catalog's public datasets (open data)", "Public", {}, {}, false},
      [acc](const Request&, const Principal&) {
        ordered_json items = ordered_json::array();
        for (const auto& d : acc->Datasets())
          if (d.tags.secrecy == auth::Secrecy::kPublic && d.tags.sharing == auth::Sharing::kPublic)
            items.push_back(DatasetToJson(d));
        return JsonResponse<ordered_json>({{"items", items}});
      });

  // --- the API's own description ---------------------------------------------------------
  api.Add("GET", "/api/v1/openapi.json",
          {"This API as an OpenAPI 3 document", "Operations", {}, {}, false},
          [&api](const Request&, const Principal&) { return JsonResponse(api.OpenApi()); });

  api.Add("GET", "/api/docs", {"The API described for people (HTML)", "Operations", {}, {}, false},
          [&api](const Request&, const Principal&) {
            auto doc = api.OpenApi();
            auto esc = [](const std::string& s) {
              std::string o;
              for (char c : s) {
                if (c == '<')
                  o += "&lt;";
                else if (c == '>')
                  o += "&gt;";
                else if (c == '&')
                  o += "&amp;";
                else if (c == '"')
                  o += "&quot;";
                else
                  o += c;
              }
              return o;
            };
            std::string html =
                "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                "<title>EcoHub API</title><style>body{font:15px/1.5 system-ui,sans-serif;"
                "max-width:960px;margin:2em auto;padding:0 1em;color:#1d2a33}"
                "h2{border-bottom:1px solid #cfd8dc;margin-top:2em}code{background:#eef3f5;"
                "padding:0 .3em;border-radius:3px}.m{display:inline-block;min-width:4.5em;"
                "font-weight:600;color:#00695c}.p{color:#546e7a;font-size:13px;margin-left:5.2em}"
                "</style></head><body><h1>EcoHub platform API</h1><p>"
                "JSON over HTTPS, <code>Authorization: Bearer &lt;token or API key&gt;</code>; "
                "errors are RFC 7807 problems; times are RFC 3339 with +08:00 and label the start "
                "of their period. Machine-readable: <a href=\"/api/v1/openapi.json\">"
                "/api/v1/openapi.json</a>.</p>";
            std::map<std::string, std::string> by_tag;
            for (const auto& [path, ops] : doc["paths"].items())
              for (const auto& [method, op] : ops.items()) {
                std::string& s = by_tag[op["tags"][0].get<std::string>()];
                s += "<p><span class=\"m\">" + esc(method) + "</span><code>" + esc(path) +
                     "</code> " + esc(op["summary"].get<std::string>());
                std::string params;
                for (const auto& p : op["parameters"])
                  if (p["in"] == "query")
                    params += (params.empty() ? "" : ", ") + esc(p["name"].get<std::string>());
                if (!params.empty()) s += "<br><span class=\"p\">query: " + params + "</span>";
                if (op.contains("security")) s += " <em>(no login)</em>";
                s += "</p>";
              }
            for (const auto& [tag, s] : by_tag) html += "<h2>" + esc(tag) + "</h2>" + s;
            html += "</body></html>";
            Response r;
            r.content_type = "text/html; charset=utf-8";
            r.body = std::move(html);
            return r;
          });
}

}  // namespace ecohub::api
