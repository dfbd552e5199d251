/**
 * Writes text to the clipboard and returns whether that worked. The Clipboard API is missing
 * outside secure contexts and may be denied by permissions or a browser policy.
 */
export async function copyToClipboard(text: string): Promise<boolean> {
  if (!navigator.clipboard) return false;

  try {
    await navigator.clipboard.writeText(text);

    return true;
  } catch {
    return false;
  }
}
