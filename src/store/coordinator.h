// Coordinator: what the EcoHub nodes sharing one store agree on (docs/deployment.md,
// "Several nodes"):
//  - which node runs each singleton job (retention and compaction, the alarm sync,
//    later scheduled draws and escalations): Leads(job) is true on exactly one node
//    at a time; a node that dies loses its leases with its database session, and
//    another node's next Leads() takes them, within one pass of its loop;
//  - news every node must act on (the registry changed, an account was disabled or
//    a token revoked): Publish(topic) reaches every node, the publisher included,
//    through OnChange.
//
// One node (the SQLite store) has the local coordinator: it leads every job and its
// news stays in the process. On PostgreSQL, leases are session-level advisory locks
// and news travels by LISTEN/NOTIFY on the channel `ecohub`, on one connection of the
// coordinator's own.
//
// Thread-safety: every method may be called from any thread. OnChange callbacks run
// on the coordinator's thread (PostgreSQL) or the publisher's (local); they must be
// quick and must not call Publish.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ecohub::store {

class Coordinator {
 public:
  virtual ~Coordinator() = default;

  // True when this node runs `job` now, taking the job's lease when it is free.
  // Cheap: call it before every pass of the job.
  virtual bool Leads(std::string_view job) = 0;
  // Gives the lease back (a clean stop), so another node takes it at once.
  virtual void Release(std::string_view job) = 0;
  // Tells every node that `topic` changed. Topics are short names ("registry").
  virtual Status Publish(std::string_view topic) = 0;
  // Adds a listener for every topic published by any node.
  virtual void OnChange(std::function<void(const std::string& topic)> fn) = 0;
};

std::unique_ptr<Coordinator> NewLocalCoordinator();

// The coordinator of the nodes sharing the PostgreSQL database at `url`.
// kUnavailable when it cannot be reached. The connection is re-established when
// lost (its leases are then gone and taken again by whichever node asks first).
Result<std::unique_ptr<Coordinator>> OpenPostgresCoordinator(const std::string& url);

}  // namespace ecohub::store
