// The city's public stations and river sections with names and positions, loaded
// once per page load and shared by every public page (and the cockpit).
//
// GET /api/v1/public/stations is new; against a server without it (404) we fall
// back to the logged-in /sites and /districts when there is a session, and
// otherwise to no positions at all (pages then show codes, and maps stay empty).
import { api, ApiError } from '../../lib/api.js';
import { session } from '../../lib/session.js';

let cached;

async function fetchStations() {
  try {
    return await api.get('/public/stations');
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
  }
  if (!session.token) return { districts: [], items: [] };
  const [sites, districts] = await Promise.all([api.get('/sites'), api.get('/districts')]);
  const codeOf = Object.fromEntries(districts.items.map((d) => [d.id, d.code]));
  return {
    districts: districts.items,
    items: sites.items
      .filter((s) => s.kind === 'air' || s.kind === 'water')
      .map((s) => ({ ...s, district: codeOf[s.district_id] })),
  };
}

// -> {districts, items, byCode: {code: station}, districtName: {code: name}}
export function loadStations() {
  if (!cached)
    cached = fetchStations().then((d) => ({
      ...d,
      byCode: Object.fromEntries(d.items.map((s) => [s.code, s])),
      districtName: Object.fromEntries(d.districts.map((x) => [x.code, x.name])),
    }));
  // A failure is not remembered: the next page (or a retry) asks again.
  cached.catch(() => (cached = undefined));
  return cached;
}

// 'site:AIR-Dongsi' -> 'AIR-Dongsi'
export function scopeCode(scope) {
  return String(scope || '').replace(/^(site|district):/, '');
}
