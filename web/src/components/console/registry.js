// The registry lists every console page needs to name things (districts, sites,
// enterprises), read once per login and shared (factors: lib/factors.js). Each list is what the
// caller may see: an enterprise account gets its own outlets only.
import { api, getAll } from '../../lib/api.js';
import { session } from '../../lib/session.js';

let cache = { token: null, p: {} };

function once(key, fn) {
  if (cache.token !== session.token) cache = { token: session.token, p: {} };
  if (!cache.p[key]) {
    cache.p[key] = fn();
    cache.p[key].catch(() => delete cache.p[key]); // a failure is retried next time
  }
  return cache.p[key];
}

// Forgets the lists, after a page changed the registry.
export function invalidate() {
  cache = { token: session.token, p: {} };
}

export const districts = () => once('districts', () => api.get('/districts').then((r) => r.items));
export const sites = () => once('sites', () => getAll('/sites'));
export const enterprises = () => once('enterprises', () => getAll('/enterprises'));

// Maps by id and code of a list.
export function byKey(list, key = 'id') {
  return new Map((list || []).map((x) => [x[key], x]));
}
