/**
 * Text and links that another app shares to Meshtext. The web manifest's `share_target` POSTs
 * them to /share, and public/sw-share-target.js redirects that to
 * `/share?title=…&text=…&url=…` (a GET request, so the service worker's navigation fallback
 * serves the app for it, offline too). The main screen takes the text from the URL once and
 * lets the user choose the chat it goes to.
 */

export const SHARE_TARGET_PATH = '/share';

/**
 * Returns the shared text when the page was opened as a share target, and replaces the URL
 * with the app's start URL so that a reload does not offer it again. Returns undefined for
 * any other URL, and for a share that carries no text.
 */
export function takeSharedTextFromLocation(): string | undefined {
  if (location.pathname !== SHARE_TARGET_PATH) return undefined;

  const text = composeSharedText(new URLSearchParams(location.search));
  history.replaceState(history.state, '', '/');

  return text;
}

/**
 * Joins the fields of a share into one message: the text, then the URL unless the text already
 * contains it. The title is used only when there is neither, because apps often repeat the
 * page title there.
 */
export function composeSharedText(params: URLSearchParams): string | undefined {
  const title = params.get('title')?.trim() ?? '';
  const text = params.get('text')?.trim() ?? '';
  const url = params.get('url')?.trim() ?? '';

  const parts = [text];
  if (url !== '' && !text.includes(url)) parts.push(url);
  const joined = parts.filter((part) => part !== '').join(' ');

  if (joined !== '') return joined;

  return title === '' ? undefined : title;
}

/** Returns the Meshtext invite link inside a shared text, if it contains one. */
export function findInviteLink(text: string): string | undefined {
  return /https?:\/\/\S+#\/invite\/\S+/.exec(text)?.[0];
}
