import { useCallback } from 'react';
import { useI18n, type Lang } from './index.tsx';

export type Vars = Record<string, string | number>;

/** Fills `{name}` placeholders; an unknown placeholder stays visible, so a missing variable shows. */
export const fill = (text: string, vars?: Vars) =>
  text.replace(/\{(\w+)\}/g, (match, name: string) => (vars && name in vars ? String(vars[name]) : match));

/**
 * A feature's own messages, kept beside its code: both languages must have the same keys (the type
 * checks it). Returns a hook giving `t(key, vars)` in the current language.
 */
export function defineMessages<K extends string>(dictionaries: Record<Lang, Record<K, string>>) {
  return function useMessages() {
    const { lang } = useI18n();
    return useCallback((key: K, vars?: Vars) => fill(dictionaries[lang][key], vars), [lang]);
  };
}
