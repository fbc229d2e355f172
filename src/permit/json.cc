#include "permit/json.h"

#include <string>

namespace ecohub::permit {

using nlohmann::json;
using nlohmann::ordered_json;

ordered_json ToJson(const Permit& p) {
  ordered_json outlets = ordered_json::array();
  for (const Outlet& o : p.outlets) {
    ordered_json limits = ordered_json::array();
    for (const Limit& l : o.limits)
      limits.push_back({{"factor", l.factor},
                        {"value", l.value},
                        {"lower", l.lower ? ordered_json(*l.lower) : ordered_json(nullptr)},
                        {"unit", l.unit},
                        {"standard", l.standard}});
    outlets.push_back({{"site_id", o.site_id}, {"limits", std::move(limits)}});
  }
  ordered_json quantities = ordered_json::array();
  for (const Quantity& q : p.quantities)
    quantities.push_back({{"factor", q.factor}, {"tonnes_per_year", q.tonnes_per_year}});
  return {{"id", p.id},
          {"number", p.number},
          {"enterprise_id", p.enterprise_id},
          {"valid_from", p.valid_from},
          {"valid_to", p.valid_to},
          {"issuer", p.issuer},
          {"state", PermitStateName(p.state)},
          {"outlets", std::move(outlets)},
          {"quantities", std::move(quantities)}};
}

namespace {

// Reads the fields of one JSON object, each check naming the field by its path
// ("outlets[0].limits[1].value"); the first failure is kept in `error`.
class Fields {
 public:
  Fields(const json& j, std::string path, Status* error)
      : j_(j), path_(std::move(path)), error_(error) {
    if (!j_.is_object()) Fail(path_.empty() ? "the permit" : path_, "must be an object");
  }
  std::string Text(const char* name, bool required) {
    const json* v = Find(name, required);
    if (!v) return "";
    if (!v->is_string()) return Fail(Path(name), "must be a string"), "";
    return v->get<std::string>();
  }
  int64_t Id(const char* name) {
    const json* v = Find(name, true);
    if (v && !v->is_number_integer()) Fail(Path(name), "must be an integer");
    return v && v->is_number_integer() ? v->get<int64_t>() : 0;
  }
  std::optional<double> Number(const char* name, bool required) {
    const json* v = Find(name, required);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_number()) return Fail(Path(name), "must be a number"), std::nullopt;
    return v->get<double>();
  }
  // The array `name` (an empty one when absent and not required).
  const json& Array(const char* name, bool required) {
    static const json kEmpty = json::array();
    const json* v = Find(name, required);
    if (!v) return kEmpty;
    if (!v->is_array()) return Fail(Path(name), "must be an array"), kEmpty;
    return *v;
  }
  std::string Path(const char* name) const { return path_.empty() ? name : path_ + "." + name; }

 private:
  const json* Find(const char* name, bool required) {
    if (!j_.is_object()) return nullptr;
    auto it = j_.find(name);
    if (it == j_.end()) {
      if (required) Fail(Path(name), "is required");
      return nullptr;
    }
    return &*it;
  }
  void Fail(const std::string& field, const char* what) {
    if (error_->ok()) *error_ = Status::InvalidInput(field + " " + what);
  }

  const json& j_;
  std::string path_;
  Status* error_;
};

}  // namespace

Result<Permit> PermitFromJson(const json& j) {
  Status error;
  Fields top(j, "", &error);
  Permit p;
  p.number = top.Text("number", true);
  p.enterprise_id = top.Id("enterprise_id");
  p.valid_from = top.Text("valid_from", true);
  p.valid_to = top.Text("valid_to", true);
  p.issuer = top.Text("issuer", false);
  std::string state = top.Text("state", false);
  if (!state.empty()) {
    auto s = ParsePermitState(state);
    if (!s && error.ok()) error = Status::InvalidInput("state must be valid or revoked");
    p.state = s.value_or(PermitState::kValid);
  }
  const json& outlets = top.Array("outlets", true);
  for (size_t i = 0; i < outlets.size(); ++i) {
    Fields of(outlets[i], "outlets[" + std::to_string(i) + "]", &error);
    Outlet o{of.Id("site_id"), {}};
    const json& limits = of.Array("limits", false);
    for (size_t k = 0; k < limits.size(); ++k) {
      Fields lf(limits[k], of.Path("limits") + "[" + std::to_string(k) + "]", &error);
      Limit l;
      l.factor = lf.Text("factor", true);
      l.value = lf.Number("value", true).value_or(0);
      l.lower = lf.Number("lower", false);
      l.unit = lf.Text("unit", false);
      l.standard = lf.Text("standard", false);
      o.limits.push_back(std::move(l));
    }
    p.outlets.push_back(std::move(o));
  }
  const json& quantities = top.Array("quantities", false);
  for (size_t i = 0; i < quantities.size(); ++i) {
    Fields qf(quantities[i], "quantities[" + std::to_string(i) + "]", &error);
    Quantity q;
    q.factor = qf.Text("factor", true);
    q.tonnes_per_year = qf.Number("tonnes_per_year", true).value_or(0);
    p.quantities.push_back(std::move(q));
  }
  if (!error.ok()) return error;
  return p;
}

}  // namespace ecohub::permit
