// A permit's JSON: what it reads back, and the field each refusal names.
#include "permit/json.h"

#include <gtest/gtest.h>

namespace ecohub::permit {
namespace {

using nlohmann::json;

TEST(PermitJson, RoundTrips) {
  Permit p;
  p.id = 4;
  p.number = "P-1";
  p.enterprise_id = 2;
  p.valid_from = "2026-01-01";
  p.valid_to = "2030-12-31";
  p.outlets = {{9, {{"w01001", 9, 6, "", "GB 8978-1996"}, {"w01018", 100, {}, "mg/L", ""}}}};
  p.quantities = {{"w01018", 60}};
  auto back = PermitFromJson(json::parse(ToJson(p).dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  p.id = 0;  // the id is the store's, never the body's
  EXPECT_EQ(*back, p);
}

TEST(PermitJson, EachRefusalNamesItsField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"([])", "the permit must be an object"},
      {R"({"enterprise_id":1,"valid_from":"a","valid_to":"b","outlets":[]})", "number is required"},
      {R"({"number":"P","enterprise_id":"1","valid_from":"a","valid_to":"b","outlets":[]})",
       "enterprise_id must be an integer"},
      {R"({"number":"P","enterprise_id":1,"valid_from":"a","valid_to":"b","outlets":{}})",
       "outlets must be an array"},
      {R"({"number":"P","enterprise_id":1,"valid_from":"a","valid_to":"b",
           "outlets":[{"site_id":3,"limits":[{"factor":"w01018","value":"x"}]}]})",
       "outlets[0].limits[0].value must be a number"},
      {R"({"number":"P","enterprise_id":1,"valid_from":"a","valid_to":"b","outlets":[],
           "quantities":[{"factor":"w01018"}]})",
       "quantities[0].tonnes_per_year is required"},
      {R"({"number":"P","enterprise_id":1,"valid_from":"a","valid_to":"b","outlets":[],
           "state":"lost"})",
       "state must be valid or revoked"},
  };
  for (const auto& [text, want] : cases) {
    auto got = PermitFromJson(json::parse(text));
    ASSERT_FALSE(got.ok()) << text;
    EXPECT_EQ(got.status().code(), Code::kInvalidInput);
    EXPECT_EQ(got.status().message(), want) << text;
  }
}

}  // namespace
}  // namespace ecohub::permit
