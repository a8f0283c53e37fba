// Language choice, dictionaries and formatting.
// Order of preference: the agent's saved locale, then the choice stored in
// localStorage, then the browser's languages. The server reads the
// kefu_lang cookie to translate its error messages.
import { assetUrl } from './assets.js';

export const LANGS = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '中文' },
];
const STORE_KEY = 'kefu.lang';

let lang = 'en';
let dict = {};
const cache = new Map();

/** Map anything like "zh-Hans-CN" or "en-GB" onto a supported code, else null. */
export function normalizeLang(code) {
  if (!code || typeof code !== 'string') return null;
  const c = code.toLowerCase();
  if (c.startsWith('zh')) return 'zh-CN';
  if (c.startsWith('en')) return 'en';
  return null;
}

/** The language picked by the browser: its first zh* or en* preference, else English. */
export function browserLang() {
  const prefs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  for (const p of prefs) {
    const n = normalizeLang(p);
    if (n) return n;
  }
  return 'en';
}

/** The explicit choice stored on this device, or null. */
export function storedLang() {
  try {
    return normalizeLang(localStorage.getItem(STORE_KEY));
  } catch {
    return null;
  }
}

/** Remember (or with null, forget) the choice on this device. */
export function storeLang(code) {
  try {
    if (code) localStorage.setItem(STORE_KEY, code);
    else localStorage.removeItem(STORE_KEY);
  } catch {
    // Private mode without storage: the choice lasts for this page only.
  }
}

/** The language to use when nobody is logged in (or the agent has no locale). */
export function deviceLang() {
  return storedLang() || browserLang();
}

export function currentLang() {
  return lang;
}

async function fetchDict(code) {
  if (cache.has(code)) return cache.get(code);
  const res = await fetch(assetUrl(`/assets/i18n/${code}.json`), { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`i18n ${code}: HTTP ${res.status}`);
  const data = await res.json();
  cache.set(code, data);
  return data;
}

/** Load and switch to a language: dictionary, <html lang>, cookie for the server. */
export async function applyLang(code) {
  const next = normalizeLang(code) || 'en';
  dict = await fetchDict(next);
  lang = next;
  document.documentElement.lang = next;
  document.cookie = `kefu_lang=${encodeURIComponent(next)}; path=/; max-age=31536000; SameSite=Lax`;
}

/** Translate a key, filling {name} placeholders. Unknown keys show as themselves. */
export function t(key, params) {
  const msg = Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : key;
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** Date and time in the current language, e.g. "12 Mar 2025, 14:05" / "2025年3月12日 14:05". */
export function fmtDateTime(ms) {
  if (ms === null || ms === undefined) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}

/** Date only in the current language. */
export function fmtDate(ms) {
  if (ms === null || ms === undefined) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(new Date(ms));
}

/** A size in bytes for people: "820 KB", "3.4 MB" (numbers in the current language). */
export function fmtSize(bytes) {
  const n = Math.max(0, Number(bytes) || 0);
  const mb = n / (1024 * 1024);
  const num = (x) => new Intl.NumberFormat(lang, { maximumFractionDigits: x < 10 ? 1 : 0 }).format(x);
  return mb >= 1 ? `${num(mb)} MB` : `${num(Math.max(1, Math.ceil(n / 1024)))} KB`;
}
