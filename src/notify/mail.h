// E-mail of notifications through an SMTP server, with libcurl (Debian's
// libcurl4-openssl-dev): the field's well-kept SMTP client, with STARTTLS and AUTH.
#pragma once

#include <string>

#include "notify/dispatcher.h"

namespace ecohub::notify {

struct SmtpOptions {
  // smtp://host:port (STARTTLS as `starttls` says) or smtps://host:port (TLS from the
  // first byte). Empty: e-mail is off.
  std::string url;
  std::string user, password;  // AUTH when user is set
  bool starttls = true;        // smtp://: refuse a server that does not offer it
  std::string ca_file;         // extra trust for the server's certificate; empty: the system's
  int timeout_seconds = 30;
};

// A MailSend over `options` (each call one SMTP session).
MailSend SmtpSender(SmtpOptions options);

}  // namespace ecohub::notify
