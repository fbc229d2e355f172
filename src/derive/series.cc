#include "derive/series.h"

#include "quality/aggregate.h"

namespace ecohub::derive {

SeriesWindow::SeriesWindow(UnixSeconds from, UnixSeconds to, size_t factors)
    : from_(from), to_(to) {
  size_t n = to > from ? static_cast<size_t>((to - from) / 3600) : 0;
  v_.assign(factors, std::vector<std::optional<Decimal>>(n));
  seen_.assign(factors, std::vector<bool>(n));
}

Status SeriesWindow::Load(store::Store& store, const std::string& mn, size_t k,
                          const std::string& factor, const std::string& field) {
  auto rows = store.Range(mn, Period::kHour, factor, field, from_, to_);
  if (!rows.ok()) return rows.status();
  for (const Reading& r : *rows) {
    if (r.time < from_ || r.time >= to_) continue;
    size_t i = static_cast<size_t>((r.time - from_) / 3600);
    seen_[k][i] = true;
    auto d = Decimal::Parse(r.value);
    if (!d || !quality::IsValidFlag(r.flag)) {
      ++rejected;
      continue;
    }
    v_[k][i] = *d;
  }
  return Status::Ok();
}

std::optional<Decimal> SeriesWindow::At(size_t k, UnixSeconds h) const {
  if (h < from_ || h >= to_) return std::nullopt;
  return v_[k][static_cast<size_t>((h - from_) / 3600)];
}

std::vector<std::optional<Decimal>> SeriesWindow::Hours(size_t k, UnixSeconds start, int n) const {
  std::vector<std::optional<Decimal>> out(n);
  for (int i = 0; i < n; ++i) out[i] = At(k, start + i * 3600);
  return out;
}

bool SeriesWindow::HasAnyAt(UnixSeconds h) const {
  for (size_t k = 0; k < v_.size(); ++k)
    if (At(k, h)) return true;
  return false;
}

bool SeriesWindow::SeenAnyAt(UnixSeconds h) const {
  if (h < from_ || h >= to_) return false;
  for (const auto& s : seen_)
    if (s[static_cast<size_t>((h - from_) / 3600)]) return true;
  return false;
}

int SeriesWindow::received(size_t k, UnixSeconds from, UnixSeconds to) const {
  int n = 0;
  for (UnixSeconds h = std::max(from, from_); h < std::min(to, to_); h += 3600)
    n += seen_[k][static_cast<size_t>((h - from_) / 3600)];
  return n;
}

}  // namespace ecohub::derive
