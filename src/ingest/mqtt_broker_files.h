// The broker's password and ACL files for mosquitto, generated from the registry.
//
// Every enabled device gets an account named by its MN whose password is the
// device's access password (the PW of its packets), and may publish only to its own
// topics, <prefix>/hj212/<MN> and <prefix>/json/<MN>. EcoHub's own account may read
// both wildcards and publish nothing. Devices whose MN cannot name a topic level
// (mqtt_payload.h ValidTopicMn) or whose password is empty are left out and named.
//
// The password file is in mosquitto_passwd's format, PBKDF2-SHA512 (mosquitto 2.0):
//   line := username ":$7$" iterations "$" base64(salt, 12 bytes) "$" base64(hash, 64 bytes)
//
// Pure but for the random salts; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "registry/types.h"

namespace ecohub::ingest {

struct BrokerFiles {
  std::string passwd;                // for mosquitto.conf's password_file
  std::string acl;                   // for acl_file
  int devices = 0;                   // accounts made for devices
  std::vector<std::string> skipped;  // "MN: why"
};

// InvalidInput when EcoHub's own username is not a valid account name or its
// password is empty.
Result<BrokerFiles> MakeBrokerFiles(const std::vector<registry::Device>& devices,
                                    std::string_view ecohub_username,
                                    std::string_view ecohub_password,
                                    std::string_view topic_prefix = "ecohub");

// One password in mosquitto_passwd's "$7$" form, with a fresh random salt.
std::string MosquittoPasswordHash(std::string_view password, int iterations = 101);
// The same with a given salt (tests).
std::string MosquittoPasswordHash(std::string_view password, std::string_view salt, int iterations);

}  // namespace ecohub::ingest
