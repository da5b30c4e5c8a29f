import { useSyncExternalStore } from 'react';

/**
 * Hash routing: `#/sign-in`, `#/sign-up`, `#/` (a new chat), `#/c/<conversation id>`, `#/account`. The server only
 * ever serves `/`, so a reload on any screen works without a fallback route on the API.
 */
export type Route =
  | { name: 'sign-in' }
  | { name: 'sign-up' }
  | { name: 'new-chat' }
  | { name: 'conversation'; id: string }
  | { name: 'account' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/sign-in') return { name: 'sign-in' };
  if (path === '/sign-up') return { name: 'sign-up' };
  if (path === '/account') return { name: 'account' };
  const match = /^\/c\/([^/?#]+)$/.exec(path);
  if (match?.[1]) return { name: 'conversation', id: decodeURIComponent(match[1]) };
  return { name: 'new-chat' };
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case 'sign-in':
      return '#/sign-in';
    case 'sign-up':
      return '#/sign-up';
    case 'new-chat':
      return '#/';
    case 'conversation':
      return `#/c/${encodeURIComponent(route.id)}`;
    case 'account':
      return '#/account';
  }
}

export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const href = hrefOf(route);
  if (window.location.hash === href) return;
  if (options.replace) {
    window.history.replaceState(window.history.state, '', href);
    // replaceState fires no hashchange: tell the subscribers.
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = href;
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}
