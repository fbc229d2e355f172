// Manual and laboratory results (手工监测): a sample taken at a site at a time, analysed
// by a stated method in a stated laboratory, and the values it gave. They are kept
// apart from automatic data by their source: the values go into the readings store
// under the site's manual device, MN "manual:<site code>" (registry/snapshot.h,
// ManualMn), never under the device the site's automatic series is read from, so
// they are stored and evaluated the same way without mixing with it.
//
// Below the detection limit (未检出, "ND" or "<0.02"): the value is kept as entered
// with its detection limit, and enters every evaluation at half the detection limit
// (EvaluatedValue). docs/manual-samples.md says why and cites the practice.
//
// This file is pure (no I/O, thread-compatible): what a sample is, its checks, the
// readings it gives, and the CSV of samples read into samples.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/reading.h"
#include "core/status.h"

namespace ecohub::samples {

struct SampleValue {
  std::string factor;  // HJ 212 code, in EcoHub's factor table (core/factors.h)
  // A decimal as entered ("0.52"); "" when below detection.
  std::string value;
  bool below_detection = false;
  // The method's detection limit (检出限): required when below detection, optional
  // otherwise.
  std::string detection_limit;
  bool operator==(const SampleValue&) const = default;
};

struct Sample {
  int64_t id = 0;
  int64_t site_id = 0;
  std::string site_code;
  UnixSeconds sampled_at = 0;
  UnixSeconds sampled_end = 0;  // a composite sample's end; 0 for a grab sample
  std::string kind;             // "water" | "air" | "soil" | "noise" | "other"
  std::string method;           // the analysis method's standard, "HJ 535-2009"
  std::string lab;              // the laboratory
  std::string sampler;          // who took it (optional)
  std::string report_no;        // the laboratory's report number (optional)
  std::string entered_by;       // "user:3", "cli"
  UnixSeconds entered_at = 0;
  std::vector<SampleValue> values;
  bool operator==(const Sample&) const = default;
};

const std::vector<std::string>& Kinds();

// Reads a value cell: a decimal ("0.52"), or below detection: "ND", "未检出" or "L"
// (with `detection_limit` given), or "<0.02" (the limit in the cell). kInvalidInput
// naming what is wrong.
Result<SampleValue> ParseValue(std::string_view factor, std::string_view cell,
                               std::string_view detection_limit);

// Checks a sample against the factor table and `now`: a kind, a method and a lab, a
// sampling time not after now (and an end after it, within a day), at least one
// value, each of a known factor, not negative, a below-detection value with a
// positive limit, a factor once. kInvalidInput naming the first problem.
Status Validate(const Sample& s, UnixSeconds now);

// The value a sample's value enters evaluations with: the value itself, or half the
// detection limit when below detection (exact: "0.02" gives "0.010").
std::string EvaluatedValue(const SampleValue& v);

// The readings a sample gives: one day value per factor under ManualMn(site_code),
// at the start of the Beijing day it was sampled on, field Avg, flag N (HJ 212:
// valid). A later sample of the same day and factor replaces the day value.
std::vector<Reading> ToReadings(const Sample& s);

// One row of a CSV of samples that is wrong.
struct RowError {
  int row = 0;  // the file's row, the header being 1
  std::string column;
  std::string reason;
};

struct CsvSamples {
  std::vector<Sample> samples;  // site_id unset: the caller resolves the codes
  std::vector<int> first_rows;  // the file row each sample starts on
  std::vector<RowError> errors;
  int rows = 0;  // data rows
};

// Reads a CSV of samples: header site,sampled_at,method,lab,factor,value and
// optionally detection_limit, report_no, sampler, kind (default water), sampled_end.
// One row per value; rows with the same site, time, method, lab, report number and
// sampler are one sample. Times as the readings import takes them (Beijing unless an
// offset is given). A file that cannot be read (not CSV, a missing column) is an
// error; bad rows are in `errors` (Validate is the caller's, per sample).
Result<CsvSamples> ReadSamplesCsv(std::string_view bytes, size_t max_rows = 50000);

}  // namespace ecohub::samples
