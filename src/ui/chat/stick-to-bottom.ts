import type { Attachment } from 'svelte/attachments';

/** Distance from the bottom, in pixels, within which the log counts as scrolled to the end. */
const BOTTOM_SLACK_PX = 48;

/**
 * Keeps a scrolling message log at its newest entry. New entries and size changes scroll it
 * down only while the reader is already at the bottom, so reading older messages is not
 * interrupted. The exception is a new own message (`data-direction="out"`), which always
 * scrolls down.
 */
export const stickToBottom: Attachment<HTMLElement> = (element) => {
  let isAtBottom = true;

  const scrollToEnd = (): void => {
    element.scrollTop = element.scrollHeight;
  };

  const handleScroll = (): void => {
    isAtBottom = element.scrollHeight - element.scrollTop - element.clientHeight <= BOTTOM_SLACK_PX;
  };

  const mutationObserver = new MutationObserver((records) => {
    const hasOwnNewEntry = records.some((record) =>
      [...record.addedNodes].some((node) => node instanceof HTMLElement && node.dataset.direction === 'out'),
    );

    if (isAtBottom || hasOwnNewEntry) {
      scrollToEnd();
      isAtBottom = true;
    }
  });

  const resizeObserver = new ResizeObserver(() => {
    if (isAtBottom) scrollToEnd();
  });

  scrollToEnd();
  element.addEventListener('scroll', handleScroll, { passive: true });
  // subtree, because the entries sit in a list inside the scrolling element.
  mutationObserver.observe(element, { childList: true, subtree: true });
  resizeObserver.observe(element);

  return () => {
    element.removeEventListener('scroll', handleScroll);
    mutationObserver.disconnect();
    resizeObserver.disconnect();
  };
};
