import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { zhCN, type MessageKey } from './zh-CN.ts';
import { en } from './en.ts';
import type { Level } from '../api.ts';

import { currentLang, initialLang, rememberLang, type Lang } from './lang.ts';

export type { MessageKey };
export { initialLang, type Lang };

const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
  /** A configured level's name in the current language. */
  levelName: (levels: Level[], level: number) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(currentLang);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const setLang = useCallback((next: Lang) => {
    rememberLang(next);
    setLangState(next);
  }, []);

  const value = useMemo<I18n>(() => {
    const dictionary = dictionaries[lang];
    const t: Translate = (key, vars) =>
      dictionary[key].replace(/\{(\w+)\}/g, (match, name: string) => (vars && name in vars ? String(vars[name]) : match));
    const levelName = (levels: Level[], level: number) => {
      const found = levels.find((l) => l.level === level);
      if (!found) return String(level);
      return lang === 'zh-CN' ? found.zh : found.en;
    };
    return { lang, setLang, t, levelName };
  }, [lang, setLang]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside <I18nProvider>');
  return i18n;
}
