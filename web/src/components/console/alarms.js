// Alarms as the console shows them. The alarm API (/api/v1/alarms) is young, so an
// alarm is read through norm(), which accepts the store's names (site_code,
// started, ack_comment...) and a few obvious variants; a missing field shows "—".
export const STATUSES = ['open', 'acknowledged', 'closed'];
export const KINDS = ['exceedance', 'anomaly', 'offline'];

// Who may handle an alarm (docs/access.md, "Alarms"): leaders and partners only
// read, inspectors and enterprises acknowledge, staff and administrators also
// close. The server checks again within the account's district or enterprise.
const ACKNOWLEDGE = ['admin', 'staff', 'inspector', 'enterprise'];
const CLOSE = ['admin', 'staff'];
export const canAcknowledge = (role) => ACKNOWLEDGE.includes(role);
export const canClose = (role) => CLOSE.includes(role);

const first = (...v) => v.find((x) => x !== undefined && x !== null && x !== '');

export function norm(a) {
  const site = typeof a.site === 'object' && a.site ? a.site : {};
  return {
    id: a.id,
    kind: a.kind,
    status: a.status,
    siteId: first(a.site_id, site.id),
    siteCode: first(a.site_code, site.code, typeof a.site === 'string' ? a.site : undefined),
    siteName: first(a.site_name, site.name),
    districtId: first(a.district_id),
    enterpriseId: first(a.enterprise_id),
    factor: a.factor || '',
    value: first(a.value, a.peak),
    limit: first(a.limit),
    unit: a.unit || '',
    started: first(a.started_text, a.started, a.start),
    ended: first(a.ended_text, a.ended, a.end),
    ackBy: first(a.ack_by, a.acknowledged_by),
    ackAt: first(a.ack_at_text, a.ack_at, a.acknowledged_at),
    ackComment: first(a.ack_comment, a.acknowledge_comment),
    closedBy: first(a.closed_by),
    closedAt: first(a.closed_at_text, a.closed_at),
    closeComment: first(a.close_comment),
    detail: a.detail,
  };
}

// Counts by status and by kind from /alarms/summary, whatever its shape:
// [{kind, status, count}] under items/counts, or {by_status: {...}, by_kind: {...}},
// or {open: n, ...}. Returns {status: {open: n...}, kind: {exceedance: n...}} or null.
export function summarize(s) {
  if (!s || typeof s !== 'object') return null;
  const out = { status: {}, kind: {} };
  const list = Array.isArray(s) ? s : Array.isArray(s.items) ? s.items : Array.isArray(s.counts) ? s.counts : null;
  if (list) {
    for (const c of list) {
      const n = Number(c.count ?? c.n ?? 0);
      if (c.status) out.status[c.status] = (out.status[c.status] || 0) + n;
      // "By kind" counts what still needs someone: open and acknowledged.
      if (c.kind && c.status !== 'closed') out.kind[c.kind] = (out.kind[c.kind] || 0) + n;
    }
    return out;
  }
  const bs = s.by_status || s.status || s;
  for (const k of STATUSES) if (typeof bs[k] === 'number') out.status[k] = bs[k];
  const bk = s.by_kind || s.kind || {};
  for (const k of KINDS) {
    const v = bk[k];
    if (typeof v === 'number') out.kind[k] = v;
    else if (v && typeof v === 'object') out.kind[k] = (v.open || 0) + (v.acknowledged || 0);
  }
  return Object.keys(out.status).length || Object.keys(out.kind).length ? out : null;
}
