// What the login routes share: the account's JSON, the answer that starts a session,
// and running slow work (Argon2id, the round trips to an identity provider) on the
// accounts' workers instead of the network threads (account_routes.cc).
#pragma once

#include <functional>

#include "api/handlers.h"
#include "auth/accounts.h"

namespace ecohub::api {

// An account as the API shows it (never its password or second factor's key).
nlohmann::ordered_json UserJson(const ApiContext& ctx, const auth::User& u);
// The answer to a successful login: the token, its expiry, the user, what the session
// must do first, and `next` (where the console goes; null: its first page).
Response SessionAnswer(const ApiContext& ctx, const auth::LoginResult& r,
                       const nlohmann::json& next);
// 503 busy with Retry-After: the workers' queue is full.
Response Busy();
// 429 with Retry-After: this address failed too many logins lately.
Response TooManyLogins(int retry_after);
// Answers with what `work` returns, computed on the accounts' workers; 503 at once
// when their queue is full.
Response OnPasswordWorkers(const ApiContext& ctx, std::function<Response()> work);

}  // namespace ecohub::api
