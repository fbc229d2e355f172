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

// What the session must do before anything else (the server answers 403 to every
// other route meanwhile): 'password' (change it: a new or reset account, or an
// expired password), 'totp' (enrol a second factor), or '' when nothing.
export const restriction = computed(() => {
  if (session.user?.must_change_password) return 'password';
  if (session.user?.must_enroll_second_factor) return 'totp';
  return '';
});

// Records what the server said the session must do (a 403 on any request), so that
// the menus step aside and the router sends the user to the account page.
export function restrict(kind) {
  if (!session.user) return;
  const user = { ...session.user };
  if (kind === 'password') user.must_change_password = true;
  if (kind === 'totp') user.must_enroll_second_factor = true;
  saveSession(session.token, user);
}

// What each role may open in the console; the server decides every read anyway,
// this only keeps menus from offering pages that would answer 403. The first page is
// where a login lands. The three administrators (三员分立): the system administrator
// keeps users and audit because the UI cannot know whether the server separates the
// duties (then those pages show 无权限); the audit administrator reads users too, with
// no buttons. Complaints (投诉处理) and random inspections (双随机抽查) are the bureau's:
// staff handle them, leaders read. The enterprise codes (环保码) follow the alarms they
// are computed from: the bureau and inspectors (their district) read them; an
// enterprise sees its own on its page. Grid tasks (网格任务) are an inspector's first page.
// Enforcement cases (执法检查) are the bureau's like complaints; an enterprise reads its own.
// Every logged-in user also has the account page (not in the menu). The notification
// inbox (消息, last: never a first page) is the bell in the header rather than a menu
// entry; the security and audit administrators handle no alarms, so they have none.
const PAGES = {
  admin: ['alarms', 'codes', 'complaints', 'tasks', 'draws', 'cases', 'sites', 'registry', 'imports', 'review', 'declarations', 'samples', 'query', 'quality', 'catalog', 'users', 'audit', 'inbox'],
  security_admin: ['users'],
  audit_admin: ['audit', 'users'],
  leader: ['alarms', 'codes', 'complaints', 'tasks', 'draws', 'cases', 'declarations', 'samples', 'sites', 'query', 'quality', 'catalog', 'audit', 'inbox'],
  staff: ['alarms', 'codes', 'complaints', 'tasks', 'draws', 'cases', 'sites', 'registry', 'imports', 'review', 'declarations', 'samples', 'query', 'quality', 'catalog', 'inbox'],
  inspector: ['tasks', 'alarms', 'codes', 'declarations', 'sites', 'query', 'quality', 'inbox'],
  partner: ['query', 'catalog', 'inbox'],
  enterprise: ['enterprise', 'alarms', 'declarations', 'cases', 'query', 'inbox'],
};

// The pages the menu lists: the inbox is reached by the bell (ConsoleLayout.vue).
export function menuPages(r = role.value) {
  return consolePages(r).filter((p) => p !== 'inbox');
}

// A restricted session has no pages but its account page.
export function consolePages(r = role.value) {
  return restriction.value ? [] : PAGES[r] || [];
}

// Who may change accounts on the users page (the audit administrator only reads it).
const MANAGE_USERS = ['admin', 'security_admin'];

export function canManageUsers(r = role.value) {
  return MANAGE_USERS.includes(r);
}

// The cockpit reads city-wide figures that only bureau roles may see.
const COCKPIT = ['admin', 'leader', 'staff'];

export function canOpenCockpit(r = role.value) {
  return COCKPIT.includes(r);
}

export function canOpen(page, r = role.value) {
  return page === 'account' || consolePages(r).includes(page);
}
