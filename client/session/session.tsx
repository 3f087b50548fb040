import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from '../api.ts';

export type { Role } from '../../core/contracts/accounts.ts';
import type { Role, Session as SessionBody, SessionUser as User, SignInBody } from '../../core/contracts/accounts.ts';
import { roleMay, type Permission } from '../../core/auth/permissions.ts';

interface Session {
  status: 'loading' | 'ready';
  user: User | null;
  /** Whether the signed-in user has one of these roles (admin has every role). */
  is: (...roles: Role[]) => boolean;
  /** Whether the signed-in user has a permission (core/auth/permissions.ts, as the server checks it). */
  may: (permission: Permission) => boolean;
  signIn: (username: string, password: string) => Promise<User>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<'loading' | 'ready'>('loading');
  const [user, setUser] = useState<User | null>(null);
  const queryClient = useQueryClient();

  const accept = useCallback((body: SessionBody) => {
    setCsrfToken(body.csrfToken ?? null);
    setUser(body.user);
    // Staff get the installable app (the service worker keeps the whole shell, about 2 MB, for
    // offline work); the public map does not download it. Loaded after the first paint.
    if (body.user) void import('../offline/register.ts');
    // A grid worker's cells, units, reports and patrol are read once more for the service worker to keep.
    if (body.user?.role === 'worker') void import('../offline/keep.ts').then((m) => m.keepWorkersScope(body.user!.scope)).catch(() => undefined);
    setStatus('ready');
    return body.user;
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    api<SessionBody>('/api/session', { signal: controller.signal })
      .then(accept)
      .catch(() => {
        if (!controller.signal.aborted) accept({ user: null });
      });
    return () => controller.abort();
  }, [accept]);

  const signIn = useCallback(async (username: string, password: string) => {
    const credentials: SignInBody = { username, password };
    const body = await api<SessionBody>('/api/session', { method: 'POST', body: credentials });
    // What was read before belongs to the previous user (masked phones, another scope): read it again.
    void queryClient.resetQueries();
    return accept(body)!;
  }, [accept, queryClient]);

  const signOut = useCallback(async () => {
    await api('/api/session', { method: 'DELETE' }).catch(() => undefined);
    // The service worker kept this user's answers for offline use: they go with the session.
    if ('caches' in window) await caches.delete('wangge-api').catch(() => false);
    void queryClient.resetQueries();
    accept({ user: null });
  }, [accept, queryClient]);

  const value = useMemo<Session>(() => ({
    status,
    user,
    is: (...roles) => !!user && (user.role === 'admin' || roles.includes(user.role)),
    may: (permission) => !!user && roleMay(user.role, permission),
    signIn,
    signOut,
  }), [status, user, signIn, signOut]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionProvider>');
  return session;
}
