// The rules of complaint.h in tables: what a submission must say, tracking codes
// and how people type them, which steps each status allows, deadlines, duplicates.
#include "casework/complaint.h"

#include <gtest/gtest.h>

#include <functional>

namespace ecohub::casework {
namespace {

constexpr UnixSeconds kNow = 1796000000;  // 2026-11-30 08:53 Beijing

Submission Good() {
  Submission s;
  s.category = "air";
  s.description = "工厂烟囱冒黑烟";
  s.lon = 116.63;
  s.lat = 40.32;
  return s;
}

TEST(Complaint, ASubmissionNamesWhatIsWrong) {
  struct Case {
    std::string what;
    std::function<void(Submission*)> change;
    std::string field;  // "" when it passes
  } cases[] = {
      {"good", [](Submission*) {}, ""},
      {"unknown category", [](Submission* s) { s->category = "smell"; }, "category"},
      {"four characters", [](Submission* s) { s->description = "有黑烟了"; }, "description"},
      {"five characters", [](Submission* s) { s->description = "有黑烟冒出"; }, ""},
      {"blank", [](Submission* s) { s->description = "      \n  "; }, "description"},
      {"too long", [](Submission* s) { s->description = std::string(2001, 'x'); }, "description"},
      {"lon without lat", [](Submission* s) { s->lat.reset(); }, "lon, lat"},
      {"latitude 91", [](Submission* s) { s->lat = 91; }, "lon, lat"},
      {"nowhere", [](Submission* s) { s->lon.reset(), s->lat.reset(); }, "lon, lat or address"},
      {"address only",
       [](Submission* s) { s->lon.reset(), s->lat.reset(), s->address = "怀柔区雁栖镇"; }, ""},
      {"address of one character", [](Submission* s) { s->address = "区"; }, "address"},
      {"seen tomorrow", [](Submission* s) { s->observed_at = kNow + 86400; }, "observed_at"},
      {"seen in 30 s", [](Submission* s) { s->observed_at = kNow + 30; }, ""},
      {"seen two years ago", [](Submission* s) { s->observed_at = kNow - 730 * 86400; },
       "observed_at"},
      {"mobile", [](Submission* s) { s->phone = "138 1234-5678"; }, ""},
      {"international", [](Submission* s) { s->phone = "+86 13812345678"; }, ""},
      {"six digits", [](Submission* s) { s->phone = "123456"; }, "phone"},
      {"letters", [](Submission* s) { s->phone = "138abc45678"; }, "phone"},
      {"plus inside", [](Submission* s) { s->phone = "138+12345678"; }, "phone"},
  };
  for (const Case& c : cases) {
    Submission s = Good();
    c.change(&s);
    Status st = CheckSubmission(s, kNow);
    if (c.field.empty()) {
      EXPECT_TRUE(st.ok()) << c.what << ": " << st.ToString();
    } else {
      EXPECT_EQ(st.code(), Code::kInvalidInput) << c.what;
      EXPECT_TRUE(st.message().starts_with(c.field + ":")) << c.what << ": " << st.message();
    }
  }
}

TEST(Complaint, PhonesAreKeptAsDigitsAndShownMasked) {
  EXPECT_EQ(NormalisePhone("138 1234-5678"), "13812345678");
  EXPECT_EQ(NormalisePhone("+86 138-1234-5678"), "+8613812345678");
  EXPECT_EQ(NationalNumber("+8613812345678"), "13812345678");
  EXPECT_EQ(NationalNumber("008613812345678"), "13812345678");
  EXPECT_EQ(NationalNumber("13812345678"), "13812345678");
  EXPECT_EQ(NationalNumber("+4420794600"), "+4420794600");
  EXPECT_EQ(NationalNumber("+86123"), "+86123");  // too short to be a number after it
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
  EXPECT_EQ(MaskPhone("01062345678"), "010****5678");
  EXPECT_EQ(MaskPhone("1234567"), "*****67");
  EXPECT_EQ(MaskPhone(""), "");
}

TEST(Complaint, TrackingCodesAreTwelveCrockfordCharactersAndForgiveTyping) {
  EXPECT_EQ(TrackingCode(std::string(8, '\0')), "000000000000");
  // The low 60 of the 64 bits.
  EXPECT_EQ(TrackingCode(std::string(8, '\xff')), "ZZZZZZZZZZZZ");
  EXPECT_EQ(TrackingCode("\x01\x23\x45\x67\x89\xab\xcd\xef"), "28T5CY4TQKFF");
  EXPECT_EQ(FormatTrackingCode("7KQ2M9XD4HWT"), "7KQ2-M9XD-4HWT");
  struct Case {
    const char* typed;
    std::optional<std::string> want;
  } cases[] = {
      {"7KQ2M9XD4HWT", "7KQ2M9XD4HWT"},   {"7kq2-m9xd-4hwt", "7KQ2M9XD4HWT"},
      {"7KQ2 M9XD 4HWT", "7KQ2M9XD4HWT"}, {"OIL0000000AB", "0110000000AB"},
      {"7KQ2M9XD4HW", std::nullopt},      {"7KQ2M9XD4HWTX", std::nullopt},
      {"7KQ2M9XD4HWU", std::nullopt},     {"../../etc/pas", std::nullopt},
  };
  for (const Case& c : cases) EXPECT_EQ(NormaliseTrackingCode(c.typed), c.want) << c.typed;
}

TEST(Complaint, EachStatusAllowsItsSteps) {
  using S = ComplaintStatus;
  // Rows: statuses; columns: accept, reject, dispatch, reply, merge, close.
  struct Row {
    S status;
    bool accept, reject, dispatch, reply, merge, close;
  } rows[] = {
      {S::kSubmitted, true, true, true, false, true, false},
      {S::kAccepted, true, true, true, true, true, false},
      {S::kDispatched, false, false, true, true, true, false},
      {S::kReplied, false, false, false, false, false, true},
      {S::kClosed, false, false, false, false, false, false},
      {S::kRejected, false, false, false, false, false, false},
      {S::kMerged, false, false, false, false, false, false},
  };
  for (const Row& r : rows) {
    Complaint c;
    c.status = r.status;
    auto allowed = [&](Step s) { return !RefuseStep(c, s, kNow).has_value(); };
    std::string name(StatusCode(r.status));
    EXPECT_EQ(allowed(Step::kAccept), r.accept) << name;
    EXPECT_EQ(allowed(Step::kReject), r.reject) << name;
    EXPECT_EQ(allowed(Step::kDispatch), r.dispatch) << name;
    EXPECT_EQ(allowed(Step::kReply), r.reply) << name;
    EXPECT_EQ(allowed(Step::kMerge), r.merge) << name;
    EXPECT_EQ(allowed(Step::kClose), r.close) << name;
    EXPECT_EQ(IsOpen(r.status),
              r.status == S::kSubmitted || r.status == S::kAccepted || r.status == S::kDispatched)
        << name;
  }
}

TEST(Complaint, TheComplainantRatesOnceAndReopensOnceWithinThirtyDays) {
  Complaint c;
  c.status = ComplaintStatus::kReplied;
  c.replied_at = kNow;
  EXPECT_TRUE(CanRate(c));
  EXPECT_TRUE(CanReopen(c, kNow + 30 * 86400));
  EXPECT_FALSE(CanReopen(c, kNow + 30 * 86400 + 1));
  c.score = 4;
  EXPECT_FALSE(CanRate(c));
  c.status = ComplaintStatus::kClosed;
  EXPECT_TRUE(CanReopen(c, kNow));
  c.reopened = true;
  EXPECT_FALSE(CanReopen(c, kNow));
  EXPECT_TRUE(RefuseStep(c, Step::kReopen, kNow).has_value());
  Complaint open;
  EXPECT_FALSE(CanRate(open));
  EXPECT_FALSE(CanReopen(open, kNow));
}

TEST(Complaint, DeadlinesAndOverdue) {
  Complaint c;
  c.submitted_at = kNow;
  c.deadline = ReplyDeadline(kNow);
  EXPECT_EQ(c.deadline, kNow + 15 * 86400);
  EXPECT_EQ(ReplyDeadline(kNow, 7), kNow + 7 * 86400);
  EXPECT_FALSE(IsOverdue(c, c.deadline - 1));
  EXPECT_TRUE(IsOverdue(c, c.deadline));
  c.status = ComplaintStatus::kReplied;
  EXPECT_FALSE(IsOverdue(c, c.deadline + 1));
  EXPECT_EQ(BeijingMonth(kNow), "2026-11");
  EXPECT_EQ(BeijingMonth(1796054400), "2026-12");  // 2026-12-01 00:00 Beijing
  EXPECT_EQ(BeijingMonth(1796054400 - 1), "2026-11");
}

TEST(Complaint, DuplicatesAreOneCategoryWithinAKilometreAndThreeDays) {
  Complaint a;
  a.id = 1;
  a.category = "air";
  a.lon = 116.4;
  a.lat = 39.9;
  a.submitted_at = kNow;
  Complaint b = a;
  b.id = 2;
  // 0.008° of latitude is about 890 m; 0.01° about 1,112 m.
  b.lat = 39.908;
  EXPECT_TRUE(LikelyDuplicates(a, b));
  b.lat = 39.91;
  EXPECT_FALSE(LikelyDuplicates(a, b));
  b.lat = 39.905;
  b.submitted_at = kNow + 3 * 86400 + 1;
  EXPECT_FALSE(LikelyDuplicates(a, b));
  b.submitted_at = kNow;
  b.category = "noise";
  EXPECT_FALSE(LikelyDuplicates(a, b));
  b.category = "air";
  b.lon.reset();
  EXPECT_FALSE(LikelyDuplicates(a, b));
  EXPECT_FALSE(LikelyDuplicates(a, a));
  EXPECT_NEAR(DistanceMetres(116.4, 39.9, 116.4, 39.91), 1111.95, 0.5);
}

TEST(Complaint, AnAddressNamesItsDistrictLongestNameFirst) {
  std::vector<NamedDistrict> d = {{1, "东城区"}, {2, "西城区"}, {3, "城区"}};
  EXPECT_EQ(DistrictNamedIn("北京市西城区金融街", d), 2);
  EXPECT_EQ(DistrictNamedIn("老城区", d), 3);
  EXPECT_EQ(DistrictNamedIn("朝阳路88号", d), 0);
}

}  // namespace
}  // namespace ecohub::casework
