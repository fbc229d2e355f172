// The PostgreSQL helper (db.h) against a real server (test_server.h).
#include "store/pg/db.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/pg/test_backend.h"

namespace ecohub::store::pg {
namespace {

class PgDbTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    url_ = DatabaseForThisTest(&why);
    if (url_.empty()) GTEST_SKIP() << why;
    auto c = Conn::Open(url_);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    c_ = std::move(*c);
    ASSERT_TRUE(c_->Exec("DROP TABLE IF EXISTS t, schema_versions").ok());
  }
  std::string url_;
  std::unique_ptr<Conn> c_;
};

TEST_F(PgDbTest, ParametersRoundTripByType) {
  ASSERT_TRUE(c_->Exec("CREATE TABLE t (i BIGINT, r DOUBLE PRECISION, s TEXT, b BYTEA, o BIGINT, "
                       "f BOOLEAN)")
                  .ok());
  std::string bytes("a\0b\\\xff\n", 6);
  std::optional<int64_t> none;
  ASSERT_TRUE(c_->Run("INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6)", "insert", int64_t{-42},
                      0.1 + 0.2, std::string("空气 'q' \"x\""), Bytes{bytes}, none, true)
                  .ok());
  auto r = c_->Query("SELECT i, r, s, b, o, f FROM t", "select");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1);
  EXPECT_EQ(r->Int(0, 0), -42);
  EXPECT_EQ(r->Real(0, 1), 0.1 + 0.2);  // 17 digits: the same double comes back
  EXPECT_EQ(r->Text(0, 2), "空气 'q' \"x\"");
  EXPECT_EQ(r->Bytea(0, 3), bytes);
  EXPECT_TRUE(r->Null(0, 4));
  EXPECT_EQ(r->OptInt(0, 4), std::nullopt);
  EXPECT_TRUE(r->Bool(0, 5));
}

TEST_F(PgDbTest, BinaryResultsGiveIntegersAndBytesAsStored) {
  std::string bytes("7\0.5\\", 5);
  auto r =
      c_->QueryBinary("SELECT $1::bigint, $2::integer, $3::smallint, $4::bytea, NULL::smallint",
                      "binary", Params(int64_t{-1'700'000'000'123}, -70000, 78, Bytes{bytes}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->BinaryInt(0, 0), -1'700'000'000'123);
  EXPECT_EQ(r->BinaryInt(0, 1), -70000);
  EXPECT_EQ(r->BinaryInt(0, 2), 78);  // 'N', a data flag
  EXPECT_EQ(r->Raw(0, 3), bytes);
  EXPECT_TRUE(r->Null(0, 4));
}

TEST_F(PgDbTest, ErrorsSayWhatFailedAndMapConflicts) {
  ASSERT_TRUE(c_->Exec("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  ASSERT_TRUE(c_->Run("INSERT INTO t VALUES ($1)", "insert", "a").ok());
  Status dup = c_->Run("INSERT INTO t VALUES ($1)", "insert key", "a");
  EXPECT_EQ(dup.code(), Code::kConflict);
  EXPECT_NE(dup.message().find("postgresql insert key"), std::string::npos) << dup.message();
  Status bad = c_->Run("SELEC 1", "typo");
  EXPECT_EQ(bad.code(), Code::kIoError);
  EXPECT_NE(bad.message().find("syntax"), std::string::npos) << bad.message();
  // The connection is still usable after errors.
  EXPECT_TRUE(c_->Run("SELECT 1", "after").ok());
}

TEST_F(PgDbTest, FailedBodyRollsTheTransactionBack) {
  ASSERT_TRUE(c_->Exec("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  Status s = c_->InTransaction([&] {
    EXPECT_TRUE(c_->Run("INSERT INTO t VALUES ($1)", "insert", "kept?").ok());
    return Status::InvalidInput("changed my mind");
  });
  EXPECT_EQ(s.code(), Code::kInvalidInput);
  auto n = c_->Query("SELECT count(*) FROM t", "count");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->Int(0, 0), 0);
}

TEST_F(PgDbTest, CopyInEscapesEveryField) {
  ASSERT_TRUE(c_->Exec("CREATE TABLE t (a TEXT, b TEXT)").ok());
  std::string data;
  for (std::string v : {"tab\there", "new\nline", "back\\slash", "\\N"}) {
    CopyField(v, &data);
    data += "\t";
    CopyField("x", &data);
    data += "\n";
  }
  data += "\\N\tnull\n";
  ASSERT_TRUE(c_->CopyIn("COPY t (a, b) FROM STDIN", data).ok());
  auto r = c_->Query("SELECT a FROM t ORDER BY b, a", "select");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 5);
  EXPECT_TRUE(r->Null(0, 0));
  std::vector<std::string> got;
  for (int i = 1; i < 5; ++i) got.emplace_back(r->Text(i, 0));
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"\\N", "back\\slash", "new\nline", "tab\there"}));
  // A malformed COPY is refused as a whole.
  EXPECT_FALSE(c_->CopyIn("COPY t (a, b) FROM STDIN", "only one field\n").ok());
  auto n = c_->Query("SELECT count(*) FROM t", "count");
  EXPECT_EQ(n->Int(0, 0), 5);
}

TEST_F(PgDbTest, MigrationsRunOncePerModuleAndRefuseANewerDatabase) {
  const char* v1[] = {"CREATE TABLE t (a INT)"};
  const char* v2[] = {"CREATE TABLE t (a INT)", "ALTER TABLE t ADD COLUMN b INT"};
  ASSERT_TRUE(c_->Migrate("m", v1).ok());
  ASSERT_TRUE(c_->Migrate("m", v1).ok());  // nothing to do
  ASSERT_TRUE(c_->Migrate("m", v2).ok());  // only step 2
  EXPECT_TRUE(c_->Run("INSERT INTO t (a, b) VALUES (1, 2)", "insert").ok());
  Status s = c_->Migrate("m", v1);
  EXPECT_EQ(s.code(), Code::kCorruption) << s.ToString();
  // Another module's version is its own.
  const char* other[] = {"SELECT 1"};
  EXPECT_TRUE(c_->Migrate("other", other).ok());
}

TEST_F(PgDbTest, PoolLeasesOneConnectionPerHolder) {
  auto pool = Pool::Open(url_, 2);
  ASSERT_TRUE(pool.ok());
  auto a = (*pool)->Get();
  auto b = (*pool)->Get();
  ASSERT_TRUE(a.ok() && b.ok());
  auto pa = (*a)->Query("SELECT pg_backend_pid()", "pid");
  auto pb = (*b)->Query("SELECT pg_backend_pid()", "pid");
  EXPECT_NE(pa->Int(0, 0), pb->Int(0, 0));
  // A third holder waits until one is returned.
  std::thread t([&] {
    auto c = (*pool)->Get();
    EXPECT_TRUE(c.ok());
  });
  { auto gone = std::move(*a); }
  t.join();
}

TEST(PgTestServer, ACrashedServerComesBackAndConnectionsReconnect) {
  auto server = TestServer::Start({.durable = true});
  if (!server.ok()) GTEST_SKIP() << server.status().ToString();
  auto c = Conn::Open((*server)->Url("postgres"));
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Exec("CREATE TABLE kept (a INT); INSERT INTO kept VALUES (7)").ok());
  ASSERT_TRUE((*server)->Kill().ok());
  Status lost = (*c)->Run("SELECT 1", "after kill");
  EXPECT_EQ(lost.code(), Code::kUnavailable) << lost.ToString();
  ASSERT_TRUE((*server)->Restart().ok());
  ASSERT_TRUE((*c)->Reconnect().ok());
  auto r = (*c)->Query("SELECT a FROM kept", "select");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Int(0, 0), 7);
}

TEST(PgTestServer, DatabaseNamesAreSafeAndDistinct) {
  EXPECT_EQ(DatabaseNameFor("/tmp/ecohub_contract_postgresql_Append_AbC123"),
            "t_ecohub_contract_postgresql_append_abc123");
  std::string long_dir = "/tmp/" + std::string(100, 'x') + "_Q1w2E3";
  std::string n = DatabaseNameFor(long_dir);
  EXPECT_LE(n.size(), 63u);
  EXPECT_TRUE(n.ends_with("_q1w2e3"));
}

}  // namespace
}  // namespace ecohub::store::pg
