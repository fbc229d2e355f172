// OpenID Connect's pure parts (oidc.h) and the client's round trips (oidc_client.h)
// against a fake provider: tokens are signed here with keys made by OpenSSL, so every
// check of the ID token is driven both ways.
#include "auth/oidc.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <memory>

#include "auth/oidc_client.h"
#include "auth/secrets.h"

namespace ecohub::auth::oidc {
namespace {

using nlohmann::json;

constexpr const char* kIssuer = "https://id.example.gov.cn";
constexpr UnixSeconds kNow = 1'800'000'000;

// --- a signer: a key pair, its JWK and compact JWS ----------------------------------

class Signer {
 public:
  Signer(std::string alg, std::string kid) : alg_(std::move(alg)), kid_(std::move(kid)) {
    key_ = alg_ == "ES256" ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                           : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  }
  ~Signer() { EVP_PKEY_free(key_); }

  json Jwk() const {
    json j = {{"kid", kid_}, {"use", "sig"}, {"alg", alg_}};
    if (alg_ == "ES256") {
      unsigned char pub[65];
      size_t len = 0;
      EVP_PKEY_get_octet_string_param(key_, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &len);
      j["kty"] = "EC";
      j["crv"] = "P-256";
      j["x"] = Base64Url(std::string(reinterpret_cast<char*>(pub + 1), 32));
      j["y"] = Base64Url(std::string(reinterpret_cast<char*>(pub + 33), 32));
    } else {
      j["kty"] = "RSA";
      j["n"] = Base64Url(Bn(OSSL_PKEY_PARAM_RSA_N));
      j["e"] = Base64Url(Bn(OSSL_PKEY_PARAM_RSA_E));
    }
    return j;
  }

  std::string Sign(const json& claims, json header = json::object()) const {
    if (!header.contains("alg")) header["alg"] = alg_;
    if (!header.contains("kid")) header["kid"] = kid_;
    std::string input = Base64Url(header.dump()) + "." + Base64Url(claims.dump());
    return input + "." + Base64Url(RawSignature(input));
  }

 private:
  std::string Bn(const char* name) const {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(key_, name, &bn);
    std::string out(BN_num_bytes(bn), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    BN_free(bn);
    return out;
  }
  std::string RawSignature(const std::string& input) const {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    size_t len = 0;
    EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key_);
    EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                   input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(md);
    sig.resize(len);
    if (alg_ != "ES256") return sig;
    // DER -> r||s, as JWS wants it.
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* e = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(e), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(e), reinterpret_cast<unsigned char*>(raw.data() + 32), 32);
    ECDSA_SIG_free(e);
    return raw;
  }

  std::string alg_, kid_;
  EVP_PKEY* key_ = nullptr;
};

json Claims(std::string nonce = "n-1") {
  return {{"iss", kIssuer}, {"aud", "ecohub"}, {"sub", "u-42"},  {"exp", kNow + 300},
          {"iat", kNow},    {"nonce", nonce},  {"name", "王五"}, {"preferred_username", "wangwu"}};
}

Expected Expect(std::string nonce = "n-1") { return {kIssuer, "ecohub", nonce, kNow}; }

// --- pure parts ----------------------------------------------------------------------

TEST(OidcPure, PkceChallengeIsRfc7636AppendixB) {
  EXPECT_EQ(PkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(OidcPure, Base64UrlRoundTripsAndRefusesOtherAlphabets) {
  ASSERT_TRUE(InitSecrets().ok());
  std::string bytes("\xfb\xff\x00\x01 ok", 7);
  EXPECT_EQ(Base64Url(bytes), "-_8AASBvaw");
  EXPECT_EQ(FromBase64Url("-_8AASBvaw"), bytes);
  EXPECT_FALSE(FromBase64Url("+/8AASBvaw"));    // standard alphabet
  EXPECT_FALSE(FromBase64Url("-_8AASBvaw=="));  // padding
  EXPECT_FALSE(FromBase64Url("a b"));
}

TEST(OidcPure, ConfigChecks) {
  Config ok;
  ok.issuer = kIssuer;
  ok.client_id = "ecohub";
  ok.redirect_uri = "https://eco.example.gov.cn/login/oidc";
  EXPECT_TRUE(CheckConfig(ok).ok());
  EXPECT_TRUE(CheckConfig(Config{}).ok());  // off
  struct Case {
    const char* what;
    std::function<void(Config*)> change;
  } cases[] = {
      {"http off loopback", [](Config* c) { c->issuer = "http://id.example.gov.cn"; }},
      {"no client", [](Config* c) { c->client_id.clear(); }},
      {"no redirect", [](Config* c) { c->redirect_uri = "/login/oidc"; }},
      {"no openid scope", [](Config* c) { c->scopes = "profile"; }},
      {"auto_create without claim_role", [](Config* c) { c->auto_create = true; }},
      {"claims may not give admin", [](Config* c) { c->roles["信息中心"] = Role::kAdmin; }},
      {"nor the audit administrator", [](Config* c) { c->roles["审计"] = Role::kAuditAdmin; }},
      {"nor an enterprise", [](Config* c) { c->roles["企业"] = Role::kEnterprise; }},
  };
  for (const auto& c : cases) {
    Config bad = ok;
    c.change(&bad);
    EXPECT_EQ(CheckConfig(bad).code(), Code::kInvalidInput) << c.what;
  }
  Config loopback = ok;
  loopback.issuer = "http://127.0.0.1:9000";
  EXPECT_TRUE(CheckConfig(loopback).ok());
}

TEST(OidcPure, MetadataMustNameTheConfiguredIssuer) {
  json doc = {{"issuer", kIssuer},
              {"authorization_endpoint", std::string(kIssuer) + "/auth"},
              {"token_endpoint", std::string(kIssuer) + "/token"},
              {"jwks_uri", std::string(kIssuer) + "/jwks"}};
  auto m = ParseMetadata(doc.dump(), kIssuer);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->token_endpoint, std::string(kIssuer) + "/token");
  EXPECT_EQ(ParseMetadata(doc.dump(), "https://other").status().code(), Code::kInvalidInput);
  doc.erase("jwks_uri");
  EXPECT_EQ(ParseMetadata(doc.dump(), kIssuer).status().code(), Code::kUnavailable);
  EXPECT_EQ(ParseMetadata("<html>", kIssuer).status().code(), Code::kUnavailable);
  EXPECT_EQ(DiscoveryUrl("https://a/b/"), "https://a/b/.well-known/openid-configuration");
}

TEST(OidcPure, AuthorizationUrlAndTokenRequestCarryPkce) {
  Config c;
  c.issuer = kIssuer;
  c.client_id = "eco hub";
  c.redirect_uri = "https://eco/login/oidc";
  Metadata m{.authorization_endpoint = "https://id/auth?tenant=1"};
  std::string url = AuthorizationUrl(m, c, "st", "no", "ch");
  EXPECT_EQ(url,
            "https://id/auth?tenant=1&response_type=code&client_id=eco%20hub&redirect_uri="
            "https%3A%2F%2Feco%2Flogin%2Foidc&scope=openid%20profile&state=st&nonce=no&"
            "code_challenge=ch&code_challenge_method=S256");
  EXPECT_EQ(TokenRequestBody(c, "c/1", "v"),
            "grant_type=authorization_code&code=c%2F1&redirect_uri=https%3A%2F%2Feco%2Flogin%"
            "2Foidc&code_verifier=v&client_id=eco%20hub");
  EXPECT_EQ(ClientAuthorization(c), "");
  c.client_id = "ecohub";
  c.client_secret = "s3cret";
  EXPECT_EQ(ClientAuthorization(c), "Basic ZWNvaHViOnMzY3JldA==");
  EXPECT_EQ(TokenRequestBody(c, "c", "v").find("client_id"), std::string::npos);
}

TEST(OidcPure, IdTokensVerifyWithRs256AndEs256) {
  for (const char* alg : {"RS256", "ES256"}) {
    Signer key(alg, std::string("k-") + alg);
    json jwks = {{"keys", {key.Jwk()}}};
    auto claims = VerifyIdToken(key.Sign(Claims()), jwks, Expect());
    ASSERT_TRUE(claims.ok()) << alg << ": " << claims.status().ToString();
    EXPECT_EQ((*claims)["sub"], "u-42");
  }
}

TEST(OidcPure, IdTokensFailEveryCheck) {
  Signer rsa("RS256", "k1"), other("RS256", "k1"), ec("ES256", "k2");
  json jwks = {{"keys", {rsa.Jwk(), ec.Jwk()}}};
  auto with = [](const char* k, json v) {
    json c = Claims();
    if (v.is_null())
      c.erase(k);
    else
      c[k] = v;
    return c;
  };
  std::string good = rsa.Sign(Claims());
  std::string tampered = good;
  tampered[good.find('.') + 5] ^= 1;
  // HS256 "signed" with the RSA key's modulus as the secret: alg confusion.
  std::string hs = rsa.Sign(Claims(), {{"alg", "HS256"}});
  std::string none = Base64Url(R"({"alg":"none"})") + "." + Base64Url(Claims().dump()) + ".";
  struct Case {
    const char* what;
    std::string token;
    Code code;
  } cases[] = {
      {"another key under the same kid", other.Sign(Claims()), Code::kUnauthenticated},
      {"payload changed", tampered, Code::kUnauthenticated},
      {"alg none", none, Code::kUnauthenticated},
      {"alg HS256", hs, Code::kUnauthenticated},
      // No EC key has that kid: not found (the client fetches the keys again, then refuses).
      {"ES256 header on an RSA key", rsa.Sign(Claims(), {{"alg", "ES256"}}), Code::kNotFound},
      {"unknown kid", rsa.Sign(Claims(), {{"kid", "k9"}}), Code::kNotFound},
      {"wrong issuer", rsa.Sign(with("iss", "https://evil")), Code::kUnauthenticated},
      {"another audience", rsa.Sign(with("aud", "other")), Code::kUnauthenticated},
      {"several audiences, no azp", rsa.Sign(with("aud", {"ecohub", "x"})), Code::kUnauthenticated},
      {"azp another client", rsa.Sign(with("azp", "x")), Code::kUnauthenticated},
      {"expired beyond the leeway", rsa.Sign(with("exp", kNow - 61)), Code::kUnauthenticated},
      {"no exp", rsa.Sign(with("exp", nullptr)), Code::kUnauthenticated},
      {"issued in the future", rsa.Sign(with("iat", kNow + 120)), Code::kUnauthenticated},
      {"another login's nonce", rsa.Sign(Claims("n-2")), Code::kUnauthenticated},
      {"no nonce", rsa.Sign(with("nonce", nullptr)), Code::kUnauthenticated},
      {"no subject", rsa.Sign(with("sub", "")), Code::kUnauthenticated},
      {"two parts", good.substr(0, good.rfind('.')), Code::kUnauthenticated},
      {"garbage", "a.b.c", Code::kUnauthenticated},
  };
  for (const auto& c : cases)
    EXPECT_EQ(VerifyIdToken(c.token, jwks, Expect()).status().code(), c.code) << c.what;
  // Within the leeway, a listed audience with its azp: accepted.
  EXPECT_TRUE(VerifyIdToken(rsa.Sign(with("exp", kNow - 30)), jwks, Expect()).ok());
  json many = with("aud", {"x", "ecohub"});
  many["azp"] = "ecohub";
  EXPECT_TRUE(VerifyIdToken(rsa.Sign(many), jwks, Expect()).ok());
}

TEST(OidcPure, IdentityFromClaims) {
  Config c;
  c.claim_role = "groups";
  c.claim_district = "district";
  c.roles = {{"环境监测处", Role::kStaff}, {"网格员", Role::kInspector}};
  json claims = Claims();
  claims["groups"] = {"职工", "网格员"};
  claims["district"] = 110105;
  Identity id = ReadIdentity(claims, c);
  EXPECT_EQ(id.subject, "u-42");
  EXPECT_EQ(id.username, "wangwu");
  EXPECT_EQ(id.display_name, "王五");
  ASSERT_TRUE(id.role);
  EXPECT_EQ(*id.role, Role::kInspector);
  EXPECT_EQ(id.district_claim, "110105");
  claims["groups"] = "职工";
  id = ReadIdentity(claims, c);
  EXPECT_FALSE(id.role);
  EXPECT_EQ(id.role_claim, "职工");
  claims.erase("preferred_username");
  claims.erase("name");
  id = ReadIdentity(claims, c);
  EXPECT_EQ(id.username, "u-42");
  EXPECT_EQ(id.display_name, "u-42");
}

// --- the client against a fake provider ------------------------------------------

class FakeProvider {
 public:
  FakeProvider() : key_(std::make_unique<Signer>("RS256", "k1")) {}

  HttpFetch Fetch() {
    return [this](const HttpCall& call) -> Result<HttpReply> {
      calls.push_back(call);
      if (down) return Status::Unavailable("connection refused");
      std::string base = kIssuer;
      if (call.url == DiscoveryUrl(kIssuer))
        return HttpReply{200, json{{"issuer", kIssuer},
                                   {"authorization_endpoint", base + "/auth"},
                                   {"token_endpoint", base + "/token"},
                                   {"jwks_uri", base + "/jwks"}}
                                  .dump()};
      if (call.url == base + "/jwks") return HttpReply{200, json{{"keys", {key_->Jwk()}}}.dump()};
      if (call.url == base + "/token") {
        if (call.body.find("code=good") == std::string::npos)
          return HttpReply{400, R"({"error":"invalid_grant","error_description":"bad code"})"};
        verifier = call.body.substr(call.body.find("code_verifier=") + 14);
        verifier = verifier.substr(0, verifier.find('&'));
        return HttpReply{200, json{{"id_token", key_->Sign(claims)}}.dump()};
      }
      return HttpReply{404, "{}"};
    };
  }
  void Rotate(const char* kid) { key_ = std::make_unique<Signer>("RS256", kid); }
  int CallsTo(const std::string& suffix) const {
    int n = 0;
    for (const auto& c : calls)
      n += c.url.size() >= suffix.size() &&
           c.url.compare(c.url.size() - suffix.size(), suffix.size(), suffix) == 0;
    return n;
  }

  bool down = false;
  json claims;
  std::string verifier;
  std::vector<HttpCall> calls;

 private:
  std::unique_ptr<Signer> key_;
};

class OidcClientTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitSecrets().ok());
    config_.issuer = kIssuer;
    config_.client_id = "ecohub";
    config_.redirect_uri = "https://eco/login/oidc";
    client_ = std::make_unique<Client>(config_, provider_.Fetch());
  }
  // A login started now; the provider will sign the claims with its nonce.
  std::string Begin(UnixSeconds now = kNow) {
    auto s = client_->Start("/console/alarms", now);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    std::string url = s->authorization_url;
    std::string nonce = url.substr(url.find("nonce=") + 6);
    nonce = nonce.substr(0, nonce.find('&'));
    challenge_ = url.substr(url.find("code_challenge=") + 15);
    challenge_ = challenge_.substr(0, challenge_.find('&'));
    provider_.claims = Claims(nonce);
    provider_.claims["iat"] = now;
    provider_.claims["exp"] = now + 300;
    return s->state;
  }
  Config config_;
  FakeProvider provider_;
  std::unique_ptr<Client> client_;
  std::string challenge_;
};

TEST_F(OidcClientTest, ALoginGoesThroughWithPkceAndItsStateIsGoodOnce) {
  std::string state = Begin();
  auto done = client_->Finish("good", state, kNow + 20);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->identity.subject, "u-42");
  EXPECT_EQ(done->next, "/console/alarms");
  EXPECT_EQ(PkceChallenge(provider_.verifier), challenge_);  // the verifier matches
  EXPECT_EQ(client_->Finish("good", state, kNow + 21).status().code(), Code::kInvalidInput);
  EXPECT_EQ(client_->Finish("good", "made-up", kNow).status().code(), Code::kInvalidInput);
  EXPECT_EQ(provider_.CallsTo("/openid-configuration"), 1);  // metadata cached
}

TEST_F(OidcClientTest, StatesExpireAfterTenMinutes) {
  std::string state = Begin();
  EXPECT_EQ(client_->Finish("good", state, kNow + Client::kStateSeconds).status().code(),
            Code::kInvalidInput);
}

TEST_F(OidcClientTest, RefusedCodesAndTokensAreUnauthenticated) {
  auto refused = client_->Finish("bad", Begin(), kNow);
  EXPECT_EQ(refused.status().code(), Code::kUnauthenticated);
  EXPECT_NE(refused.status().message().find("invalid_grant"), std::string::npos);
  std::string state = Begin();
  provider_.claims["nonce"] = "replayed-from-another-login";
  EXPECT_EQ(client_->Finish("good", state, kNow).status().code(), Code::kUnauthenticated);
}

TEST_F(OidcClientTest, AProviderAwayIsUnavailableAndRotatedKeysAreFetchedAgain) {
  provider_.down = true;
  EXPECT_EQ(client_->Start("", kNow).status().code(), Code::kUnavailable);
  provider_.down = false;
  ASSERT_TRUE(client_->Finish("good", Begin(), kNow).ok());
  provider_.Rotate("k2");
  auto done = client_->Finish("good", Begin(kNow + 120), kNow + 120);
  EXPECT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(provider_.CallsTo("/jwks"), 2);
  // Known metadata carries a short outage.
  provider_.down = true;
  EXPECT_TRUE(client_->Start("", kNow + 200).ok());
}

}  // namespace
}  // namespace ecohub::auth::oidc
