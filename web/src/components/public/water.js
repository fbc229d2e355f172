// GB 3838-2002 classes as the public pages show them, and a section's daily
// history. The colours mirror the server's WaterClassColor (src/standards/water.h):
// conventional display colours, not part of the standard.
import { api, ApiError } from '../../lib/api.js';
import { beijingDate } from '../../lib/format.js';
import { t } from '../../lib/i18n.js';

export const CLASSES = ['I', 'II', 'III', 'IV', 'V', '劣V'];
export const CLASS_COLORS = {
  I: '#0000FF',
  II: '#0000FF',
  III: '#00FF00',
  IV: '#FFFF00',
  V: '#FFA500',
  劣V: '#FF0000',
};
// Items measured by the automatic stations, in the order of GB 3838 Table 1, as the
// water-class bodies key them (names and units: lib/factors.js).
export const ITEMS = ['pH', 'DO', 'CODMn', 'NH3N', 'TP', 'TN'];

// A class as printed: the codes are Roman numerals in both languages, except
// 劣V ("worse than V"), which has words.
export function classLabel(c) {
  return c === '劣V' ? t('water.worseThanV') : c;
}

// 0 for class I … 5 for 劣V; -1 for unknown.
export function classRank(c) {
  return CLASSES.indexOf(c);
}

// Items whose own class is worse than the section's target class: the ones
// that keep a section from meeting it (shown beside the API's `exceeding`).
export function itemsAboveTarget(row) {
  const target = classRank(row.target_class);
  if (target < 0) return [];
  return Object.entries(row.item_class || {})
    .filter(([, c]) => classRank(c) > target)
    .map(([item]) => item);
}

// One section's daily class rows over the last `days` days, oldest first.
// GET /public/water/history is new; on a server without it (404) the same rows
// come from one /public/water/classes per day.
export async function loadWaterHistory(section, days = 30) {
  const from = beijingDate(Date.now() - days * 86400000);
  try {
    const r = await api.get('/public/water/history', { section, from });
    return r.items || [];
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
  }
  const dates = Array.from({ length: days }, (_, i) => beijingDate(Date.now() - (days - 1 - i) * 86400000));
  const all = await Promise.all(dates.map((date) => api.get('/public/water/classes', { date })));
  return all.flatMap((d) => (d?.items || []).filter((i) => i.scope === `site:${section}`));
}
