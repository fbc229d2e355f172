// The dispatcher: publishes the alarms raised since its last pass as events, to the
// subscriptions that want them and whose owners may see them (the access policy,
// asked through `Audience::may_see`), and sends the deliveries that are due: webhooks
// and the SMS gateway over HTTP, e-mail over SMTP. A failed delivery is tried again
// after 1 min, 5 min, 30 min, 2 h and 6 h (notify.h: RetryAfter), then given up; each
// attempt is in the delivery log.
//
// Publishing keeps a cursor (the highest alarm id published) in the store with the
// events, so a restart neither repeats nor skips. The first pass of a new deployment
// (no cursor yet) starts from the alarms that exist and tells nobody of them.
//
// Thread-safety: Start/Stop from one thread; RunOnce from any (passes never overlap).
#pragma once

#include <functional>
#include <mutex>
#include <string>

#include "casework/complaint_store.h"
#include "casework/task_store.h"
#include "core/clock.h"
#include "core/http_fetch.h"
#include "core/periodic.h"
#include "notify/notify_store.h"
#include "store/alarm_store.h"

namespace ecohub::notify {

struct DispatchOptions {
  int interval_seconds = 10;
  // The console's address, for links in e-mails ("https://eco.example.gov.cn"); empty:
  // no link.
  std::string console_url;
  std::string mail_from;   // the From of e-mails; empty: e-mail is not configured
  std::string sms_url;     // the SMS gateway (docs/notifications.md); empty: none
  std::string sms_secret;  // signs the gateway's requests as webhooks are signed
  size_t batch = 100;      // deliveries per pass
};

// Sends one message (MailMessage) from `from` to `to`; kUnavailable when the server
// could not be reached or refused it.
using MailSend =
    std::function<Status(const std::string& from, const std::string& to, const std::string& text)>;

// Who the events are for, and what names they carry.
struct Audience {
  // Whether the user may see the event (their account is active and the access policy
  // lets them read it).
  std::function<bool(int64_t user_id, const Event& e)> may_see;
  // A site's name for titles ("西城区官园"), empty when unknown.
  std::function<std::string(int64_t site_id)> site_name;
};

// The transports, and how a stored target or secret is opened (Sealer::Open).
struct Senders {
  HttpFetch fetch;
  MailSend mail;
  std::function<Result<std::string>(const std::string&)> open;
};

// The event of an alarm: kind "alarm.<kind>", severity critical for an exceedance,
// warning for an offline device, info for an anomaly; the title names the site and
// the factor (Chinese), the body its value, limit and start.
Event EventOfAlarm(const store::Alarm& a, const std::string& site_name);

// What a step of a grid task tells, and to whom whatever they subscribed to: a task
// given (task.assigned) or sent back (task.returned) reaches its inspector's inbox; a
// record submitted (task.submitted) and a task past due (task.escalated) reach those
// who subscribed to them and may see the task. nullopt for the other steps.
struct TaskNews {
  Event event;
  std::vector<int64_t> direct;
};
std::optional<TaskNews> NewsOfTaskStep(const casework::TaskEvent& step, const casework::Task& task);

class Dispatcher {
 public:
  Dispatcher(NotifyStore& notify, store::AlarmStore& alarms, Audience audience, Senders senders,
             DispatchOptions options, const Clock& clock)
      : notify_(notify),
        alarms_(alarms),
        audience_(std::move(audience)),
        senders_(std::move(senders)),
        options_(std::move(options)),
        clock_(clock) {}
  ~Dispatcher() { Stop(); }

  // On several nodes sharing a store, only the one `leads` says dispatches. Set
  // before Start.
  void OnlyWhen(std::function<bool()> leads) { leads_ = std::move(leads); }
  // The grid tasks whose steps are told (null: none). Set before Start.
  void Tasks(casework::TaskStore* tasks) { tasks_ = tasks; }
  // The complaints whose steps are told (null: none). Set before Start.
  void Complaints(casework::ComplaintStore* complaints) { complaints_ = complaints; }

  // The alarms raised since the last pass, published; how many events were new.
  Result<int64_t> PublishAlarms(UnixSeconds now);
  // The steps of tasks taken since the last pass, published; how many were news.
  Result<int64_t> PublishTasks(UnixSeconds now);
  // The steps of complaints taken since the last pass, published.
  Result<int64_t> PublishComplaints(UnixSeconds now);
  // The deliveries due at `now`, attempted; how many were sent.
  Result<int64_t> DeliverDue(UnixSeconds now);
  // A message to one subscription now, outside the log (the "send a test" button);
  // the error of the attempt.
  Status SendNow(const Subscription& s, const Event& e, UnixSeconds now);

  // One thing raised since a cursor (an alarm's id, a time line's line): its event,
  // none when it is not news, and who is told of it whatever they subscribed to.
  struct Raised {
    int64_t id = 0;
    std::optional<Event> event;
    std::vector<int64_t> direct;
  };
  // What a source raised above a cursor, in id order; `first`: the deployment's first
  // pass, when only the ids matter.
  using RaisedSince = std::function<Result<std::vector<Raised>>(int64_t above, bool first)>;

  // Both, once, on the caller's thread.
  void RunOnce();
  void Start();
  void Stop();

 private:
  // Publishes what `source` raised since its cursor to the subscriptions that want it
  // and whose owners may see it (or are told of it directly), and moves the cursor.
  Result<int64_t> PublishFrom(std::string_view source, const RaisedSince& raised_since,
                              UnixSeconds now);
  Status Send(const Subscription& s, const Event& e, int64_t delivery_id, UnixSeconds now);

  NotifyStore& notify_;
  store::AlarmStore& alarms_;
  casework::TaskStore* tasks_ = nullptr;
  casework::ComplaintStore* complaints_ = nullptr;
  const Audience audience_;
  const Senders senders_;
  const DispatchOptions options_;
  const Clock& clock_;
  std::function<bool()> leads_;
  std::mutex run_mu_;
  Periodic periodic_;
};

}  // namespace ecohub::notify
