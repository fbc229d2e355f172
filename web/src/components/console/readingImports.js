// What the readings import page needs besides its components: the reasons the server
// gives for a bad value (src/ingest/readings_file.cc, readings_import.cc) in the
// page's words, the long CSV's columns, and an example file. The server's own text is
// kept beside the words: a reason without words here shows as the server sent it.
import { t } from '../../lib/i18n.js';
import { session } from '../../lib/session.js';

// The upload limit of POST /api/v1/imports/readings; a larger file is refused by the
// server, so the page says so before sending it.
export const MAX_BYTES = 1024 * 1024;

// EcoHub's long CSV (docs/data-import.md): the columns in their order.
export const LONG_COLUMNS = ['site', 'factor', 'period', 'time', 'value', 'flag'];

// [pattern of the server's reason, i18n key]; the pattern's groups fill {1}, {2}, {3}.
const REASONS = [
  [/^"(.*)" is not a decimal number$/, 'notDecimal'],
  [/^no site with the code "(.*)"$/, 'noSiteCode'],
  [/^"(.*)" is not a time \(/, 'notTime'],
  [/^no time$/, 'noTime'],
  [/^"(.*)" is not a number from (-?\d+) to (-?\d+)$/, 'range'],
  [/^"(.*)" is not a date$/, 'notDate'],
  [/^no such day$/, 'noDay'],
  [/^not the start of /, 'notStart'],
  [/^not the end of /, 'notEnd'],
  [/^"(.*)" is not a compass point/, 'compass'],
  [/^"(.*)" is too large to convert$/, 'tooLarge'],
  [/^no factor$/, 'noFactor'],
  [/^"(.*)" is not an HJ 212 factor code$/, 'notFactor'],
  [/^"(.*)" is not a period /, 'notPeriod'],
  [/^"(.*)" is not an HJ 212 data flag/, 'notFlag'],
  [/^no site$/, 'noSite'],
  [/^not an object$/, 'notObject'],
  [/^the same site, factor, period and time as row (\d+), with another value$/, 'duplicate'],
  [/^site (.*) is outside this key's scope$/, 'siteScope'],
  [/^factor (.*) is outside this key's scope$/, 'factorScope'],
];

/** `reason` as {text, server}: `text` in the page's language ('' when there are no words for it). */
export function readingReason(reason) {
  for (const [re, key] of REASONS) {
    const m = re.exec(reason || '');
    if (m) return { text: t(`con.imp.why.${key}`, { 1: m[1] ?? '', 2: m[2] ?? '', 3: m[3] ?? '' }), server: reason };
  }
  return { text: '', server: reason };
}

/** The words for a column of the long form ('' for another file's own column names). */
export function columnWords(column) {
  return LONG_COLUMNS.includes(column) ? t(`con.imp.colName.${column}`) : '';
}

/** "512 KB", "1.3 MB": a file's size as people read it. */
export function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// 'YYYY-MM-DD HH:00' in Beijing time (UTC+8, no DST), `hoursAgo` whole hours back.
function beijingHour(hoursAgo) {
  const d = new Date(Math.floor(Date.now() / 3600000 - hoursAgo) * 3600000 + 8 * 3600000);
  const p = (x) => String(x).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:00`;
}

/**
 * An example long CSV: three hours of PM2.5 and PM10 of `site` ending yesterday at this
 * hour, so that a check of it passes as it is when `site` is registered.
 */
export function exampleCsv(site) {
  const lines = ['site,factor,period,time,value,flag'];
  for (let h = 26; h >= 24; h--) {
    lines.push(`${site},a34004,hour,${beijingHour(h)},${35 + h - 24},N`);
    lines.push(`${site},a34002,hour,${beijingHour(h)},${62 + 2 * (h - 24)},N`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Who imported, from a batch's principal ('user:7', 'key:3', as the server records it):
 * the logged-in user's own name, else "用户 #7" / "API 密钥 #3", else as stored.
 */
export function principalLabel(p) {
  const me = session.user;
  if (me && p === `user:${me.id}`) return me.display_name || me.username;
  const m = /^(user|key):(\d+)$/.exec(p || '');
  return m ? t(`con.imp.principal.${m[1]}`, { id: m[2] }) : p || '—';
}
