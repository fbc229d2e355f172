// The reasons the bulk import gives for a bad row (src/api/registry_import.cc and the
// checks of the single writes it runs), in the page's words. The server's own text is
// kept beside them: a reason without words here shows as the server sent it.
import { t } from '../../lib/i18n.js';

// [pattern of the server's reason, i18n key]; the pattern's groups fill {1}, {2}.
const REASONS = [
  [/^unknown column$/, 'unknownColumn'],
  [/^the column appears twice$/, 'columnTwice'],
  [/^the key column is missing$/, 'keyMissing'],
  [/^empty: every row needs its key$/, 'keyEmpty'],
  [/^the same as row (\d+)$/, 'sameAs'],
  [/^not a number: (.*)$/, 'notNumber'],
  [/^not a whole number: (.*)$/, 'notInteger'],
  [/^not yes or no/, 'notBool'],
  [/^not a JSON object/, 'notObject'],
  [/^no district has the code (.*)$/, 'noDistrict'],
  [/^no enterprise has the credit code (.*)$/, 'noEnterprise'],
  [/^no site has the code (.*)$/, 'noSite'],
  [/^not allowed/, 'notAllowed'],
  [/a unified social credit code has 18 characters, not (\d+)/, 'creditLength'],
  [/credit code's check character is wrong: expected (\w)/, 'creditCheck'],
  [/organisation code in the credit code .* fails its check digit/, 'creditOrg'],
  [/is not one of 0-9 and A-Y/, 'creditChar'],
];

/** `reason` as {text, server}: `text` in the page's language ('' when there are no words for it). */
export function importReason(reason) {
  for (const [re, key] of REASONS) {
    const m = re.exec(reason || '');
    if (m) return { text: t(`con.reg.why.${key}`, { 1: m[1] ?? '', 2: m[2] ?? '' }), server: reason };
  }
  return { text: '', server: reason };
}

/** The label of column `field` in the template's header cells ("统一社会信用代码 [credit_code]"). */
export function columnLabel(headers, field) {
  const cell = (headers || []).find((h) => h.endsWith(`[${field}]`));
  return cell ? cell.slice(0, cell.lastIndexOf('[')).trim() : '';
}
