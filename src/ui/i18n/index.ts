import { messages, type MessageKey } from './en.ts';

export type { MessageKey };

/** Values for the `{placeholder}` marks of a message. */
export type MessageParams = Record<string, string | number>;

/**
 * Returns the interface text for `key` with each `{name}` mark replaced by `params.name`.
 * A mark without a value stays as written, so a missing parameter shows up on screen.
 */
export function t(key: MessageKey, params?: MessageParams): string {
  const template: string = messages[key];
  if (!params) return template;

  return template.replace(/\{(\w+)\}/g, (mark, name: string) => {
    const value = params[name];

    return value === undefined ? mark : String(value);
  });
}

const pluralRules = new Intl.PluralRules('en');

/**
 * Returns the text for `count` things: `one` where the language uses its singular form for that
 * count, `other` elsewhere. `count` is also passed as the `{count}` parameter.
 */
export function tCount(one: MessageKey, other: MessageKey, count: number, params?: MessageParams): string {
  return t(pluralRules.select(count) === 'one' ? one : other, { ...params, count });
}
