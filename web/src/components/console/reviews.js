// What the review page (数据审核, docs/data-review.md) needs besides its components: the
// actions and reasons the server knows, the HJ 212 flags in words, a day's hours as
// the API's RFC 3339 times, and a selection of hours cut into contiguous spans (one
// review each, over [first hour, last hour + 1 h)).
import { shiftDate } from '../../lib/format.js';

export const ACTIONS = ['confirm', 'invalidate', 'correct'];
// The reasons of an invalidation, each with the HJ 212 flag the server gives the value.
export const REASONS = ['calibration', 'maintenance', 'fault', 'power', 'stopped', 'event', 'other'];
export const REASON_FLAG = { calibration: 'C', maintenance: 'M', fault: 'D', power: 'P', stopped: 'F', event: 'I', other: 'I' };
// Flags with words (con.rev.flag.X); any other shows as the server sent it.
export const FLAGS = ['N', 'C', 'M', 'D', 'P', 'F', 'I', 'T', 'B', 'S', 'H'];
export const STATUSES = ['applied', 'pending', 'refused'];

// Who may review, approve and refuse (the server decides each request anyway), and who
// may close a day: administrators and city-level staff (a district's staff get 403).
export const canReview = (role) => role === 'admin' || role === 'staff';
export const canCloseDay = (user) => user?.role === 'admin' || (user?.role === 'staff' && !user?.district_id);

/** A value counts in evaluations only with flag N (or none); every other flag is greyed. */
export const valid = (flag) => !flag || flag === 'N';

const pad = (n) => String(n).padStart(2, '0');

/** Hour `h` (0..24) of the Beijing day `day` (YYYY-MM-DD) as RFC 3339 with +08:00. */
export function hourTime(day, h) {
  if (h >= 24) return `${shiftDate(day, Math.floor(h / 24))}T${pad(h % 24)}:00:00+08:00`;
  return `${day}T${pad(h)}:00:00+08:00`;
}

/** The Beijing hour (0..23) of an RFC 3339 time. */
export function beijingHour(t) {
  return new Date(Date.parse(t) + 8 * 3600 * 1000).getUTCHours();
}

/** Sorted hours [3, 4, 5, 9] -> [[3, 5], [9, 9]]: the contiguous runs, first and last hour. */
export function runs(hours) {
  const out = [];
  for (const h of [...hours].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && h === last[1] + 1) last[1] = h;
    else out.push([h, h]);
  }
  return out;
}

/** The review bodies of a selection: one per contiguous run. */
export function reviewBodies({ action, site, factor, day, hours, value, reason, comment }) {
  return runs(hours).map(([a, b]) => ({
    action, site, factor, period: 'hour',
    from: hourTime(day, a), to: hourTime(day, b + 1),
    ...(action === 'correct' ? { value: String(value).trim() } : {}),
    ...(action === 'invalidate' ? { reason } : {}),
    comment,
  }));
}

/** 'HH:00–HH:00' of a run, as the page names a span. */
export function runLabel([a, b]) {
  return `${pad(a)}:00–${pad(b + 1)}:00`;
}
