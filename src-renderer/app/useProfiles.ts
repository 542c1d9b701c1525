import { createContext, createElement, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { Profile } from '../../src-shared/domain/profile';
import { api, onEvent } from '../ipc/client';

const KEY = 'twofold-current-profile';

function useProfilesState() {
  const [profiles, setProfiles] = useState<Profile[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [currentId, setCurrentId] = useState<number | null>(() => {
    const v = Number(localStorage.getItem(KEY));
    return Number.isInteger(v) && v > 0 ? v : null;
  });

  const reload = useCallback(async () => {
    try {
      setProfiles(await api['profiles.list']({}));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    void reload();
    return onEvent('profiles.changed', () => void reload());
  }, [reload]);

  const choose = useCallback((id: number | null) => {
    setCurrentId(id);
    if (id) localStorage.setItem(KEY, String(id));
    else localStorage.removeItem(KEY);
  }, []);

  const current = profiles?.find((p) => p.id === currentId) ?? profiles?.[0] ?? null;
  return { profiles, current, choose, reload, error };
}

type ProfilesState = ReturnType<typeof useProfilesState>;
const ProfilesContext = createContext<ProfilesState | null>(null);

/** One profile list for the whole window, kept fresh by the profiles.changed event. */
export function ProfilesProvider({ children }: { children: ReactNode }) {
  return createElement(ProfilesContext.Provider, { value: useProfilesState() }, children);
}

export function useProfiles(): ProfilesState {
  const v = useContext(ProfilesContext);
  if (!v) throw new Error('useProfiles outside ProfilesProvider');
  return v;
}
