// Who is logged in. The session lives in localStorage under `ecohub.session` as
// {token, user}, where user is the /api/v1/me object; tests set it directly.
import { reactive, computed } from 'vue';

const KEY = 'ecohub.session';

function load() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) || 'null');
    if (s && typeof s.token === 'string' && s.user && typeof s.user.role === 'string') return s;
  } catch {
    /* a damaged entry is the same as none */
  }
  return { token: '', user: null };
}

export const session = reactive(load());

export function saveSession(token, user) {
  session.token = token;
  session.user = user;
  localStorage.setItem(KEY, JSON.stringify({ token, user }));
}

export function clearSession() {
  session.token = '';
  session.user = null;
  localStorage.removeItem(KEY);
}

export const loggedIn = computed(() => !!session.token && !!session.user);
export const role = computed(() => session.user?.role || 'public');

// What each role may open in the console; the server decides every read anyway,
// this only keeps menus from offering pages that would answer 403.
const PAGES = {
  admin: ['alarms', 'sites', 'query', 'quality', 'catalog', 'users'],
  leader: ['alarms', 'sites', 'query', 'quality', 'catalog'],
  staff: ['alarms', 'sites', 'query', 'quality', 'catalog'],
  inspector: ['alarms', 'sites', 'query', 'quality'],
  partner: ['query', 'catalog'],
  enterprise: ['enterprise', 'alarms', 'query'],
};

export function consolePages(r = role.value) {
  return PAGES[r] || [];
}

// The cockpit reads city-wide figures that only bureau roles may see.
const COCKPIT = ['admin', 'leader', 'staff'];

export function canOpenCockpit(r = role.value) {
  return COCKPIT.includes(r);
}

export function canOpen(page, r = role.value) {
  return consolePages(r).includes(page);
}
