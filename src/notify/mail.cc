#include "notify/mail.h"

#include <curl/curl.h>

#include <cstring>
#include <mutex>

namespace ecohub::notify {

namespace {

struct Upload {
  const std::string* text;
  size_t at = 0;
};

size_t ReadUpload(char* out, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  size_t len = std::min(size * n, u->text->size() - u->at);
  std::memcpy(out, u->text->data() + u->at, len);
  u->at += len;
  return len;
}

Status SendOne(const SmtpOptions& o, const std::string& from, const std::string& to,
               const std::string& text) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (!curl) return Status(Code::kInternal, "libcurl could not start");
  Upload up{&text};
  std::string mail_from = "<" + from + ">", rcpt_to = "<" + to + ">";
  curl_slist* rcpt = curl_slist_append(nullptr, rcpt_to.c_str());
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, o.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(o.timeout_seconds));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  if (o.url.starts_with("smtp://"))
    curl_easy_setopt(curl, CURLOPT_USE_SSL, o.starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE);
  if (!o.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, o.ca_file.c_str());
  if (!o.user.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, o.user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, o.password.c_str());
  }
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  if (rc == CURLE_OK) return Status::Ok();
  return Status(Code::kUnavailable,
                "SMTP: " + std::string(error[0] ? error : curl_easy_strerror(rc)));
}

}  // namespace

MailSend SmtpSender(SmtpOptions options) {
  return [o = std::move(options)](const std::string& from, const std::string& to,
                                  const std::string& text) { return SendOne(o, from, to, text); };
}

}  // namespace ecohub::notify
