// Alarms as the console shows them (/api/v1/alarms, docs/api.md "Alarms").
export const STATUSES = ['open', 'acknowledged', 'closed'];
export const KINDS = ['exceedance', 'anomaly', 'offline'];

// Who may handle an alarm (docs/access.md, "Alarms"): leaders and partners only
// read, inspectors and enterprises acknowledge, staff and administrators also
// close. The server checks again within the account's district or enterprise.
const ACKNOWLEDGE = ['admin', 'staff', 'inspector', 'enterprise'];
const CLOSE = ['admin', 'staff'];
export const canAcknowledge = (role) => ACKNOWLEDGE.includes(role);
export const canClose = (role) => CLOSE.includes(role);

// An alarm of /api/v1/alarms in the names the pages use.
export function norm(a) {
  return {
    id: a.id,
    kind: a.kind,
    status: a.status,
    siteId: a.site_id,
    siteCode: a.site,
    siteName: a.site_name,
    districtId: a.district_id,
    enterpriseId: a.enterprise_id,
    factor: a.factor || '',
    value: a.value,
    limit: a.limit,
    unit: a.unit || '',
    started: a.started,
    ended: a.ended,
    ackBy: a.ack_by,
    ackAt: a.ack_at,
    ackComment: a.ack_comment,
    closedBy: a.closed_by,
    closedAt: a.closed_at,
    closeComment: a.close_comment,
    detail: a.detail,
  };
}

// /alarms/summary as {status: {open: n...}, kind: {exceedance: n...}}, where a
// kind counts what still needs someone (open and acknowledged); null without one.
export function summarize(s) {
  if (!s?.by_status) return null;
  const kind = {};
  for (const k of KINDS) {
    const v = s.by_kind?.[k];
    if (v) kind[k] = (v.open || 0) + (v.acknowledged || 0);
  }
  return { status: { ...s.by_status }, kind };
}
