// What the complaint routes share: complaint_public_routes.cc (the public files,
// follows, rates and reopens) and complaint_routes.cc (staff handle them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

#include "api/handlers.h"
#include "casework/complaint_store.h"
#include "registry/snapshot.h"

namespace ecohub::api::complaint {

// "public", or "user:<id>": who took a step, for the time line.
std::string Actor(const auth::Principal& who);
// The district's name; null for none (0) or one the snapshot does not hold.
nlohmann::json DistrictName(const registry::Snapshot& snap, int64_t id);
// The category's Chinese name; its code when unknown.
nlohmann::json CategoryName(const std::string& code);
// {text, time} of the reply, null before one; {score, comment} of the rating.
nlohmann::ordered_json ReplyJson(const casework::Complaint& c);
nlohmann::ordered_json RatingJson(const casework::Complaint& c);
// When a complaint of `category` counted from `from` is due: the city's days for the
// category ([complaints.reply_days]) or casework::kReplyDays.
int ReplyDays(const ApiContext& ctx, const std::string& category);
UnixSeconds DeadlineOf(const ApiContext& ctx, const std::string& category, UnixSeconds from);
// The fields of a submission's body (the public's, and the first ones of a recording
// by staff).
const std::vector<ParamDoc>& SubmissionBody();
// The submission in a POST body, read leniently (numbers as strings, nulls as absent,
// fields it does not know ignored): the portal's form and partner systems both post.
// kInvalidInput naming the field; `body` receives the parsed object when given.
// A JSON body's text field `name`: "" when absent or null; kInvalidInput unless a
// string of `min`..`max` characters (UTF-8 characters, casework::Characters).
Result<std::string> BodyText(const nlohmann::json& body, const char* name, size_t min = 0,
                             size_t max = SIZE_MAX);

Result<casework::Submission> ReadSubmission(const Request& req, nlohmann::json* body = nullptr);
// Stores a checked submission as a new complaint from `source`, with a fresh tracking
// code, the phone sealed, routed to the district covering its place, else the one its
// address names, else `fallback_district` (0: the city's staff route it). Its first
// event is the submission by `actor` with `text`.
Result<casework::Complaint> File(const ApiContext& ctx,
                                 const std::shared_ptr<const registry::Snapshot>& snap,
                                 const casework::Submission& s, const std::string& source,
                                 const std::string& actor, const std::string& text,
                                 int64_t fallback_district, UnixSeconds now);
// 503: the server has no complaint store.
Response Unavailable();

// The display name of a time line's actor ("public" is 公众, a user their display
// name); `seen` keeps those already looked up. null when the account is gone.
nlohmann::json ActorName(const ApiContext& ctx, const std::string& actor,
                         std::map<std::string, nlohmann::json>* seen);
// Applies the changes; the 409 when another change came first, or the store's error.
std::optional<Response> ApplyChanges(const ApiContext& ctx,
                                     std::span<const casework::ComplaintChange> changes);

}  // namespace ecohub::api::complaint
