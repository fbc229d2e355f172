// Chinese first, English on a switch. Each part of the site keeps its words in
// its own file under src/i18n/ as {key: [zh, en]}; t('key') picks the current
// language, t('key', {n: 3}) fills {n}. A missing key shows itself, so it is seen.
import { ref } from 'vue';
import common from '../i18n/common.js';
import pub from '../i18n/public.js';
import console_ from '../i18n/console.js';
import cockpit from '../i18n/cockpit.js';
import complaints from '../i18n/complaints.js';
import tasks from '../i18n/tasks.js';
import inbox from '../i18n/inbox.js';
import draws from '../i18n/draws.js';
import codes from '../i18n/codes.js';
import file from '../i18n/file.js';
import cases from '../i18n/cases.js';

const words = { ...common, ...pub, ...console_, ...cockpit, ...complaints, ...tasks, ...inbox, ...draws, ...codes, ...file, ...cases };

function initial() {
  const saved = localStorage.getItem('ecohub.lang');
  if (saved === 'zh' || saved === 'en') return saved;
  return 'zh';
}

export const lang = ref(initial());
document.documentElement.lang = lang.value === 'zh' ? 'zh-CN' : 'en';

export function setLang(l) {
  lang.value = l;
  localStorage.setItem('ecohub.lang', l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
}

export function t(key, vars) {
  const w = words[key];
  let s = w ? w[lang.value === 'zh' ? 0 : 1] : key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

// t(key) when the key exists, else `fallback`: for codes the server sends that
// only some of which have words here (update frequencies, for one).
export function tOr(key, fallback) {
  return words[key] ? t(key) : fallback;
}

// A pair given inline, for names the server sends in one language only.
export function pick(zh, en) {
  return lang.value === 'zh' ? zh : en || zh;
}
