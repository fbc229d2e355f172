// What the registry pages know about each kind of row (districts, enterprises, sites,
// devices): where its API lives, its list's columns, its dialog's fields, and how it
// is disabled and enabled again. One list with its dialog (RegistryList.vue) serves
// every kind from these descriptions; the API contract is
// the server's (GET/POST on the collection, PATCH on /{id}, Problem JSON on refusals).
//
// A field: {key, label (i18n key), type: text|number|select|checks|check|password,
// options(names) -> [{value, label}], required, createOnly (the row's key: shown but
// fixed when editing), attr (stored in the site's attrs object), when(form) (shown only
// then), district (the district field: fixed to a district staff member's own)}. A
// kind's finish(body) adjusts the request body to the server's rules.
import { t } from '../../lib/i18n.js';

export const ENTERPRISE_STATUS = ['operating', 'stopped', 'closed'];
export const KEY_MEDIA = ['water', 'air', 'noise', 'soil', 'risk'];
// The site kinds the server knows; ones it does not yet know answer 400 on save.
export const SITE_KINDS = ['air', 'water', 'outlet_gas', 'outlet_water', 'noise', 'dust', 'groundwater', 'drinking_water'];
const AIR_LEVELS = ['national', 'provincial', 'city', 'micro'];
const WATER_TYPES = ['river', 'lake'];
const WATER_CLASSES = ['I', 'II', 'III', 'IV', 'V'];
const NOISE_ZONES = ['0', '1', '2', '3', '4a', '4b'];

const words = (list, prefix) => () => list.map((v) => ({ value: v, label: t(`${prefix}${v}`) }));
const plain = (list) => () => list.map((v) => ({ value: v, label: v }));
const isOutlet = (kind) => String(kind).startsWith('outlet');

const districtField = {
  key: 'district_id',
  label: 'common.district',
  type: 'select',
  required: true,
  district: true,
  options: (n) => n.districts.filter((d) => d.active !== false).map((d) => ({ value: d.id, label: d.name })),
};
const lonLat = [
  { key: 'lon', label: 'con.reg.lon', type: 'number' },
  { key: 'lat', label: 'con.reg.lat', type: 'number' },
];

const activeWords = (on) => (on ? { text: t('con.reg.active'), tone: 'ok' } : { text: t('con.reg.inactive'), tone: 'bad' });

export const KINDS = {
  districts: {
    path: '/districts',
    idOf: (r) => r.id,
    title: (r) => r.name,
    search: (r) => `${r.code} ${r.name}`,
    fields: [
      { key: 'code', label: 'con.reg.districtCode', type: 'text', required: true, createOnly: true, pattern: '\\d{6}' },
      { key: 'name', label: 'common.name', type: 'text', required: true },
      ...lonLat,
    ],
    columns: (n) => [
      { label: 'common.code', value: (r) => r.code, mono: true },
      { label: 'common.name', value: (r) => r.name },
      { label: 'con.reg.position', value: (r) => position(r) },
    ],
    status: (r) => activeWords(r.active),
    enabled: (r) => r.active !== false,
    toggle: (on) => ({ active: on }),
  },
  enterprises: {
    path: '/enterprises',
    paged: true,
    idOf: (r) => r.id,
    title: (r) => r.name,
    filters: { status: words(ENTERPRISE_STATUS, 'con.reg.status.') },
    fields: [
      { key: 'name', label: 'con.reg.entName', type: 'text', required: true },
      { key: 'credit_code', label: 'con.reg.creditCode', type: 'text', required: true, createOnly: true, pattern: '[0-9A-Za-z]{18}' },
      districtField,
      { key: 'industry', label: 'con.reg.industry', type: 'text' },
      { key: 'address', label: 'con.reg.address', type: 'text', wide: true },
      ...lonLat,
      { key: 'contact_name', label: 'con.reg.contactName', type: 'text' },
      { key: 'contact_phone', label: 'con.reg.contactPhone', type: 'text' },
      { key: 'permit_no', label: 'con.reg.permitNo', type: 'text' },
      { key: 'status', label: 'common.status', type: 'select', options: words(ENTERPRISE_STATUS, 'con.reg.status.'), initial: 'operating' },
      { key: 'key_unit', label: 'con.reg.keyUnit', type: 'check' },
      { key: 'key_media', label: 'con.reg.keyMedia', type: 'checks', options: words(KEY_MEDIA, 'con.reg.media.'), initial: [], wide: true },
    ],
    columns: (n) => [
      { label: 'con.reg.entName', value: (r) => r.name, wrap: true },
      { label: 'con.reg.creditCode', value: (r) => r.credit_code, mono: true },
      { label: 'common.district', value: (r) => n.districtById.get(r.district_id)?.name || '—' },
      { label: 'con.reg.keyMedia', value: (r) => (r.key_media || []).map((m) => t(`con.reg.media.${m}`)).join('、') || '—' },
    ],
    // Being on a key-unit list makes a key unit (the server refuses key_unit false then).
    finish: (b) => {
      if (b.key_media?.length) delete b.key_unit;
    },
    status: (r) => ({ text: t(`con.reg.status.${r.status}`), tone: { operating: 'ok', stopped: 'warn', closed: 'bad' }[r.status] }),
    enabled: (r) => r.status !== 'closed',
    toggle: (on) => ({ status: on ? 'operating' : 'closed' }),
  },
  sites: {
    path: '/sites',
    paged: true,
    idOf: (r) => r.id,
    title: (r) => `${r.code} ${r.name}`,
    filters: { kind: words(SITE_KINDS, 'con.kind.') },
    fields: [
      { key: 'code', label: 'common.code', type: 'text', required: true, createOnly: true },
      { key: 'name', label: 'common.name', type: 'text', required: true },
      { key: 'kind', label: 'con.kind', type: 'select', required: true, options: words(SITE_KINDS, 'con.kind.'), initial: 'air' },
      districtField,
      {
        key: 'enterprise_id',
        label: 'con.reg.enterprise',
        type: 'select',
        required: true,
        when: (f) => isOutlet(f.kind),
        options: (n, f) => n.enterprises.filter((e) => !f.district_id || e.district_id === Number(f.district_id)).map((e) => ({ value: e.id, label: e.name })),
      },
      ...lonLat,
      { key: 'level', label: 'con.reg.level', type: 'select', attr: true, when: (f) => f.kind === 'air', options: words(AIR_LEVELS, 'con.reg.level.') },
      { key: 'water_type', label: 'con.reg.waterType', type: 'select', attr: true, when: (f) => f.kind === 'water', options: words(WATER_TYPES, 'con.reg.waterType.') },
      { key: 'target_class', label: 'con.reg.targetClass', type: 'select', attr: true, when: (f) => f.kind === 'water', options: plain(WATER_CLASSES) },
      { key: 'zone', label: 'con.reg.zone', type: 'select', attr: true, when: (f) => f.kind === 'noise', options: plain(NOISE_ZONES) },
    ],
    columns: (n) => [
      { label: 'common.code', value: (r) => r.code, mono: true },
      { label: 'common.name', value: (r) => r.name, wrap: true },
      { label: 'con.kind', value: (r) => t(`con.kind.${r.kind}`) },
      { label: 'common.district', value: (r) => n.districtById.get(r.district_id)?.name || '—' },
      { label: 'con.reg.enterprise', value: (r) => (r.enterprise_id ? n.enterpriseById.get(r.enterprise_id)?.name || `#${r.enterprise_id}` : '—'), wrap: true },
    ],
    status: (r) => activeWords(r.active),
    enabled: (r) => r.active !== false,
    toggle: (on) => ({ active: on }),
    disableAsk: 'con.reg.siteDisableAsk',
  },
  devices: {
    path: '/devices',
    idOf: (r) => r.mn,
    title: (r) => r.mn,
    search: (r, n) => `${r.mn} ${n.siteById.get(r.site_id)?.code || ''} ${n.siteById.get(r.site_id)?.name || ''}`,
    fields: [
      { key: 'mn', label: 'con.dev.mn', type: 'text', required: true, createOnly: true },
      { key: 'site_id', label: 'con.dev.site', type: 'select', required: true, options: (n) => n.sites.filter((s) => s.active !== false).map((s) => ({ value: s.id, label: `${s.code} ${s.name}` })) },
      { key: 'password', label: 'con.reg.devPassword', type: 'password', requiredOnCreate: true },
      { key: 'protocol_version', label: 'con.dev.protocol', type: 'select', options: () => [0, 1, 2].map((v) => ({ value: v, label: t(`con.reg.protocol.${v}`) })), initial: 1, number: true },
      { key: 'charset', label: 'con.dev.charset', type: 'select', options: plain(['utf-8', 'gbk']), initial: 'utf-8' },
      { key: 'enabled', label: 'con.reg.enabled', type: 'check', initial: true },
    ],
    columns: (n) => [
      { label: 'con.dev.mn', value: (r) => r.mn, mono: true },
      { label: 'con.dev.site', value: (r) => { const s = n.siteById.get(r.site_id); return s ? `${s.code} ${s.name}` : `#${r.site_id}`; }, wrap: true },
      { label: 'con.dev.protocol', value: (r) => t(`con.reg.protocol.${r.protocol_version}`) },
      { label: 'con.dev.charset', value: (r) => r.charset },
    ],
    status: (r) => activeWords(r.enabled),
    enabled: (r) => r.enabled !== false,
    toggle: (on) => ({ enabled: on }),
  },
};

function position(r) {
  return r.lon != null && r.lat != null && (r.lon || r.lat) ? `${Number(r.lon).toFixed(3)}, ${Number(r.lat).toFixed(3)}` : '—';
}

// The dialog's starting values: the row's (its attrs spread out) or each field's initial.
export function formOf(kind, row, fixedDistrict) {
  const f = {};
  for (const fd of KINDS[kind].fields) {
    const v = row ? (fd.attr ? row.attrs?.[fd.key] : row[fd.key]) : fd.initial;
    f[fd.key] = fd.type === 'password' ? '' : Array.isArray(v) ? [...v] : v ?? (fd.type === 'check' ? false : '');
  }
  if (fixedDistrict && 'district_id' in f) f.district_id = fixedDistrict;
  return f;
}

// The request body from the dialog: shown fields only; the row's key only when new; an
// empty text or number is left out of a new row and cleared (text) or kept (number) on
// an edit; a password only when typed; a site's attributes merged into its attrs.
export function bodyOf(kind, form, row) {
  const body = {};
  const attrs = { ...(row?.attrs || {}) };
  for (const fd of KINDS[kind].fields) {
    if (row && fd.createOnly) continue;
    const shown = !fd.when || fd.when(form);
    let v = form[fd.key];
    if (fd.attr) {
      if (shown && v !== '' && v != null) attrs[fd.key] = v;
      else delete attrs[fd.key];
      continue;
    }
    if (!shown) continue;
    if (fd.type === 'number' || fd.number || fd.key.endsWith('_id')) {
      if (v === '' || v == null) continue;
      v = Number(v);
    } else if (fd.type === 'text') {
      v = String(v ?? '').trim();
      if (!v && !row) continue;
    } else if (fd.type === 'password' && !v) continue;
    body[fd.key] = v;
  }
  if (KINDS[kind].fields.some((fd) => fd.attr)) body.attrs = attrs;
  KINDS[kind].finish?.(body);
  return body;
}
