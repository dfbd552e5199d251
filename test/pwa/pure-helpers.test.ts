import { describe, expect, it } from 'vitest';
import { isIosUserAgent } from '../../src/pwa/install-prompt.svelte.ts';
import { formatBytes } from '../../src/pwa/storage-status.svelte.ts';

describe('isIosUserAgent', () => {
  it.each([
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15', 0, true],
    ['Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15', 5, true],
    // iPadOS 13 and later: a Mac user agent with touch points.
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15', 5, true],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15', 0, false],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile', 5, false],
  ])('%s with %d touch points is %s', (userAgent, maxTouchPoints, expected) => {
    expect(isIosUserAgent(userAgent, maxTouchPoints)).toBe(expected);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [999, '999 bytes'],
    [1000, '1.0 kB'],
    [1_234_567, '1.2 MB'],
    [11_000_000_000, '11 GB'],
    [5e15, '5000 TB'],
  ])('formats %d as %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });
});
