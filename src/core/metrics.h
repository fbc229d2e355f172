// Metrics: named counters, gauges and latency histograms, rendered as Prometheus
// text at /metrics. Every rejection or drop in EcoHub has a named counter here;
// tests assert on counters, not on log text (STYLE.md).
//
// Thread-safe. Counter/Gauge/Histogram objects are owned by the registry and live
// as long as it does; hot paths keep the pointer and do relaxed atomic adds.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace ecohub {

class Counter {
 public:
  void Add(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { v_.store(v, std::memory_order_relaxed); }
  void Add(int64_t d) { v_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

// Latency histogram with fixed log-spaced buckets from 1 µs to ~67 s (powers of 2).
class Histogram {
 public:
  static constexpr int kBuckets = 27;
  void Observe(uint64_t micros);
  // Quantile estimate (upper bound of the bucket holding it), in microseconds.
  uint64_t QuantileMicros(double q) const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t sum_micros() const { return sum_.load(std::memory_order_relaxed); }
  static uint64_t BucketUpperMicros(int i) { return uint64_t{1} << i; }
  uint64_t bucket(int i) const { return buckets_[i].load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<uint64_t>, kBuckets + 1> buckets_{};
  std::atomic<uint64_t> count_{0}, sum_{0};
};

class Metrics {
 public:
  // Returns the metric of that name, creating it on first use. `name` must be a valid
  // Prometheus name ("ecohub_gateway_rejected_total"); labels go in the name as
  // `name{code="crc_mismatch"}`.
  Counter* counter(std::string_view name, std::string_view help = "");
  Gauge* gauge(std::string_view name, std::string_view help = "");
  Histogram* histogram(std::string_view name, std::string_view help = "");

  // Prometheus text exposition format 0.0.4.
  std::string RenderPrometheus() const;
  // Value of a counter or gauge by full name (with labels), 0 when unknown. For tests.
  int64_t Value(std::string_view name) const;

 private:
  struct Entry {
    std::string help;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace ecohub
