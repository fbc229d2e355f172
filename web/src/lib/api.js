// The one way pages talk to the server: JSON over /api/v1 with the session's
// token. Errors arrive as ApiError carrying the problem+json title and detail.
// A 403 saying the session must first change its password or enrol a second factor
// marks the session restricted and calls the handler set with onRestricted (the
// router's: it opens the account page).
import { session, clearSession, restrict } from './session.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ? `${problem.title}: ${problem.detail}` : problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    // The problem type's last segment ('otp-required', 'bad-code'...), what pages match on.
    this.kind = String(this.problem.type || '').split('/').pop();
  }
}

const RESTRICTIONS = { 'password-change-required': 'password', 'second-factor-required': 'totp' };
let restrictedHandler = () => {};

export function onRestricted(fn) {
  restrictedHandler = fn;
}

function headers(extra) {
  const h = { Accept: 'application/json', ...extra };
  if (session.token) h.Authorization = `Bearer ${session.token}`;
  return h;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// Requests on their way, so that logging out can cancel them: one answered after the
// token is revoked would otherwise come back 401 and end the session a second time.
const inFlight = new Set();

export function cancelPending() {
  for (const r of inFlight) r.abort();
  inFlight.clear();
}

// `raw` sends bytes (a File or Blob) as they are, as `rawType`; `answers`
// lists statuses besides 2xx whose body is an answer rather than an error.
// A request cancelled by cancelPending never settles: the page that asked is leaving.
async function request(method, path, { params, body, raw, rawType, answers = [] } = {}) {
  const control = new AbortController();
  const init = { method, signal: control.signal, headers: headers(body ? { 'Content-Type': 'application/json' } : raw ? { 'Content-Type': rawType } : {}) };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (raw !== undefined) init.body = raw;
  const sentWith = session.token;
  inFlight.add(control);
  try {
    const res = await fetch(`/api/v1${path}${query(params)}`, init);
    if (res.status === 204) return settle(204, null, answers, sentWith);
    const type = res.headers.get('Content-Type') || '';
    const data = type.includes('json') ? await res.json() : await res.text();
    return settle(res.status, data, answers, sentWith);
  } catch (e) {
    if (control.signal.aborted) return new Promise(() => {});
    throw e;
  } finally {
    inFlight.delete(control);
  }
}

// What an answer means to the page: its body, or an ApiError thrown; a 401 ends the
// session, a 403 "change your password first" restricts it.
// A 401 for a token the session no longer holds (logged out, or in again as someone
// else meanwhile) leaves the session alone.
function settle(status, data, answers, sentWith = session.token) {
  if (status === 401 && session.token && session.token === sentWith) {
    // The token expired or was revoked: start again at the login page.
    clearSession();
    if (!location.pathname.startsWith('/login')) location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
  }
  if ((status >= 200 && status < 300) || answers.includes(status)) return data;
  const err = new ApiError(status, typeof data === 'object' && data ? data : { title: data });
  // A 409 second-factor-required (disabling a required factor) is an answer, not a restriction.
  if (status === 403 && RESTRICTIONS[err.kind] && session.token) {
    restrict(RESTRICTIONS[err.kind]);
    restrictedHandler(RESTRICTIONS[err.kind]);
  }
  throw err;
}

export const api = {
  get: (path, params) => request('GET', path, { params }),
  post: (path, body) => request('POST', path, { body: body ?? {} }),
  patch: (path, body) => request('PATCH', path, { body }),
  put: (path, body) => request('PUT', path, { body }),
  del: (path) => request('DELETE', path),
};

// A file's bytes POSTed as they are (an upload) as `type`, with query `params`; a
// status in `answers` (e.g. 422, a validation report) resolves with its body like a 2xx.
// With `onProgress` the bytes go through XMLHttpRequest, the one browser API that
// reports an upload's progress (fetch does not): onProgress(sent, total) as they
// leave, then onProgress(total, total) once all are sent and the server is working.
export function upload(path, params, file, { type = file.type || 'application/octet-stream', answers = [], onProgress } = {}) {
  if (!onProgress) return request('POST', path, { params, raw: file, rawType: type, answers });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    inFlight.add(xhr);
    xhr.onloadend = () => inFlight.delete(xhr);
    xhr.open('POST', `/api/v1${path}${query(params)}`);
    for (const [k, v] of Object.entries(headers({ 'Content-Type': type }))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.upload.onload = () => onProgress(file.size, file.size);
    xhr.onerror = () => reject(new ApiError(0, { title: 'Network error' }));
    xhr.onload = () => {
      let data = xhr.status === 204 ? null : xhr.responseText;
      if (data && (xhr.getResponseHeader('Content-Type') || '').includes('json')) {
        try {
          data = JSON.parse(data);
        } catch {
          /* kept as text */
        }
      }
      try {
        resolve(settle(xhr.status, data, answers));
      } catch (e) {
        reject(e);
      }
    };
    xhr.send(file);
  });
}

// Every page of a cursor-paged list, up to `max` rows.
export async function getAll(path, params = {}, max = 5000) {
  const items = [];
  let cursor;
  do {
    const page = await api.get(path, { ...params, limit: 1000, cursor });
    items.push(...(page.items || []));
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

// The bytes at `url` (a path under /api/v1 as the server gives it) fetched with the
// session's token, as a Blob: what an <img src> cannot do for a protected picture.
export async function getBlob(url) {
  const res = await fetch(url, { headers: headers({ Accept: '*/*' }) });
  if (!res.ok) {
    let problem = {};
    try {
      problem = await res.json();
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, problem);
  }
  return res.blob();
}

// A download of an exportable list (format=csv|xlsx) with the session's rights:
// fetched with the token, then handed to the browser as a file.
export async function download(path, params, filename) {
  const res = await fetch(`/api/v1${path}${query(params)}`, { headers: headers() });
  if (!res.ok) {
    let problem = {};
    try {
      problem = await res.json();
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, problem);
  }
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// Requests started before the page that needs them has loaded (main.js starts the
// home page's city AQI with the application), taken once by that page.
const early = new Map();

export function startEarly(path) {
  const p = api.get(path);
  p.catch(() => {}); // the page that takes it sees the error; nobody else should
  early.set(path, p);
}

export function takeEarly(path) {
  const p = early.get(path);
  early.delete(path);
  return p;
}
