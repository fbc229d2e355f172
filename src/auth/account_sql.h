// The columns both account stores (sqlite_account_store.cc, pg_account_store.cc) read
// users, API keys and data requests with, in the order their row readers expect;
// each store adds its WHERE with its own placeholders.
#pragma once

namespace ecohub::auth {

inline constexpr const char* kUserSelectSql =
    "SELECT id, username, display_name, role, district_id, enterprise_id, department, "
    "disabled, failed, locked_until, created, password_hash, password_changed, must_change, "
    "totp_key != '', COALESCE(oidc_subject, ''), oidc_claims FROM users ";
inline constexpr const char* kKeySelectSql =
    "SELECT id, name, owner_id, prefix, datasets, created, expires, revoked, request_id "
    "FROM api_keys ";
inline constexpr const char* kRequestSelectSql =
    "SELECT id, dataset, requester_id, department, purpose, until, delivery, status, "
    "decided_by, reason, created, decided, key_id FROM data_requests ";

}  // namespace ecohub::auth
