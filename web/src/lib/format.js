// Numbers and times as people read them. Every time is shown in Beijing time
// (UTC+8, no DST) whatever the browser's zone, as the API's *_text fields are.

const BEIJING = 8 * 3600 * 1000;

// A Date, UTC seconds or an RFC 3339 string -> milliseconds since the epoch.
export function toMillis(t) {
  if (t === null || t === undefined || t === '') return NaN;
  if (typeof t === 'number') return t < 1e11 ? t * 1000 : t;
  if (t instanceof Date) return t.getTime();
  return Date.parse(t);
}

function parts(t) {
  const d = new Date(toMillis(t) + BEIJING);
  const p = (n) => String(n).padStart(2, '0');
  return {
    y: d.getUTCFullYear(),
    mo: p(d.getUTCMonth() + 1),
    d: p(d.getUTCDate()),
    h: p(d.getUTCHours()),
    mi: p(d.getUTCMinutes()),
    s: p(d.getUTCSeconds()),
  };
}

export function fmtDateTime(t) {
  if (Number.isNaN(toMillis(t))) return '—';
  const x = parts(t);
  return `${x.y}-${x.mo}-${x.d} ${x.h}:${x.mi}`;
}

// To the second, for records where the order within a minute matters (the audit log).
export function fmtDateTimeSec(t) {
  if (Number.isNaN(toMillis(t))) return '—';
  const x = parts(t);
  return `${x.y}-${x.mo}-${x.d} ${x.h}:${x.mi}:${x.s}`;
}

export function fmtDate(t) {
  if (Number.isNaN(toMillis(t))) return '—';
  const x = parts(t);
  return `${x.y}-${x.mo}-${x.d}`;
}

export function fmtHour(t) {
  if (Number.isNaN(toMillis(t))) return '—';
  const x = parts(t);
  return `${x.mo}-${x.d} ${x.h}:00`;
}

export function fmtShortDate(t) {
  if (Number.isNaN(toMillis(t))) return '—';
  const x = parts(t);
  return `${x.mo}-${x.d}`;
}

// The Beijing date of `t` as YYYY-MM-DD, for query parameters.
export function beijingDate(t = Date.now()) {
  return fmtDate(t);
}

// Up to three decimals, thousands grouped with commas: what zh-CN and en-US both
// write. Done by hand because the first Intl.NumberFormat of a page costs ~120 ms
// (ICU's locale data) on the home page's critical path.
function grouped(n) {
  const [int, frac] = String(Math.round(n * 1000) / 1000).split('.');
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac ? `.${frac}` : '');
}

export function fmtNum(v, digits) {
  if (v === null || v === undefined || v === '' || Number.isNaN(Number(v))) return '—';
  const n = Number(v);
  if (digits === undefined) return grouped(n);
  return n.toFixed(digits);
}

export function fmtPct(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return '—';
  return `${(Number(v) * 100).toFixed(digits)}%`;
}

// A unit as printed in permits and by the server ('mg/m3', 'm3/s') with its
// superscript, so every page writes mg/m³ the same way.
export function fmtUnit(u) {
  return String(u || '').replace(/m3\b/g, 'm³');
}

// 'HJ633-2026' -> 'HJ 633-2026', the edition of the AQI regulation as printed.
export function fmtEdition(e) {
  return String(e || '').replace(/^HJ\s?633/, 'HJ 633');
}

// A value's share of its limit as a colour class: above the limit is bad, and
// above 80 % is worth a look before it becomes a violation.
export function limitLevel(ratio) {
  if (ratio === null || ratio === undefined) return '';
  return ratio > 1 ? 'bad' : ratio > 0.8 ? 'warn' : 'ok';
}

// Text colour that reads on an AQI or water-class background colour.
export function inkOn(bg) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(bg || '');
  if (!m) return '#fff';
  const [r, g, b] = m.slice(1).map((h) => parseInt(h, 16));
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#1d1d1f' : '#fff';
}

// HJ 633-2012 Table 2: the colour of an (I)AQI value's category. The API sends
// `color` with every AQI it computes; this is for sub-indices (IAQI), which come
// without one.
const AQI_BANDS = [
  [50, '#00E400'],
  [100, '#FFFF00'],
  [150, '#FF7E00'],
  [200, '#FF0000'],
  [300, '#99004C'],
  [Infinity, '#7E0023'],
];
export function aqiColor(aqi) {
  if (aqi === null || aqi === undefined || Number.isNaN(Number(aqi))) return '#c9d1ce';
  return AQI_BANDS.find(([top]) => Number(aqi) <= top)[1];
}

// UTC seconds `hours` hours before `t`, for the `from=` parameters of the API.
export function secondsAgo(hours, t = Date.now()) {
  return Math.floor(t / 1000) - Math.round(hours * 3600);
}

// A Beijing date YYYY-MM-DD moved by `days` (calendar days; Beijing has no DST).
export function shiftDate(date, days) {
  const ms = Date.parse(`${date}T00:00:00+08:00`) + days * 86400000;
  return beijingDate(ms);
}
