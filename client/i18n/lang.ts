export type Lang = 'zh-CN' | 'en';

const STORAGE_KEY = 'wangge.lang';
let lang: Lang | null = null;

/** The remembered choice, else the browser's: any Chinese locale gets zh-CN, everything else English. */
export function initialLang(): Lang {
  const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  if (stored === 'zh-CN' || stored === 'en') return stored;
  return typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/**
 * The language the UI speaks now, for text made outside React (an API error's message). The
 * provider keeps it current.
 */
export function currentLang(): Lang {
  lang ??= initialLang();
  return lang;
}

export function rememberLang(next: Lang) {
  lang = next;
  if (typeof localStorage !== 'undefined') localStorage.setItem(STORAGE_KEY, next);
}
