// The ComplaintStore contract, run against every backend: what is added comes back
// as it was, lists filter and page, changes are all or none and refused when stale,
// duplicates are found near, counts group.
#include "casework/complaint_store.h"

#include <gtest/gtest.h>

#include "casework/contact_retention.h"
#include "store/contract_fixture.h"
#include "store/pg/test_backend.h"

namespace ecohub::casework {
namespace {

constexpr UnixSeconds kT0 = 1796000000;  // 2026-11-30 Beijing

Complaint Smoke(std::string code, int64_t district, UnixSeconds at) {
  Complaint c;
  c.tracking_code = std::move(code);
  c.category = "air";
  c.description = "工厂烟囱冒黑烟，气味刺鼻";
  c.lon = 116.63;
  c.lat = 40.32;
  c.address = "怀柔区雁栖镇";
  c.observed_at = at - 600;
  c.submitted_at = at;
  c.phone = "$sm4$1$abcdef";
  c.district_id = district;
  c.deadline = ReplyDeadline(at);
  c.source = "portal";
  c.month = BeijingMonth(at);
  return c;
}

ComplaintEvent Submitted(UnixSeconds at) { return {0, at, Step::kSubmit, "public", ""}; }

using Backend = store::BackendOf<ComplaintStore>;

std::unique_ptr<ComplaintStore> OpenSqlite(const std::string& dir) {
  auto s = OpenSqliteComplaintStore(dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Result<std::unique_ptr<ComplaintStore>> OpenPostgres(const std::string& url, const std::string&) {
  return OpenPostgresComplaintStore(url);
}

class ComplaintStoreContract : public store::ContractFixture<ComplaintStore> {};

TEST_P(ComplaintStoreContract, ComplaintsComeBackAsAddedAcrossARestart) {
  Complaint a = Smoke("7KQ2M9XD4HWT", 3, kT0);
  Complaint b = Smoke("0000000000AB", 0, kT0 + 3600);
  b.lon.reset();
  b.lat.reset();
  b.observed_at.reset();
  b.category = "noise";
  auto added = store_->Add(a, Submitted(kT0));
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  auto second = store_->Add(b, Submitted(kT0 + 3600));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_LT(added->id, second->id);
  EXPECT_EQ(added->version, 1);
  EXPECT_EQ(store_->Add(Smoke("7KQ2M9XD4HWT", 1, kT0), Submitted(kT0)).status().code(),
            Code::kConflict);  // the tracking code is taken
  Restart();
  auto got = store_->GetByCode("7KQ2M9XD4HWT");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  a.id = added->id;
  a.version = 1;
  EXPECT_EQ(got->id, a.id);
  EXPECT_EQ(got->description, a.description);
  EXPECT_EQ(got->lon, a.lon);
  EXPECT_EQ(got->lat, a.lat);
  EXPECT_EQ(got->observed_at, a.observed_at);
  EXPECT_EQ(got->phone, a.phone);
  EXPECT_EQ(got->deadline, a.deadline);
  EXPECT_EQ(got->month, "2026-11");
  auto none = store_->Get(second->id);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->lon.has_value());
  EXPECT_FALSE(none->observed_at.has_value());
  EXPECT_EQ(store_->Get(second->id + 100).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetByCode("ZZZZZZZZZZZZ").status().code(), Code::kNotFound);
  auto events = store_->Events(a.id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().step, Step::kSubmit);
  EXPECT_EQ(events->front().complaint_id, a.id);
}

TEST_P(ComplaintStoreContract, ListsFilterAndPageNewestFirst) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    Complaint c = Smoke("CODE0000000" + std::to_string(i), i % 2 ? 3 : 0, kT0 + i * 86400);
    if (i == 4) c.category = "water";
    auto got = store_->Add(c, Submitted(c.submitted_at));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ids.push_back(got->id);
  }
  auto all = store_->List({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ(all->front().id, ids[4]);
  auto d3 = store_->List({.district_id = 3});
  ASSERT_TRUE(d3.ok());
  EXPECT_EQ(d3->size(), 2u);
  auto city = store_->List({.district_id = 0});
  ASSERT_TRUE(city.ok());
  EXPECT_EQ(city->size(), 3u);
  auto water = store_->List({.category = "water"});
  ASSERT_TRUE(water.ok());
  ASSERT_EQ(water->size(), 1u);
  EXPECT_EQ(water->front().id, ids[4]);
  auto span = store_->List({.from = kT0 + 86400, .to = kT0 + 3 * 86400});
  ASSERT_TRUE(span.ok());
  EXPECT_EQ(span->size(), 2u);
  auto page = store_->List({.before = ids[2], .limit = 1});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(page->front().id, ids[1]);
  // Overdue 16 days after the first: the first two deadlines (15 days) have passed.
  auto late = store_->List({.overdue_at = kT0 + 16 * 86400 + 1});
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->size(), 2u);
  auto submitted = store_->List({.status = ComplaintStatus::kSubmitted});
  ASSERT_TRUE(submitted.ok());
  EXPECT_EQ(submitted->size(), 5u);
  auto replied = store_->List({.status = ComplaintStatus::kReplied});
  ASSERT_TRUE(replied.ok());
  EXPECT_TRUE(replied->empty());
}

TEST_P(ComplaintStoreContract, ChangesApplyAllOrNoneAndStaleOnesAreRefused) {
  auto a = store_->Add(Smoke("AAAAAAAAAAAA", 3, kT0), Submitted(kT0));
  auto b = store_->Add(Smoke("BBBBBBBBBBBB", 3, kT0 + 60), Submitted(kT0 + 60));
  ASSERT_TRUE(a.ok() && b.ok());
  Complaint accepted = *a;
  accepted.status = ComplaintStatus::kAccepted;
  accepted.category = "water";
  ComplaintChange change{accepted, {{a->id, kT0 + 100, Step::kAccept, "user:7", "转水环境科"}}};
  ASSERT_TRUE(store_->Apply({&change, 1}).ok());
  auto got = store_->Get(a->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, ComplaintStatus::kAccepted);
  EXPECT_EQ(got->category, "water");
  EXPECT_EQ(got->version, 2);
  // The same change again is stale: refused, nothing added to the time line.
  EXPECT_EQ(store_->Apply({&change, 1}).code(), Code::kConflict);
  auto events = store_->Events(a->id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].step, Step::kAccept);
  EXPECT_EQ((*events)[1].actor, "user:7");
  EXPECT_EQ((*events)[1].text, "转水环境科");

  // A merge of b into a with a stale a: neither changes.
  Complaint merged = *b;
  merged.status = ComplaintStatus::kMerged;
  merged.merged_into = a->id;
  std::vector<ComplaintChange> both = {
      {merged, {{b->id, kT0 + 200, Step::kMerge, "user:7", ""}}},
      {*a, {{a->id, kT0 + 200, Step::kMergedIn, "user:7", ""}}}};  // a is at version 2
  EXPECT_EQ(store_->Apply(both).code(), Code::kConflict);
  auto still = store_->Get(b->id);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->status, ComplaintStatus::kSubmitted);
  EXPECT_EQ(store_->Events(b->id)->size(), 1u);
  both[1].after = *got;
  ASSERT_TRUE(store_->Apply(both).ok());
  EXPECT_EQ(store_->Get(b->id)->status, ComplaintStatus::kMerged);
  EXPECT_EQ(store_->Get(b->id)->merged_into, a->id);
  EXPECT_EQ(store_->Events(a->id)->back().step, Step::kMergedIn);
  auto into_a = store_->List({.merged_into = a->id});
  ASSERT_TRUE(into_a.ok()) << into_a.status().ToString();
  ASSERT_EQ(into_a->size(), 1u);
  EXPECT_EQ(into_a->front().id, b->id);
  // Every complaint's lines in the order written: a's submit, b's submit, a's accept,
  // b's merge, a's merged-in.
  auto all = store_->StepsAfter(0, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 5u);
  for (size_t i = 1; i < all->size(); ++i) EXPECT_GT((*all)[i].id, (*all)[i - 1].id);
  EXPECT_EQ((*all)[2].step, Step::kAccept);
  EXPECT_EQ((*all)[2].id, (*events)[1].id);
  auto tail = store_->StepsAfter((*all)[2].id, 10);
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_EQ(tail->front().complaint_id, b->id);
}

TEST_P(ComplaintStoreContract, NearFindsLocatedComplaintsOfTheCategoryInTheBox) {
  Complaint far = Smoke("FARFARFARFAR", 3, kT0);
  far.lon = 117.5;
  Complaint other = Smoke("NOISENOISE00", 3, kT0);
  other.category = "noise";
  Complaint old = Smoke("OLDOLDOLD000", 3, kT0 - 10 * 86400);
  Complaint near = Smoke("NEARNEAR0000", 3, kT0 + 60);
  for (const Complaint& c : {far, other, old, near})
    ASSERT_TRUE(store_->Add(c, Submitted(c.submitted_at)).ok());
  const double box[4] = {116.6, 40.3, 116.7, 40.4};
  auto got = store_->Near("air", kT0 - 3 * 86400, kT0 + 3 * 86400, box, 10);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().tracking_code, "NEARNEAR0000");
}

TEST_P(ComplaintStoreContract, CountsGroupByDistrictCategoryMonthAndStatus) {
  ASSERT_TRUE(store_->Add(Smoke("C00000000001", 3, kT0), Submitted(kT0)).ok());
  ASSERT_TRUE(store_->Add(Smoke("C00000000002", 3, kT0 + 60), Submitted(kT0)).ok());
  Complaint dec = Smoke("C00000000003", 5, kT0 + 2 * 86400);  // 2026-12-02
  dec.category = "noise";
  ASSERT_TRUE(store_->Add(dec, Submitted(dec.submitted_at)).ok());
  auto counts = store_->Counts(kT0 - 86400, kT0 + 30 * 86400, kT0 + 16 * 86400);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ((*counts)[0].district_id, 3);
  EXPECT_EQ((*counts)[0].month, "2026-11");
  EXPECT_EQ((*counts)[0].count, 2);
  EXPECT_EQ((*counts)[0].overdue, 2);
  EXPECT_EQ((*counts)[1].district_id, 5);
  EXPECT_EQ((*counts)[1].category, "noise");
  EXPECT_EQ((*counts)[1].month, "2026-12");
  EXPECT_EQ((*counts)[1].overdue, 0);
}

TEST_P(ComplaintStoreContract, PhotosKeepTheirBytesInOrderUpToTheMax) {
  auto c = store_->Add(Smoke("PH0T0S000001", 3, kT0), Submitted(kT0));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::string jpeg("\xFF\xD8\xFF\0\x01\\x00'\"", 9);
  std::string png = "\x89PNG\r\n\x1A\n" + std::string(300, '\0');
  auto first = store_->AddPhoto(c->id, "image/jpeg", jpeg, kT0 + 1, 2);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 1);
  EXPECT_EQ(*store_->AddPhoto(c->id, "image/png", png, kT0 + 2, 2), 2);
  EXPECT_EQ(store_->AddPhoto(c->id, "image/png", png, kT0 + 3, 2).status().code(), Code::kConflict);
  Restart();
  auto list = store_->Photos(c->id);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].media_type, "image/jpeg");
  EXPECT_EQ((*list)[1].size, static_cast<int64_t>(png.size()));
  EXPECT_TRUE((*list)[1].bytes.empty());
  auto one = store_->Photo(c->id, 1);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->bytes, jpeg);
  EXPECT_EQ(one->at, kT0 + 1);
  EXPECT_EQ(store_->Photo(c->id, 2)->bytes, png);
  EXPECT_EQ(store_->Photo(c->id, 3).status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->Photos(c->id + 1)->empty());
}

// The phone of an ended complaint goes after its keeping time, as a change on its time
// line; open complaints, recent ones and the rest of the record stay.
TEST_P(ComplaintStoreContract, ExpiredContactsAreErasedFromEndedComplaintsOnly) {
  const UnixSeconds day = kDaySeconds;
  struct Made {
    const char* code;
    UnixSeconds at;
    ComplaintStatus status;
    bool erased;
  } made[] = {
      {"AAAAAAAAAAA1", kT0, ComplaintStatus::kClosed, true},
      {"AAAAAAAAAAA2", kT0 + 10 * day, ComplaintStatus::kRejected, true},
      {"AAAAAAAAAAA3", kT0 + 20 * day, ComplaintStatus::kMerged, true},
      {"AAAAAAAAAAA4", kT0, ComplaintStatus::kReplied, false},             // not ended
      {"AAAAAAAAAAA5", kT0, ComplaintStatus::kAccepted, false},            // open, however old
      {"AAAAAAAAAAA6", kT0 + 150 * day, ComplaintStatus::kClosed, false},  // too recent
  };
  std::vector<int64_t> ids;
  for (const Made& m : made) {
    auto c = store_->Add(Smoke(m.code, 3, m.at), Submitted(m.at));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ComplaintChange change{*c, {}};
    change.after.status = m.status;
    ASSERT_TRUE(store_->Apply({&change, 1}).ok());
    ids.push_back(c->id);
  }
  const UnixSeconds now = kT0 + 200 * day;
  auto n = EraseExpiredContacts(*store_, now, 60);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 3);
  for (size_t i = 0; i < std::size(made); ++i) {
    auto c = store_->Get(ids[i]);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->phone.empty(), made[i].erased) << made[i].code;
    EXPECT_EQ(c->description, "工厂烟囱冒黑烟，气味刺鼻");
    EXPECT_EQ(c->status, made[i].status);
    auto events = store_->Events(ids[i]);
    ASSERT_TRUE(events.ok());
    EXPECT_EQ(events->back().text == kContactErasedByRetention, made[i].erased) << made[i].code;
  }
  EXPECT_EQ(*EraseExpiredContacts(*store_, now, 60), 0);              // nothing left to erase
  EXPECT_EQ(*EraseExpiredContacts(*store_, kT0 + 400 * day, 60), 1);  // the recent one, later
}

INSTANTIATE_TEST_SUITE_P(Backends, ComplaintStoreContract,
                         testing::Values(Backend{"sqlite", OpenSqlite},
                                         store::pg::PostgresBackend<ComplaintStore>(OpenPostgres)),
                         store::BackendName<ComplaintStore>);

}  // namespace
}  // namespace ecohub::casework
