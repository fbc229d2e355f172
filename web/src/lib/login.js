// What every way of logging in shares: the password form (Login.vue) and the return
// from the city's identity provider (LoginOidc.vue) both end with the same answer of the
// server ({token, user, must_change_password, must_enroll_second_factor}), kept here
// the same way; and the OpenID Connect round trip's start and the words for its errors.
import { api, ApiError } from './api.js';
import { saveSession, session, clearSession, restriction } from './session.js';
import { t } from './i18n.js';

// Only paths of this site are followed, so a crafted ?next= cannot send the user away;
// anything else (and the login pages themselves) lands on the console's first page.
export function safeNext(n) {
  return typeof n === 'string' && n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/login') ? n : '/console';
}

/**
 * Keeps the session of a successful login answer `r`, reads /me (the grants and
 * department the menus depend on; it answers in a restricted session too), then opens
 * the account page when the session must first change its password or enrol a second
 * factor, else `next`. A failure leaves no half session behind and is thrown.
 */
export async function finishLogin(r, router, next) {
  const flags = { must_change_password: !!r.must_change_password, must_enroll_second_factor: !!r.must_enroll_second_factor };
  try {
    saveSession(r.token, { ...r.user, ...flags });
    const me = await api.get('/me');
    saveSession(r.token, { ...flags, ...me });
  } catch (e) {
    if (session.token) clearSession();
    throw e;
  }
  // /console sends each role to its first page (an enterprise to its own view).
  if (restriction.value) await router.replace({ name: 'account', query: { must: restriction.value } });
  else await router.replace(safeNext(next));
}

// The round trip through the identity provider keeps, in this tab only, the `state`
// the server gave (the return must bring the same one back) and where to go after.
const STATE_KEY = 'ecohub.oidc.state';
const NEXT_KEY = 'ecohub.oidc.next';

/** The login methods the server offers ({password, oidc: {name} | null}); null when it cannot say. */
export async function loginMethods() {
  try {
    return await api.get('/auth/methods');
  } catch {
    return null; // a server before OpenID Connect: the password form alone
  }
}

/** Asks the server for the provider's address, remembers the state, and goes there. */
export async function startOidc(next) {
  const r = await api.post('/auth/oidc/start', { next });
  sessionStorage.setItem(STATE_KEY, r.state);
  sessionStorage.setItem(NEXT_KEY, next);
  location.assign(r.authorization_url);
}

/** The state and next remembered by startOidc, forgotten as they are read (one use). */
export function takeOidcState() {
  const kept = { state: sessionStorage.getItem(STATE_KEY) || '', next: sessionStorage.getItem(NEXT_KEY) || '' };
  sessionStorage.removeItem(STATE_KEY);
  sessionStorage.removeItem(NEXT_KEY);
  return kept;
}

/** What to tell the user when the OpenID Connect start or return failed. */
export function oidcMessage(e) {
  if (!(e instanceof ApiError)) return t('login.network');
  if (e.kind === 'oidc-off') return t('login.oidc.off');
  if (e.kind === 'oidc-unavailable') return t('login.oidc.unavailable');
  if (e.kind === 'oidc-state') return t('login.oidc.expired');
  if (e.kind === 'oidc-refused') return t('login.oidc.refused');
  if (e.status === 401) return t('login.oidc.disabled');
  if (e.status === 503) return t('login.busy');
  return e.message;
}
