import { type User, userSchema } from '@sluice/contracts';
import { z } from 'zod';

export interface Session {
  accessToken: string;
  user: User;
}

const KEY = 'sluice.session';
const sessionSchema = z.object({ accessToken: z.string().min(1), user: userSchema });

/** The signed-in session survives a reload: it lives in localStorage (the app renders no HTML from outside). */
export function loadSession(storage: Storage | undefined = safeStorage()): Session | null {
  const raw = storage?.getItem(KEY);
  if (!raw) return null;
  try {
    const parsed = sessionSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null, storage: Storage | undefined = safeStorage()): void {
  if (!storage) return;
  if (session === null) storage.removeItem(KEY);
  else storage.setItem(KEY, JSON.stringify(session));
}

function safeStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    // Storage disabled (some private modes): the session lasts as long as the page.
    return undefined;
  }
}
