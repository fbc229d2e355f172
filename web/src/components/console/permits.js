// What the permit pages (排污许可证: PermitList, PermitDialog, PermitDetail, PermitUsage)
// share: the status words, the dialog's form and the request body made from it, the
// factors an outlet may be limited on, and the server's refusals in words. The API and
// its rules are the server's (docs/permits.md): a permit is written whole by POST
// /permits (its number is its key), and every check is made there; the form only
// shapes what is sent, and shows what comes back.
import { t } from '../../lib/i18n.js';
import { allFactors } from '../../lib/factors.js';
import { beijingDate } from '../../lib/format.js';

// `status` in the answers: the stored state (valid, revoked) seen at the time of the
// request, so a valid permit is also pending before valid_from and expired after valid_to.
export const STATUSES = ['valid', 'pending', 'expired', 'revoked'];
const TONES = { valid: 'ok', pending: 'warn', expired: '', revoked: 'bad' };

export function statusWords(status) {
  return { text: t(`con.permit.status.${status}`), tone: TONES[status] ?? '' };
}

export const isOutlet = (site) => String(site?.kind || '').startsWith('outlet');

// The medium of an outlet site, as the factor table names it.
export const mediumOf = (site) => (site?.kind === 'outlet_water' ? 'water' : 'air');

// The flow factors are what a mass is computed with, never limited themselves.
const FLOW = ['a00000', 'w00000'];

/**
 * The factors a permit may set at outlets of `medium` ('air' | 'water'): those the
 * server's table gives an outlet range, without the flows; `keep` (codes already in the
 * permit) stay listed whatever they are. [] until the table has loaded.
 */
export function factorsOf(medium, keep = []) {
  const have = new Set(keep.filter(Boolean));
  return allFactors().filter((f) => f.medium === medium && ((f.outlet_range && !FLOW.includes(f.code)) || have.has(f.code)));
}

const copyRows = (rows, keys) => (rows || []).map((r) => Object.fromEntries(keys.map((k) => [k, r[k] ?? ''])));
const LIMIT_KEYS = ['factor', 'value', 'lower', 'unit', 'standard'];
const QUANTITY_KEYS = ['factor', 'tonnes_per_year'];

export const emptyLimit = () => Object.fromEntries(LIMIT_KEYS.map((k) => [k, '']));
export const emptyQuantity = () => Object.fromEntries(QUANTITY_KEYS.map((k) => [k, '']));

/** The dialog's form for `permit` (a copy), or a new one from today for five years. */
export function formOf(permit) {
  if (permit) {
    return {
      number: permit.number,
      enterprise_id: permit.enterprise_id,
      valid_from: permit.valid_from,
      valid_to: permit.valid_to,
      issuer: permit.issuer || '',
      state: permit.state || 'valid',
      outlets: (permit.outlets || []).map((o) => ({ site_id: o.site_id, limits: copyRows(o.limits, LIMIT_KEYS) })),
      quantities: copyRows(permit.quantities, QUANTITY_KEYS),
    };
  }
  const today = beijingDate();
  const [y, m, d] = today.split('-');
  return {
    number: '',
    enterprise_id: '',
    valid_from: today,
    // 排污许可管理条例 (2021) 第十四条: a permit is valid for five years, to the day before.
    valid_to: beijingDate(Date.parse(`${Number(y) + 5}-${m}-${d}T00:00:00+08:00`) - 86400000),
    issuer: '',
    state: 'valid',
    outlets: [],
    quantities: [],
  };
}

const blank = (v) => v === '' || v === null || v === undefined;
// A number typed as a number; text that is no number goes as it is, for the server to name.
const num = (v) => (blank(v) || Number.isNaN(Number(v)) ? v : Number(v));
const filled = (row) => Object.values(row).some((v) => !blank(v) && String(v).trim() !== '');

/**
 * The POST /permits body of a form: text trimmed, numbers as numbers, an empty lower
 * bound left out, rows left wholly empty dropped (a half-filled row goes, for the
 * server to say what it lacks).
 */
export function bodyOf(form) {
  return {
    number: String(form.number).trim(),
    enterprise_id: num(form.enterprise_id),
    valid_from: form.valid_from,
    valid_to: form.valid_to,
    issuer: String(form.issuer || '').trim(),
    state: form.state,
    outlets: form.outlets.map((o) => ({
      site_id: o.site_id,
      limits: o.limits.filter(filled).map((l) => {
        const limit = { factor: l.factor, value: num(l.value), unit: String(l.unit).trim(), standard: String(l.standard).trim() };
        if (!blank(l.lower)) limit.lower = num(l.lower);
        return limit;
      }),
    })),
    quantities: form.quantities.filter(filled).map((q) => ({ factor: q.factor, tonnes_per_year: num(q.tonnes_per_year) })),
  };
}

// --- a refusal in words --------------------------------------------------------------

// The server names a bad field by its path ("outlets[0].limits[1].value") and says why
// in English (src/api/permit_routes.cc). The reasons it gives, in the page's words.
const REASONS = [
  [/^must not be before valid_from$/, 'beforeFrom'],
  [/^must be a date YYYY-MM-DD$/, 'date'],
  [/^must be > 0$/, 'positive'],
  [/^must be ≥ 0 and below value$/, 'lower'],
  [/^must name at least one outlet$/, 'noOutlet'],
  [/^is not an outlet of enterprise/, 'notOutlet'],
  [/^is named twice$/, 'twice'],
  [/^is limited twice at this outlet$/, 'twice'],
  [/^is a factor of \w+, not of this outlet$/, 'medium'],
  [/^is not a known HJ 212 code/, 'unknownFactor'],
  [/^must be 1-64 bytes/, 'numberForm'],
  [/^names no enterprise/, 'noEnterprise'],
  [/^is required$/, 'required'],
  [/^must be (a string|a number|an integer|an array|an object)$/, 'type'],
  [/must be at most/, 'tooLong'],
];

// 'outlets[0].limits[1].value' -> '排放口 1 · 许可浓度 2 · 限值'.
function fieldWords(path) {
  return path
    .split('.')
    .map((part) => {
      const m = /^(\w+)(?:\[(\d+)\])?$/.exec(part);
      if (!m) return part;
      const name = t(`con.permit.field.${m[1]}`);
      return m[2] === undefined ? name : `${name} ${Number(m[2]) + 1}`;
    })
    .join(' · ');
}

/**
 * A refusal (an ApiError) as {text, server}: `text` says in the page's language what
 * is wrong and where, `server` is the server's own title and detail as it sent them.
 */
export function refusal(e) {
  const p = e?.problem || {};
  const server = p.detail ? `${p.title || ''}${p.title ? ': ' : ''}${p.detail}` : p.title || e?.message || '';
  const field = p.detail && /^([\w.[\]]+) (.+)$/.exec(p.detail);
  if (e?.status === 400 && field) {
    const reason = REASONS.find(([re]) => re.test(field[2]));
    if (reason) return { text: `${fieldWords(field[1])}：${t(`con.permit.why.${reason[1]}`)}`, server };
  }
  const general = { 400: 'bad', 403: 'forbidden', 404: 'missing', 409: 'conflict' }[e?.status] || (e?.status >= 500 ? 'server' : 'network');
  return { text: t(`con.permit.why.${general}`), server };
}
