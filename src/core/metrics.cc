#include "core/metrics.h"

#include <bit>
#include <cstdio>

namespace ecohub {

void Histogram::Observe(uint64_t micros) {
  int b = micros <= 1 ? 0 : std::bit_width(micros - 1);
  if (b > kBuckets) b = kBuckets;
  buckets_[b].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(micros, std::memory_order_relaxed);
}

uint64_t Histogram::QuantileMicros(double q) const {
  uint64_t n = count();
  if (n == 0) return 0;
  uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(n - 1)) + 1, seen = 0;
  for (int i = 0; i <= kBuckets; ++i) {
    seen += bucket(i);
    if (seen >= rank) return BucketUpperMicros(i);
  }
  return BucketUpperMicros(kBuckets);
}

namespace {
template <typename T>
T* GetOrMake(std::unique_ptr<T>& p) {
  if (!p) p = std::make_unique<T>();
  return p.get();
}
std::string_view BaseName(std::string_view name) { return name.substr(0, name.find('{')); }
}  // namespace

Counter* Metrics::counter(std::string_view name, std::string_view help) {
  std::lock_guard lock(mu_);
  auto& e = entries_[std::string(name)];
  if (e.help.empty()) e.help = help;
  return GetOrMake(e.counter);
}

Gauge* Metrics::gauge(std::string_view name, std::string_view help) {
  std::lock_guard lock(mu_);
  auto& e = entries_[std::string(name)];
  if (e.help.empty()) e.help = help;
  return GetOrMake(e.gauge);
}

Histogram* Metrics::histogram(std::string_view name, std::string_view help) {
  std::lock_guard lock(mu_);
  auto& e = entries_[std::string(name)];
  if (e.help.empty()) e.help = help;
  return GetOrMake(e.histogram);
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  std::string_view last_base;
  char buf[64];
  for (const auto& [name, e] : entries_) {
    std::string_view base = BaseName(name);
    if (base != last_base) {
      if (!e.help.empty()) out += "# HELP " + std::string(base) + " " + e.help + "\n";
      const char* type = e.counter ? "counter" : e.gauge ? "gauge" : "histogram";
      out += "# TYPE " + std::string(base) + " " + type + "\n";
      last_base = base;
    }
    if (e.counter) {
      out += name + " " + std::to_string(e.counter->value()) + "\n";
    } else if (e.gauge) {
      out += name + " " + std::to_string(e.gauge->value()) + "\n";
    } else if (e.histogram) {
      // Seconds, as Prometheus expects; cumulative buckets.
      uint64_t cum = 0;
      for (int i = 0; i <= Histogram::kBuckets; ++i) {
        cum += e.histogram->bucket(i);
        std::snprintf(buf, sizeof buf, "%.6f", Histogram::BucketUpperMicros(i) / 1e6);
        out += name + "_bucket{le=\"" + (i == Histogram::kBuckets ? "+Inf" : buf) + "\"} " +
               std::to_string(cum) + "\n";
      }
      std::snprintf(buf, sizeof buf, "%.6f", e.histogram->sum_micros() / 1e6);
      out += name + "_sum " + buf + "\n";
      out += name + "_count " + std::to_string(e.histogram->count()) + "\n";
    }
  }
  return out;
}

int64_t Metrics::Value(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return 0;
  if (it->second.counter) return static_cast<int64_t>(it->second.counter->value());
  if (it->second.gauge) return it->second.gauge->value();
  return 0;
}

}  // namespace ecohub
