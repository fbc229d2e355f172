// The city this EcoHub serves, from GET /api/v1/public/city: {name, code,
// center: [lon, lat] | null, bbox: [west, south, east, north] | null, targets:
// {pm25_annual, good_days_percent, water_percent} (each a number or null)}. Asked for once
// per visit and shared by every page, so nothing about a particular city is compiled
// into the pages. A city never set up (404 no-city) is null: the pages then show no
// name rather than failing.
import { ref } from 'vue';
import { api } from './api.js';

/** The city once it is known; null before, and for a city never set up. */
export const city = ref(null);

let load;

/** Resolves to the city (or null, see above). A failure is not remembered: the next call asks again.
 *  `fresh` asks again anyway (after an administrator changed the city's targets). */
export function loadCity({ fresh = false } = {}) {
  if (!load || fresh) {
    load = api.get('/public/city').then(
      (c) => (city.value = c),
      (e) => {
        if (e.status === 404) return null;
        load = undefined;
        throw e;
      },
    );
  }
  return load;
}
