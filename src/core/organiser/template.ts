/**
 * Broadcast templates: text with placeholders such as `{name}` that is filled in separately for
 * each recipient. A template is parsed once when the organiser composes it, so an unknown or
 * unclosed placeholder is reported before anything is queued. `{{` and `}}` stand for literal
 * braces; a lone `}` is kept as written.
 */

import { MAX_TEXT_LENGTH } from '../messages.ts';

/** The placeholders a template may use, all filled from the recipient's contact record. */
export const PLACEHOLDERS = ['name', 'first'] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];

/** Values for one recipient; a missing, blank or invisible value gets the fallback word. */
export type PlaceholderValues = Partial<Record<Placeholder, string>>;

/** Words used where a recipient has no value, such as "there" in "Hi {name}". */
export type PlaceholderFallbacks = Record<Placeholder, string>;

export type TemplatePart = { text: string } | { placeholder: Placeholder };

export interface Template {
  source: string;
  parts: TemplatePart[];
}

export type TemplateErrorCode = 'empty' | 'unknown-placeholder' | 'unclosed-placeholder' | 'too-long';

/** A template that cannot be sent. `placeholder` names the offending one, when there is one. */
export class TemplateError extends RangeError {
  override name = 'TemplateError';
  readonly code: TemplateErrorCode;
  readonly placeholder: string | undefined;

  constructor(code: TemplateErrorCode, message: string, placeholder?: string) {
    super(message);
    this.code = code;
    this.placeholder = placeholder;
  }
}

/**
 * Parses a template. Placeholder names are matched without regard to case or surrounding
 * spaces, so `{ Name }` is `{name}`.
 * @throws TemplateError for an empty template, an unknown placeholder or an unclosed `{`.
 */
export function parseTemplate(source: string): Template {
  const text = source.trim();
  if (text.length === 0) throw new TemplateError('empty', 'the message is empty');

  const parts: TemplatePart[] = [];
  let literal = '';
  let index = 0;

  while (index < text.length) {
    const char = text[index]!;
    const next = text[index + 1];

    if ((char === '{' && next === '{') || (char === '}' && next === '}')) {
      literal += char;
      index += 2;
      continue;
    }
    if (char !== '{') {
      literal += char;
      index += 1;
      continue;
    }

    const close = text.indexOf('}', index + 1);
    const nextOpen = text.indexOf('{', index + 1);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      throw new TemplateError('unclosed-placeholder', `the placeholder at position ${index + 1} has no closing brace`);
    }

    const written = text.slice(index + 1, close);
    const placeholder = toPlaceholder(written);
    if (!placeholder) {
      throw new TemplateError('unknown-placeholder', `unknown placeholder {${written}}; use ${PLACEHOLDERS.map((name) => `{${name}}`).join(' or ')}`, written);
    }

    if (literal) parts.push({ text: literal });
    literal = '';
    parts.push({ placeholder });
    index = close + 1;
  }
  if (literal) parts.push({ text: literal });

  return { source: text, parts };
}

/**
 * Fills a parsed template for one recipient. Values lose format characters (such as
 * zero-width spaces) and extra white space first, and one left empty takes its fallback.
 * @throws TemplateError ('too-long') when the result exceeds MAX_TEXT_LENGTH.
 */
export function renderTemplate(template: Template, values: PlaceholderValues, fallbacks: PlaceholderFallbacks): string {
  const rendered = template.parts
    .map((part) => ('text' in part ? part.text : cleanValue(values[part.placeholder]) || fallbacks[part.placeholder]))
    .join('');

  if (rendered.length > MAX_TEXT_LENGTH) {
    throw new TemplateError('too-long', `the message is longer than ${MAX_TEXT_LENGTH} characters for at least one recipient`);
  }

  return rendered;
}

/** Returns the placeholder values of a contact with this display name. */
export function valuesForName(displayName: string): PlaceholderValues {
  const name = cleanValue(displayName);

  return { name, first: name.split(' ')[0] ?? '' };
}

function cleanValue(value: string | undefined): string {
  return (value ?? '').replace(/\p{Cf}/gu, '').replace(/\s+/g, ' ').trim();
}

function toPlaceholder(written: string): Placeholder | undefined {
  const name = written.trim().toLowerCase();

  return PLACEHOLDERS.find((placeholder) => placeholder === name);
}
