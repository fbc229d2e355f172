// `ecohub serve`: the serve command's options (defaults, then the TOML file, then the
// flags), checked before anything is opened, and a Server run until a signal.
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <tuple>

#include "app/commands.h"
#include "app/config.h"
#include "app/server.h"

namespace ecohub::app {
namespace {

// What the command line gives beside the fields of ServeConfig it binds directly:
// these are applied after the file, so that flags win.
struct ServeArgs {
  ServeConfig config;
  std::string config_file, gateway_listen, http_listen, tls_cert, tls_key, web_dir, key_file,
      store_url, mqtt, mqtt_password_file;
};

// The options of this run; a wrong option is a usage error (exit 2), found before
// the data directory is touched.
Status Assemble(ServeArgs& a) {
  ServeConfig& config = a.config;
  if (!a.config_file.empty())
    if (Status s = LoadConfigFile(a.config_file, &config); !s.ok()) return s;
  for (auto [text, host, port] :
       {std::tuple{&a.gateway_listen, &config.gateway.listen_host, &config.gateway.listen_port},
        std::tuple{&a.http_listen, &config.http.listen_host, &config.http.listen_port}}) {
    if (text->empty()) continue;
    if (Status s = ParseListen(*text, host, port); !s.ok()) return s;
  }
  if (!a.tls_cert.empty()) config.http.tls_cert_file = a.tls_cert;
  if (!a.tls_key.empty()) config.http.tls_key_file = a.tls_key;
  if (!a.web_dir.empty()) config.web_dir = a.web_dir;
  if (!a.key_file.empty()) config.security.key_file = a.key_file;
  if (!a.store_url.empty()) config.store_url = a.store_url;
  if (!a.mqtt.empty())
    if (Status s = ParseListen(a.mqtt, &config.mqtt.client.host, &config.mqtt.client.port); !s.ok())
      return s;
  if (!a.mqtt_password_file.empty()) config.mqtt.password_file = a.mqtt_password_file;
  // The gateway's limits apply to MQTT frames too.
  config.mqtt.ingest.framer.max_segment = config.gateway.framer.max_segment;
  config.mqtt.ingest.admission = config.gateway.admission;
  return Validate(config);
}

int RunServe(ServeArgs& a) {
  if (Status s = Assemble(a); !s.ok())
    return std::fprintf(stderr, "ecohub serve: %s\n", s.message().c_str()), 2;
  // glibc gives a thread's freed memory back to the system as soon as 128 KiB lie
  // free at the top of its arena, and maps every block over 128 KiB anew: an HTTP
  // handler thread building a half-megabyte answer (a station's year) then faults
  // its pages in again on every request. Measured on the 2-core box: a year query
  // took ~10 ms on a handler thread against ~1.6 ms on the network thread, and
  // 1.5 ms with these bounds (RSS +15 MB).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  // That bound holds per arena, and glibc makes up to 8 arenas per core, each keeping
  // its own free memory: one per core is enough for threads that mostly wait. Soak on
  // the 2-core box, 1,000 loggers every 2 s, minutes 5 to 14: RSS 201 -> 214 MB with
  // glibc's default, 179 -> 184 MB with 2 arenas. MALLOC_ARENA_MAX in the environment
  // still decides when set.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr)
    mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  Server server(a.config);
  Status s = server.Open();
  if (s.ok()) s = server.Start();
  if (!s.ok()) return std::fprintf(stderr, "ecohub serve: %s\n", s.ToString().c_str()), 1;
  // Tests and scripts read these two lines to find the ports (port 0 = any free one).
  std::printf("gateway listening on %s:%u\nhttp listening on %s:%u\n",
              a.config.gateway.listen_host.c_str(), server.gateway_port(),
              a.config.http.listen_host.c_str(), server.http_port());
  std::fflush(stdout);
  server.Wait();
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto a = std::make_shared<ServeArgs>();
  ServeConfig& config = a->config;
  auto* serve = app.add_subcommand("serve", "Run the gateway, the store and the HTTP server");
  serve->add_option("--data", config.data_dir, "Data directory (created if missing)")->required();
  serve
      ->add_option("--store", a->store_url,
                   "PostgreSQL store, postgresql://user@host:port/database (default: the "
                   "SQLite store in --data; --data then keeps the local files)")
      ->envname("ECOHUB_STORE");
  serve->add_option("--config", a->config_file, "TOML configuration file");
  serve->add_option("--gateway-listen", a->gateway_listen, "HJ 212 TCP listen address HOST:PORT");
  serve->add_option("--http-listen", a->http_listen, "HTTP listen address HOST:PORT");
  serve->add_option("--tls-cert", a->tls_cert,
                    "PEM certificate chain: the HTTP port speaks TLS only (with --tls-key)");
  serve->add_option("--tls-key", a->tls_key, "PEM private key of --tls-cert");
  serve->add_option("--web-dir", a->web_dir,
                    "Built web pages to serve (default: this source tree's web/dist; none: off)");
  serve->add_option("--admin-password-file", config.admin_password_file,
                    "With no account yet: create 'admin' with the password in this file");
  serve->add_option("--key-file", a->key_file,
                    "Master keys (default: ECOHUB_KEYS, else <data>/keys, created 0600)");
  serve->add_option("--mqtt", a->mqtt, "MQTT broker HOST:PORT to subscribe to (docs/mqtt.md)");
  serve->add_option("--mqtt-password-file", a->mqtt_password_file,
                    "EcoHub's broker password (first line; user: [mqtt] username, ecohub)");
  serve->add_flag("--demo", config.demo, "Seed the demo city into a new data directory");
  serve->add_option("--demo-city", config.demo_city,
                    "The demo's city: beijing, xianyang, or a directory (demo/README.md)");
  serve->add_option("--demo-devices", config.demo_devices,
                    "Demo devices to register (default: one per site of the demo city)");
  serve->add_option("--demo-history-days", config.demo_history_days, "Days of hourly history");
  serve->add_option("--dataset", config.dataset_dir, "Beijing multi-site dataset folder")
      ->default_val(std::string(ECOHUB_SHARED_DIR) + "/data/beijing_multisite_2013_2017");
  serve->add_option("--io-threads", config.io_threads, "Network threads");
  serve->add_option("--http-threads", config.http.handler_threads,
                    "Threads running HTTP handlers off the network threads (0: on them)");
  serve->callback([a] { ExitWith(RunServe(*a)); });
}

}  // namespace ecohub::app
