// What the complaint pages (public and console) share: statuses and their colours,
// the tracking code as people type it, and the server's refusals in the reader's words.
// The API: the complaints contract of issue 16 (routes under /public/complaints and /complaints).
import { computed, ref, watch } from 'vue';
import { lang, t, tOr } from './i18n.js';

export const STATUSES = ['submitted', 'accepted', 'dispatched', 'replied', 'closed', 'rejected', 'merged'];
export const CATEGORIES = ['air', 'water', 'noise', 'solid_waste', 'radiation', 'ecology', 'other'];

// The road a report takes when nothing goes wrong; rejected and merged end it early.
export const STEPS = ['submitted', 'accepted', 'dispatched', 'replied', 'closed'];

// Still waiting for the bureau (the server's "open": what may be merged, or merged into).
export const OPEN = ['submitted', 'accepted', 'dispatched'];

// Which actions a status allows (the server's transitions, so that only valid buttons show).
export const ACTIONS = {
  submitted: ['accept', 'reject', 'dispatch'],
  accepted: ['dispatch', 'reply', 'reject'],
  dispatched: ['reply', 'dispatch'],
  replied: ['close'],
};

// Who may act on a report (leaders read only); the server decides anyway.
export function canHandle(role) {
  return role === 'admin' || role === 'staff';
}

export function statusName(s, fromServer) {
  return tOr(`cmp.status.${s}`, fromServer || s);
}

export function categoryName(c, fromServer) {
  return tOr(`cmp.cat.${c}`, fromServer || c);
}

// A time line event's name: the server's (Chinese), or its English by the step's code.
export function eventName(e) {
  if (lang.value === 'zh') return e.event_name || tOr(`cmp.event.${e.event}`, e.event);
  return tOr(`cmp.event.${e.event}`, e.event_name || e.event);
}

// A code as typed (lower case, spaces, dashes) as the server keeps it.
export function normalizeCode(s) {
  return String(s || '')
    .toUpperCase()
    .replace(/[\s-]+/g, '');
}

// "7KQ2-M9XD-4HWT": a 12-character code in fours, easier to read out on the phone.
export function groupCode(code) {
  const c = normalizeCode(code);
  return c.length === 12 ? `${c.slice(0, 4)}-${c.slice(4, 8)}-${c.slice(8)}` : c;
}

// Beijing wall time now as a datetime-local value (YYYY-MM-DDTHH:MM).
export function beijingLocalNow(ms = Date.now()) {
  return new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 16);
}

// The form's field names as the server's details name them, in the reader's words.
const FIELDS = {
  category: 'cmp.category',
  description: 'cmp.description',
  lon: 'cmp.location',
  lat: 'cmp.location',
  address: 'cmp.address',
  observed_at: 'cmp.observed',
  phone: 'cmp.phone',
  score: 'cmp.rateTitle',
  comment: 'cmp.rateComment',
  reason: 'cmp.reopenReason',
};

// An ApiError of the public routes as one line for the reader: the field the server
// named (its detail after it, as given), a rate limit, or a generic failure.
export function explain(e) {
  if (!e) return '';
  if (e.status === 429) return t('cmp.err.rate');
  if (!e.status) return t('cmp.err.network');
  const detail = e.problem?.detail || e.problem?.title || '';
  if (e.status === 400) {
    const named = Object.keys(FIELDS).find((f) => new RegExp(`\\b${f}\\b`).test(detail));
    const key = named && FIELDS[named];
    if (key) return `${t('cmp.err.field', { field: t(key) })}：${detail}`;
    return detail ? `${t('cmp.err.server')}：${detail}` : t('cmp.err.server');
  }
  return detail ? `${t('cmp.err.server')}：${detail}` : t('cmp.err.server');
}

// The place of a complaint form picked on the map: `form` holds lon and lat (null when
// none); `label` names the marker. Degrees keep six decimals (about 0.1 m).
export function usePlacePick(form, label, onPicked = () => {}) {
  const showMap = ref(false);
  const located = computed(() => form.lon !== null && form.lat !== null);
  const picked = computed(() =>
    located.value ? [{ code: 'here', name: label(), lon: form.lon, lat: form.lat, color: '#c62828', label: '' }] : [],
  );
  function setPlace(lon, lat) {
    form.lon = Math.round(lon * 1e6) / 1e6;
    form.lat = Math.round(lat * 1e6) / 1e6;
  }
  function onPick([lon, lat]) {
    setPlace(lon, lat);
    onPicked();
  }
  function clearLocation() {
    form.lon = null;
    form.lat = null;
  }
  return { showMap, located, picked, setPlace, onPick, clearLocation };
}

// A form kept as a draft in `storage` under `key` while something is typed in it:
// `read(saved)` turns what was saved (any JSON, perhaps damaged or foreign) back into
// the form's fields, `empty(form)` says there is nothing worth keeping. The form
// itself is the caller's reactive object, filled from the draft first.
export function useDraft(storage, key, form, read, empty) {
  let saved = null;
  try {
    saved = JSON.parse(storage.getItem(key) || 'null');
  } catch {
    saved = null;
  }
  if (saved && typeof saved === 'object') Object.assign(form, read(saved));
  const hasDraft = ref(!empty(form));
  watch(
    form,
    (f) => {
      if (empty(f)) storage.removeItem(key);
      else storage.setItem(key, JSON.stringify(f));
      hasDraft.value = !empty(f);
    },
    { deep: true },
  );
  return { hasDraft, forget: () => storage.removeItem(key) };
}
