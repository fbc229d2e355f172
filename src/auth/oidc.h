// OpenID Connect (Core 1.0): a login against the province's or city's identity
// platform (统一身份认证), as a relying party using the authorization code flow with
// PKCE (RFC 7636, S256). This header is the pure part: the configuration and its
// checks, the provider's metadata, the authorization URL, the token request, the ID
// token's verification (JWS RS256 or ES256 against the provider's JWK Set, then the
// claims Core §3.1.3.7 requires), and what the claims say of the account.
// oidc_client.h does the round trips.
//
// Administrators (IsAdministrator) are never given by claims: an administrator
// links such an account to its subject by hand.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "auth/policy.h"
#include "core/status.h"
#include "core/time.h"

namespace ecohub::auth::oidc {

struct Config {
  std::string issuer;  // exactly as the provider's `iss`; empty: OpenID Connect is off
  std::string client_id;
  std::string client_secret;                  // empty: a public client (PKCE alone)
  std::string redirect_uri;                   // the console's /login/oidc page
  std::string display_name = "统一身份认证";  // the login button's text
  std::string scopes = "openid profile";
  // Claims read from the ID token (and the UserInfo answer, when the provider has one).
  std::string claim_username = "preferred_username";
  std::string claim_role;             // empty: accounts are only linked by an administrator
  std::string claim_district;         // a district's GB/T 2260 code or its name
  std::string claim_department;       // optional
  bool auto_create = false;           // create an account at the first login from claims
  std::map<std::string, Role> roles;  // role claim value -> role
  std::string ca_file;                // PEM bundle trusted for the provider (empty: the system's)
  int http_timeout_seconds = 10;

  bool enabled() const { return !issuer.empty(); }
};

// kInvalidInput naming the key: issuer https (http only on a loopback address),
// client_id and redirect_uri present, claim_role set when auto_create is, every
// mapped role one that claims may give (leader, staff, inspector, partner).
Status CheckConfig(const Config& c);
bool RoleFromClaimsAllowed(Role r);

// The provider's endpoints (OpenID Connect Discovery 1.0). kUnavailable when the
// document is not JSON or misses an endpoint; kInvalidInput when its issuer is not
// `issuer` (§4.3: they must be identical).
struct Metadata {
  std::string authorization_endpoint, token_endpoint, jwks_uri, userinfo_endpoint;
};
Result<Metadata> ParseMetadata(std::string_view body, std::string_view issuer);
// The discovery document's address for `issuer`.
std::string DiscoveryUrl(std::string_view issuer);

// base64url without padding (RFC 4648 §5), as JOSE and PKCE use it.
std::string Base64Url(std::string_view bytes);
std::optional<std::string> FromBase64Url(std::string_view text);
// The S256 code challenge of a verifier (RFC 7636 §4.2). Verifiers, states and
// nonces are NewSecret("") (secrets.h): 256 random bits as base64url.
std::string PkceChallenge(std::string_view verifier);

std::string AuthorizationUrl(const Metadata& m, const Config& c, std::string_view state,
                             std::string_view nonce, std::string_view code_challenge);
// The token request's form body (RFC 6749 §4.1.3 with RFC 7636's verifier); a public
// client names itself there, a confidential one authenticates with Basic (below).
std::string TokenRequestBody(const Config& c, std::string_view code, std::string_view verifier);
// "Basic ..." for client_secret_basic; empty for a public client.
std::string ClientAuthorization(const Config& c);

struct Expected {
  std::string issuer, client_id, nonce;
  UnixSeconds now = 0;
  int leeway_seconds = 60;  // clock skew allowed on exp and iat
};
// The claims of a compact-serialized ID token whose signature one key of `jwks` (a
// JWK Set) verifies and whose iss, aud, azp, exp, iat, nonce and sub hold.
// kUnauthenticated naming the first check that failed; kNotFound when no key of the
// set has the token's `kid` (the caller may fetch the set again: keys rotate).
Result<nlohmann::json> VerifyIdToken(std::string_view id_token, const nlohmann::json& jwks,
                                     const Expected& expected);

// What the claims say of the person.
struct Identity {
  std::string subject;
  std::string username;      // claim_username, else the subject
  std::string display_name;  // `name`, else the username
  // From claims, when claim_role is configured and its value maps to a role.
  std::optional<Role> role;
  std::string role_claim;      // the value read, for messages
  std::string district_claim;  // empty: none given
  std::string department;
};
Identity ReadIdentity(const nlohmann::json& claims, const Config& c);

}  // namespace ecohub::auth::oidc
