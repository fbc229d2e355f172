// ECharts options shared by the public pages and the cockpit, so an AQI bar
// looks the same everywhere. Colours come from the API (`color`), never from
// a palette of ours: HJ 633 fixes them.
import { aqiColor, fmtHour, fmtShortDate } from '../../lib/format.js';
import { factorSymbol, factorUnit } from '../../lib/factors.js';
import { pick, tOr } from '../../lib/i18n.js';

// The six pollutants of HJ 633, in the order the pages show them.
export const POLLUTANTS = ['PM2.5', 'PM10', 'O3', 'NO2', 'SO2', 'CO'];

// A pollutant of an AQI body as printed: 'PM2.5' -> 'PM₂.₅'; ozone comes with its
// averaging time ('O3_8h' -> 'O₃ 8小时').
export function pollutantLabel(p) {
  const [symbol, avg] = String(p).split('_');
  return avg ? `${factorSymbol(symbol)} ${tOr(`aqi.avg.${avg}`, avg)}` : factorSymbol(symbol);
}

// A row's primary pollutants in the current language ('PM₂.₅、O₃'), or ''.
export function primaryText(row, sep = '、') {
  return (row?.primary || []).map(pollutantLabel).join(sep);
}

// A row's concentration of pollutant `p`. Daily rows carry ozone as its
// 8-hour maximum (HJ 633 daily AQI uses O3_8h), hourly rows as the 1-h value.
export function concOf(row, p) {
  const c = row?.conc || {};
  if (p === 'O3') return c.O3 ?? (row.mode === 'daily' ? c.O3_8h : undefined) ?? c.O3_1h ?? null;
  return c[p] ?? null;
}

// The sub-index of pollutant `p` in a row: *_1h for hours, *_24h for days,
// O3_8h for a day's ozone.
export function iaqiOf(row, p) {
  const i = row?.iaqi || {};
  for (const k of [`${p}_1h`, `${p}_24h`, `${p}_8h`, p]) if (i[k] !== undefined) return i[k];
  return null;
}

const textColor = (dark) => (dark ? '#cfe3ff' : '#66747a');
const lineColor = (dark) => (dark ? 'rgba(120,170,230,0.18)' : '#e8eeec');

// Bars of AQI over time, each bar in its category's colour.
export function aqiBarOption(items, { period = 'hour', dark = false, name = 'AQI', fontSize = 11 } = {}) {
  const label = period === 'hour' ? fmtHour : fmtShortDate;
  return {
    backgroundColor: 'transparent',
    grid: { left: 8, right: 12, top: 28, bottom: 6, containLabel: true },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (ps) => {
        const r = items[ps[0].dataIndex];
        const prim = r.primary?.length ? ` · ${primaryText(r, ' ')}` : '';
        return `${label(r.time)}<br/><b>AQI ${r.aqi ?? '—'}</b> ${pick(r.category ?? '', r.category_en)}${prim}`;
      },
    },
    xAxis: {
      type: 'category',
      data: items.map((r) => label(r.time)),
      axisLabel: { color: textColor(dark), fontSize, hideOverlap: true },
      axisLine: { lineStyle: { color: lineColor(dark) } },
      axisTick: { show: false },
    },
    yAxis: {
      type: 'value',
      name,
      nameTextStyle: { color: textColor(dark), fontSize },
      axisLabel: { color: textColor(dark), fontSize },
      splitLine: { lineStyle: { color: lineColor(dark) } },
    },
    series: [
      {
        type: 'bar',
        barMaxWidth: 22,
        data: items.map((r) => ({
          value: r.aqi,
          itemStyle: { color: r.color || '#c9d1ce', borderRadius: [3, 3, 0, 0] },
        })),
      },
    ],
  };
}

// One pollutant's concentration over time as a line (hours) or bars (days),
// with each point in the colour of its sub-index.
export function concOption(items, p, { period = 'hour', dark = false, color = '#1a7f5a' } = {}) {
  const label = period === 'hour' ? fmtHour : fmtShortDate;
  const unit = factorUnit(p);
  const data = items.map((r) => {
    const v = concOf(r, p);
    return { value: v, itemStyle: { color: aqiColor(iaqiOf(r, p)) } };
  });
  return {
    backgroundColor: 'transparent',
    grid: { left: 8, right: 14, top: 30, bottom: 6, containLabel: true },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v) => (v === null || v === undefined ? '—' : `${v} ${unit}`),
    },
    xAxis: {
      type: 'category',
      data: items.map((r) => label(r.time)),
      axisLabel: { color: textColor(dark), fontSize: 11, hideOverlap: true },
      axisLine: { lineStyle: { color: lineColor(dark) } },
      axisTick: { show: false },
    },
    yAxis: {
      type: 'value',
      name: unit,
      nameTextStyle: { color: textColor(dark), fontSize: 11 },
      axisLabel: { color: textColor(dark), fontSize: 11 },
      splitLine: { lineStyle: { color: lineColor(dark) } },
    },
    series: [
      period === 'hour'
        ? {
            type: 'line',
            name: p,
            data,
            connectNulls: false,
            showSymbol: true,
            symbolSize: 6,
            lineStyle: { color, width: 2 },
            areaStyle: { color, opacity: 0.08 },
          }
        : { type: 'bar', name: p, data, barMaxWidth: 18, itemStyle: { borderRadius: [3, 3, 0, 0] } },
    ],
  };
}
