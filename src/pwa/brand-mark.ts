/**
 * The Meshtext mark as SVG markup: a speech bubble containing three connected nodes, on the
 * brand colour. `render-icons.ts` turns it into the favicon and the app icons.
 */

export const BRAND_COLOR = '#0f766e';

/** Glyph drawn on a 512 by 512 canvas: the bubble in white, the nodes in the brand colour. */
const GLYPH = `
  <g transform="translate(0 -12)">
    <rect x="104" y="120" width="304" height="232" rx="84" fill="#ffffff"/>
    <path d="M164 324 L136 412 L240 340 Z" fill="#ffffff" stroke="#ffffff" stroke-width="16" stroke-linejoin="round"/>
    <g stroke="${BRAND_COLOR}" stroke-width="18" stroke-linecap="round">
      <line x1="256" y1="186" x2="178" y2="276"/>
      <line x1="256" y1="186" x2="334" y2="276"/>
      <line x1="178" y1="276" x2="334" y2="276"/>
    </g>
    <g fill="${BRAND_COLOR}">
      <circle cx="256" cy="186" r="30"/>
      <circle cx="178" cy="276" r="30"/>
      <circle cx="334" cy="276" r="30"/>
    </g>
  </g>`;

export interface MarkOptions {
  /**
   * Fills the whole square and shrinks the glyph into the central safe zone (a circle of 80 %
   * of the width), which platforms keep when they crop maskable icons to their own shape.
   */
  isFullBleed: boolean;
  /** Scale of the glyph around the centre. */
  glyphScale: number;
}

export function brandMarkSvg({ isFullBleed, glyphScale }: MarkOptions): string {
  const background = isFullBleed
    ? `<rect width="512" height="512" fill="${BRAND_COLOR}"/>`
    : `<rect width="512" height="512" rx="112" fill="${BRAND_COLOR}"/>`;
  const offset = 256 * (1 - glyphScale);

  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">',
    background,
    `<g transform="translate(${offset} ${offset}) scale(${glyphScale})">${GLYPH}</g>`,
    '</svg>',
  ].join('');
}
