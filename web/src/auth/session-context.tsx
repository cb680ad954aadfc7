// Who is signed in: the /auth/me answer, sign in and out, and "your session ended" when any call answers 401.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { isApiError } from '../api/api-error.ts';
import { api, csrfToken, onUnauthorized, type ApiAnswer } from '../api/client.ts';

export type Me = ApiAnswer<'/api/v1/auth/me', 'get'>;
export type SignedInUser = ApiAnswer<'/api/v1/auth/login', 'post'>['user'];

export interface Session {
  readonly status: 'loading' | 'signed-in' | 'signed-out';
  readonly me: Me | undefined;
  /** True when a session this browser had ended (expired, revoked, signed out elsewhere) rather than never existing. */
  readonly expired: boolean;
  signIn(username: string, password: string): Promise<SignedInUser>;
  signOut(): Promise<void>;
  hasRole(role: 'admin' | 'auditor' | 'user'): boolean;
}

const SessionContext = createContext<Session | undefined>(undefined);
export const ME_KEY = ['me'] as const;

/** Forgets everything the previous user saw; the "me" query stays (its observer would not see a new one). */
function forgetOtherQueries(queryClient: ReturnType<typeof useQueryClient>): void {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_KEY[0] });
}

export function SessionProvider({ children }: { readonly children: ReactNode }) {
  const queryClient = useQueryClient();
  const [expired, setExpired] = useState(false);
  const me = useQuery({
    queryKey: ME_KEY,
    queryFn: async () => {
      try {
        return await api('get', '/api/v1/auth/me');
      } catch (error) {
        if (isApiError(error, 401)) return null;
        throw error;
      }
    },
    retry: false,
    staleTime: 60_000,
  });

  useEffect(() => {
    onUnauthorized(() => {
      // Only a browser that had a session can have it expire; a first visit is simply signed out.
      if (csrfToken.get() !== null) setExpired(true);
      csrfToken.clear();
      queryClient.setQueryData(ME_KEY, null);
    });
    return () => {
      onUnauthorized(undefined);
    };
  }, [queryClient]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      const answer = await api('post', '/api/v1/auth/login', { body: { username, password } });
      csrfToken.set(answer.csrfToken);
      setExpired(false);
      forgetOtherQueries(queryClient);
      queryClient.setQueryData(ME_KEY, await api('get', '/api/v1/auth/me'));
      return answer.user;
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    await api('post', '/api/v1/auth/logout').catch(() => undefined);
    csrfToken.clear();
    setExpired(false);
    forgetOtherQueries(queryClient);
    queryClient.setQueryData(ME_KEY, null);
  }, [queryClient]);

  const value = useMemo<Session>(() => {
    const current = me.data ?? undefined;
    const status = me.isPending ? 'loading' : current === undefined ? 'signed-out' : 'signed-in';
    return { status, me: current, expired, signIn, signOut, hasRole: (role) => current?.user.roles.includes(role) ?? false };
  }, [me.data, me.isPending, expired, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession needs a SessionProvider');
  return session;
}
