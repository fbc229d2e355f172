// The monitoring factors as the server knows them: GET /api/v1/factors (no login;
// the table is src/core/factors.cc), fetched once per page load on the first use and
// shared by every page. The web keeps no factor facts of its own, only how to show them.
//
// A factor is found by its HJ 212 code ('a34004') or by its symbol ('PM2.5', 'NH3N'),
// which is how the AQI and water-class bodies key their pollutants and items. The
// symbol is the formula in the API's short `name` ('PM2.5', '氨氮 NH3-N' -> 'NH3-N');
// a hyphen is ignored when matching, so the water body's 'NH3N' finds 'NH3-N'.
//
// Every function is reactive: in a template or a computed it returns the key itself
// (or '' for a unit) until the table has arrived, then the name, and follows the
// language switch. A failed fetch leaves the keys showing and is tried again on a
// later use (the failed request is the visible error).
import { shallowRef } from 'vue';
import { api } from './api.js';
import { lang } from './i18n.js';

const table = shallowRef(null); // {items, byKey: Map(code or symbol -> factor)}
let pending = null;

const matchKey = (s) => String(s).replaceAll('-', '');

// '高锰酸盐指数 CODMn' -> 'CODMn'; null when the name has no formula ('烟气温度').
function symbolOf(name) {
  return String(name || '').split(' ').find((w) => /^[A-Za-z][A-Za-z0-9.-]*$/.test(w)) || null;
}

function index(items) {
  const byKey = new Map();
  const list = items.map((f) => ({ ...f, symbol: symbolOf(f.name) }));
  for (const f of list) if (f.symbol) byKey.set(matchKey(f.symbol), f);
  for (const f of list) byKey.set(f.code, f); // a code wins over a symbol
  return { items: list, byKey };
}

/** Fetches the table unless it is here or on its way; resolves when it is here. */
export function loadFactors() {
  pending ??= api.get('/factors').then(
    (r) => {
      table.value = index(r.items || []);
    },
    (e) => {
      pending = null;
      throw e;
    },
  );
  return pending;
}

// The table, asking for it on the first use.
function loaded() {
  if (!pending) loadFactors().catch(() => {}); // the keys stay until a later try works
  return table.value;
}

function find(key) {
  return loaded()?.byKey.get(matchKey(key)) || null;
}

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';

/** Digits after a letter as subscripts, as formulas are printed: 'PM2.5' -> 'PM₂.₅', 'NH3-N' -> 'NH₃-N'. */
function subscripted(formula) {
  return String(formula).replace(/([A-Za-z])(\d+(?:\.\d+)?)/g, (_, letter, digits) =>
    letter + [...digits].map((c) => (c === '.' ? c : SUBSCRIPTS[c])).join(''));
}

/** Every known factor ({code, name, name_zh, unit, medium, ...}); [] until loaded. */
export function allFactors() {
  return loaded()?.items || [];
}

/** The factor's name: Chinese ('细颗粒物'); in English its formula ('PM₂.₅'), else the API's name. */
export function factorName(key) {
  const f = find(key);
  if (!f) return key || '—';
  if (lang.value === 'zh') return f.name_zh || f.name;
  return f.symbol ? subscripted(f.symbol) : f.name;
}

/** The factor's formula where it has one ('PM₂.₅', 'O₃'), else its name: for labels that must be short. */
export function factorSymbol(key) {
  const f = find(key);
  if (f?.symbol) return subscripted(f.symbol);
  return factorName(key);
}

/**
 * The unit the factor is reported in at a kind of site ('air', 'water', 'outlet_gas'…;
 * ambient by default); '' when dimensionless or not known. The table gives SO2 two
 * units, 'µg/m³ (stations), mg/m³ (outlets)'.
 */
export function factorUnit(key, siteKind = '') {
  const u = find(key)?.unit || '';
  const m = /^(.+?) \(stations\), (.+?) \(outlets\)$/.exec(u);
  if (!m) return u;
  return String(siteKind).startsWith('outlet') ? m[2] : m[1];
}
