/**
 * Text waiting to be placed into a conversation's composer, such as a share from another app.
 * The composer takes it once when it opens. It is kept in memory only, so the user sees it in
 * the composer and decides whether to send it.
 */

const pendingDrafts = new Map<string, string>();

export function setPendingDraft(conversation: string, text: string): void {
  pendingDrafts.set(conversation, text);
}

/** Returns the text waiting for this conversation, if any, and removes it. */
export function takePendingDraft(conversation: string): string | undefined {
  const text = pendingDrafts.get(conversation);
  pendingDrafts.delete(conversation);

  return text;
}
