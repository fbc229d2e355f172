#include "auth/oidc.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include <memory>

#include "auth/secrets.h"
#include "core/escape.h"

namespace ecohub::auth::oidc {

using nlohmann::json;

namespace {

// The host of an http(s) URL, without port or brackets; empty when it has none.
std::string HostOf(std::string_view url) {
  auto p = url.find("://");
  if (p == std::string_view::npos) return "";
  std::string_view rest = url.substr(p + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') return std::string(rest.substr(1, rest.find(']') - 1));
  return std::string(rest.substr(0, rest.find(':')));
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::string FormValue(std::string_view v) { return PercentEncode(v, IsUnreserved); }

std::string ClaimText(const json& claims, const std::string& name) {
  if (name.empty() || !claims.contains(name)) return "";
  const json& v = claims[name];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return "";
}

// --- JWS signatures ---------------------------------------------------------------

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::optional<std::string> JwkBytes(const json& jwk, const char* name) {
  if (!jwk.contains(name) || !jwk[name].is_string()) return std::nullopt;
  return FromBase64Url(jwk[name].get<std::string>());
}

// A public key from its JWK (RFC 7518 §6.2, §6.3): RSA, or EC on P-256.
Pkey KeyFromJwk(const json& jwk) {
  std::string kty = jwk.value("kty", "");
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  if (!bld) return nullptr;
  BIGNUM *n = nullptr, *e = nullptr;
  std::string point;
  const char* type = nullptr;
  bool ok = false;
  if (kty == "RSA") {
    auto nb = JwkBytes(jwk, "n"), eb = JwkBytes(jwk, "e");
    if (nb && eb && !nb->empty() && !eb->empty()) {
      n = BN_bin2bn(reinterpret_cast<const unsigned char*>(nb->data()), nb->size(), nullptr);
      e = BN_bin2bn(reinterpret_cast<const unsigned char*>(eb->data()), eb->size(), nullptr);
      ok = n && e && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
      type = "RSA";
    }
  } else if (kty == "EC" && jwk.value("crv", "") == "P-256") {
    auto x = JwkBytes(jwk, "x"), y = JwkBytes(jwk, "y");
    if (x && y && x->size() == 32 && y->size() == 32) {
      point = "\x04" + *x + *y;  // SEC 1 uncompressed point
      ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
           OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                            point.size());
      type = "EC";
    }
  }
  EVP_PKEY* key = nullptr;
  OSSL_PARAM* params = ok ? OSSL_PARAM_BLD_to_param(bld) : nullptr;
  if (params) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
    if (ctx && EVP_PKEY_fromdata_init(ctx) == 1)
      EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(ctx);
  }
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(n);
  BN_free(e);
  return Pkey(key);
}

// JWS's ES256 signature is r||s, 32 bytes each; OpenSSL verifies DER.
std::optional<std::string> EcdsaDer(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  return out;
}

bool VerifySha256(EVP_PKEY* key, std::string_view signed_part, std::string_view sig) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  bool ok = md && EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(signed_part.data()),
                             signed_part.size()) == 1;
  EVP_MD_CTX_free(md);
  return ok;
}

// The key of `jwks` for a token signed with `alg` and naming `kid` (empty: the
// token names none, so the set's one key of that type).
const json* FindKey(const json& jwks, const std::string& kty, const std::string& kid) {
  if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array()) return nullptr;
  const json* found = nullptr;
  int candidates = 0;
  for (const auto& k : jwks["keys"]) {
    if (!k.is_object() || k.value("kty", "") != kty) continue;
    if (k.contains("use") && k["use"] != "sig") continue;
    if (!kid.empty() && k.value("kid", "") != kid) continue;
    found = &k;
    ++candidates;
  }
  return candidates == 1 || (!kid.empty() && found) ? found : nullptr;
}

Status Refused(std::string_view why) {
  return Status(Code::kUnauthenticated, "ID token refused: " + std::string(why));
}

// The audience and authorized-party checks of Core §3.1.3.7 (3-5).
Status CheckAudience(const json& claims, const std::string& client_id) {
  const json& aud = claims.contains("aud") ? claims["aud"] : json();
  bool listed = aud == client_id;
  if (aud.is_array())
    for (const auto& a : aud) listed = listed || a == client_id;
  if (!listed) return Refused("aud does not name this client");
  if (claims.contains("azp") && claims["azp"] != client_id) return Refused("azp is another client");
  if (aud.is_array() && aud.size() > 1 && !claims.contains("azp"))
    return Refused("several audiences and no azp");
  return Status::Ok();
}

Status CheckClaims(const json& claims, const Expected& x) {
  if (!claims.is_object()) return Refused("the payload is not a JSON object");
  if (claims.value("iss", "") != x.issuer) return Refused("iss is not the configured issuer");
  if (Status s = CheckAudience(claims, x.client_id); !s.ok()) return s;
  if (!claims.contains("exp") || !claims["exp"].is_number()) return Refused("exp is missing");
  if (claims["exp"].get<double>() + x.leeway_seconds <= static_cast<double>(x.now))
    return Refused("it has expired");
  if (!claims.contains("iat") || !claims["iat"].is_number()) return Refused("iat is missing");
  if (claims["iat"].get<double>() > static_cast<double>(x.now + x.leeway_seconds))
    return Refused("iat is in the future");
  if (!claims.contains("nonce") || claims["nonce"] != x.nonce)
    return Refused("nonce does not match this login");
  if (!claims.contains("sub") || !claims["sub"].is_string() || claims["sub"] == "" ||
      claims["sub"].get<std::string>().size() > 255)
    return Refused("sub is missing");
  return Status::Ok();
}

}  // namespace

bool RoleFromClaimsAllowed(Role r) {
  return r == Role::kLeader || r == Role::kStaff || r == Role::kInspector || r == Role::kPartner;
}

Status CheckConfig(const Config& c) {
  if (!c.enabled()) return Status::Ok();
  auto bad = [](std::string what) { return Status::InvalidInput("oidc." + what); };
  bool https = c.issuer.rfind("https://", 0) == 0;
  bool http = c.issuer.rfind("http://", 0) == 0;
  if (!https && !(http && IsLoopback(HostOf(c.issuer))))
    return bad("issuer must be an https:// URL (http:// only on a loopback address): " + c.issuer);
  if (c.client_id.empty()) return bad("client_id is required");
  if (c.redirect_uri.rfind("https://", 0) != 0 && c.redirect_uri.rfind("http://", 0) != 0)
    return bad("redirect_uri must be the http(s) address of the console's /login/oidc page");
  if (c.scopes.find("openid") == std::string::npos) return bad("scopes must include openid");
  if (c.auto_create && c.claim_role.empty())
    return bad("auto_create needs claim_role (the claim that gives an account its role)");
  for (const auto& [value, role] : c.roles)
    if (!RoleFromClaimsAllowed(role))
      return bad("roles: \"" + value + "\" maps to " + std::string(RoleName(role)) +
                 ", which claims may not give (only leader, staff, inspector, partner)");
  if (c.http_timeout_seconds < 1 || c.http_timeout_seconds > 120)
    return bad("http_timeout_seconds must be 1..120");
  return Status::Ok();
}

std::string DiscoveryUrl(std::string_view issuer) {
  std::string base(issuer);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/.well-known/openid-configuration";
}

Result<Metadata> ParseMetadata(std::string_view body, std::string_view issuer) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return Status::Unavailable("the provider's discovery document is not JSON");
  if (j.value("issuer", "") != issuer)
    return Status::InvalidInput("the provider calls itself " + j.value("issuer", "(nothing)") +
                                ", not the configured issuer " + std::string(issuer));
  Metadata m;
  m.authorization_endpoint = j.value("authorization_endpoint", "");
  m.token_endpoint = j.value("token_endpoint", "");
  m.jwks_uri = j.value("jwks_uri", "");
  m.userinfo_endpoint = j.value("userinfo_endpoint", "");
  if (m.authorization_endpoint.empty() || m.token_endpoint.empty() || m.jwks_uri.empty())
    return Status::Unavailable("the provider's discovery document lacks an endpoint");
  return m;
}

std::string Base64Url(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  std::string out(text.size() * 3 / 4 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

std::string PkceChallenge(std::string_view verifier) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size());
  return Base64Url(std::string_view(reinterpret_cast<const char*>(h), sizeof h));
}

std::string AuthorizationUrl(const Metadata& m, const Config& c, std::string_view state,
                             std::string_view nonce, std::string_view code_challenge) {
  std::string url = m.authorization_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "response_type=code&client_id=" + FormValue(c.client_id) +
         "&redirect_uri=" + FormValue(c.redirect_uri) + "&scope=" + FormValue(c.scopes) +
         "&state=" + FormValue(state) + "&nonce=" + FormValue(nonce) +
         "&code_challenge=" + FormValue(code_challenge) + "&code_challenge_method=S256";
  return url;
}

std::string TokenRequestBody(const Config& c, std::string_view code, std::string_view verifier) {
  std::string body = "grant_type=authorization_code&code=" + FormValue(code) +
                     "&redirect_uri=" + FormValue(c.redirect_uri) +
                     "&code_verifier=" + FormValue(verifier);
  if (c.client_secret.empty()) body += "&client_id=" + FormValue(c.client_id);
  return body;
}

std::string ClientAuthorization(const Config& c) {
  if (c.client_secret.empty()) return "";
  // RFC 6749 §2.3.1: both parts form-encoded before base64.
  std::string pair = FormValue(c.client_id) + ":" + FormValue(c.client_secret);
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  std::string b64(sodium_base64_ENCODED_LEN(pair.size(), kVariant), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(pair.data()),
                    pair.size(), kVariant);
  b64.resize(b64.size() - 1);
  return "Basic " + b64;
}

Result<json> VerifyIdToken(std::string_view id_token, const json& jwks, const Expected& x) {
  auto dot1 = id_token.find('.');
  auto dot2 = dot1 == std::string_view::npos ? dot1 : id_token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || id_token.find('.', dot2 + 1) != std::string_view::npos)
    return Refused("not a compact JWS (three parts)");
  auto header_bytes = FromBase64Url(id_token.substr(0, dot1));
  auto payload_bytes = FromBase64Url(id_token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto sig = FromBase64Url(id_token.substr(dot2 + 1));
  if (!header_bytes || !payload_bytes || !sig) return Refused("a part is not base64url");
  json header = json::parse(*header_bytes, nullptr, false);
  if (!header.is_object()) return Refused("the header is not JSON");
  // The algorithm comes from the token but only these two are accepted, each with a
  // key of its own type: "none" and HMAC with a public key as secret never verify.
  std::string alg = header.value("alg", "");
  std::string kty = alg == "RS256" ? "RSA" : alg == "ES256" ? "EC" : "";
  if (kty.empty()) return Refused("alg " + alg + " is not RS256 or ES256");
  std::string kid = header.contains("kid") && header["kid"].is_string() ? header["kid"] : "";
  const json* jwk = FindKey(jwks, kty, kid);
  if (!jwk) return Status(Code::kNotFound, "no key of the provider has kid " + kid);
  Pkey key = KeyFromJwk(*jwk);
  if (!key) return Refused("the provider's key " + kid + " cannot be read");
  std::optional<std::string> signature = alg == "ES256" ? EcdsaDer(*sig) : sig;
  if (!signature || !VerifySha256(key.get(), id_token.substr(0, dot2), *signature))
    return Refused("the signature does not verify");
  json claims = json::parse(*payload_bytes, nullptr, false);
  if (Status s = CheckClaims(claims, x); !s.ok()) return s;
  return claims;
}

Identity ReadIdentity(const json& claims, const Config& c) {
  Identity id;
  id.subject = ClaimText(claims, "sub");
  id.username = ClaimText(claims, c.claim_username);
  if (id.username.empty()) id.username = id.subject;
  id.display_name = ClaimText(claims, "name");
  if (id.display_name.empty()) id.display_name = id.username;
  if (!c.claim_role.empty() && claims.contains(c.claim_role)) {
    // A single value or a list (groups): the first value that maps.
    json values = claims[c.claim_role];
    if (!values.is_array()) values = json::array({values});
    for (const auto& v : values) {
      if (!v.is_string()) continue;
      if (id.role_claim.empty()) id.role_claim = v.get<std::string>();
      if (auto it = c.roles.find(v.get<std::string>()); it != c.roles.end()) {
        id.role = it->second;
        id.role_claim = it->first;
        break;
      }
    }
  }
  id.district_claim = ClaimText(claims, c.claim_district);
  id.department = ClaimText(claims, c.claim_department);
  return id;
}

}  // namespace ecohub::auth::oidc
