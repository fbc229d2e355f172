#include "store/chunk.h"

#include <algorithm>

#include "core/reading.h"

namespace ecohub::store {

namespace {
void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    uint8_t b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    r |= uint64_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) {
      *v = r;
      return true;
    }
  }
  return false;
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }
}  // namespace

std::string EncodeChunk(int64_t day_start, const std::vector<ChunkEntry>& entries) {
  std::string out;
  out.reserve(entries.size() * 5 + 4);
  PutVarint(&out, entries.size());
  int64_t prev = day_start;
  for (const auto& e : entries) {
    PutVarint(&out, static_cast<uint64_t>(e.time - prev));
    prev = e.time;
    out.push_back(e.flag);
    auto d = Decimal::Parse(e.value);
    if (d) {
      out.push_back(static_cast<char>(d->scale | (d->negative_zero ? 0x20 : 0)));
      PutVarint(&out, ZigZag(d->mantissa));
    } else {
      out.push_back(static_cast<char>(0x40));
      PutVarint(&out, e.value.size());
      out += e.value;
    }
  }
  return out;
}

Status DecodeChunk(int64_t day_start, std::string_view in, std::vector<ChunkEntry>* out) {
  uint64_t n = 0;
  if (!GetVarint(&in, &n) || n > in.size()) return Status::Corruption("chunk: bad count");
  // Grow geometrically: a range read appends day after day into one vector, and an
  // exact reserve per day would move everything read so far each time.
  if (out->capacity() < out->size() + n)
    out->reserve(std::max(out->size() + n, 2 * out->capacity()));
  int64_t prev = day_start;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t dt = 0;
    if (!GetVarint(&in, &dt) || in.size() < 2) return Status::Corruption("chunk: truncated entry");
    ChunkEntry e;
    e.time = prev + static_cast<int64_t>(dt);
    prev = e.time;
    e.flag = in[0];
    uint8_t kind = static_cast<uint8_t>(in[1]);
    in.remove_prefix(2);
    uint64_t v = 0;
    if (!GetVarint(&in, &v)) return Status::Corruption("chunk: truncated value");
    if (kind & 0x40) {
      if (v > in.size()) return Status::Corruption("chunk: text past the end");
      e.value.assign(in.substr(0, v));
      in.remove_prefix(v);
    } else {
      Decimal d;
      d.mantissa = UnZigZag(v);
      d.scale = kind & 0x1f;
      d.negative_zero = kind & 0x20;
      e.value = d.ToString();
    }
    out->push_back(std::move(e));
  }
  return Status::Ok();
}

std::vector<ChunkEntry> MergeEntries(const std::vector<ChunkEntry>& a,
                                     const std::vector<ChunkEntry>& b) {
  std::vector<ChunkEntry> out;
  out.reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].time < b[j].time)) {
      out.push_back(a[i++]);
    } else {
      if (i < a.size() && a[i].time == b[j].time) ++i;  // newer wins
      out.push_back(b[j++]);
    }
  }
  return out;
}

}  // namespace ecohub::store
