/**
 * App shortcuts from the web manifest and notification clicks open the app at a URL fragment
 * (`#/share-invite`, `#/add-contact`, `#/chat/<address>`). The main screen turns the fragment
 * into the action and removes it, so that a reload does not repeat it.
 */

export type ShortcutAction =
  | { kind: 'share-invite' }
  | { kind: 'add-contact' }
  | { kind: 'open-chat'; address: string };

const CHAT_PREFIX = '#/chat/';

/** Returns the action in the page URL's fragment, if any, and removes the fragment. */
export function takeShortcutFromLocation(): ShortcutAction | undefined {
  const action = parseShortcut(location.hash);
  if (action) history.replaceState(history.state, '', `${location.pathname}${location.search}`);

  return action;
}

/** Parses a URL fragment into a shortcut action, or returns undefined for any other fragment. */
export function parseShortcut(hash: string): ShortcutAction | undefined {
  if (hash === '#/share-invite') return { kind: 'share-invite' };
  if (hash === '#/add-contact') return { kind: 'add-contact' };
  if (!hash.startsWith(CHAT_PREFIX)) return undefined;

  let address: string;
  try {
    address = decodeURIComponent(hash.slice(CHAT_PREFIX.length));
  } catch {
    return undefined;
  }

  return address === '' ? undefined : { kind: 'open-chat', address };
}
