import { useEffect, useState } from 'react';
import { ApiError, api, setCsrfToken } from '../api.ts';

export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'clinician' | 'researcher';
  siteName: string;
}

export function useSession() {
  const [user, setUser] = useState<CurrentUser | null | undefined>(undefined);
  useEffect(() => {
    api<{ user: CurrentUser; csrfToken: string }>('GET', '/auth/me')
      .then((r) => {
        setCsrfToken(r.csrfToken);
        setUser(r.user);
      })
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 401) setUser(null);
        else setUser(null);
      });
  }, []);
  return {
    user,
    signedIn(u: CurrentUser, csrfToken: string) {
      setCsrfToken(csrfToken);
      setUser(u);
    },
    async signOut() {
      await api('POST', '/auth/logout').catch(() => undefined);
      setCsrfToken('');
      setUser(null);
    },
  };
}
