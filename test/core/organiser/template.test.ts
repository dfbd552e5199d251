import { describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH } from '../../../src/core/messages.ts';
import { parseTemplate, renderTemplate, TemplateError, valuesForName } from '../../../src/core/organiser/template.ts';

const fallbacks = { name: 'there', first: 'friend' };

function render(source: string, displayName: string | undefined): string {
  return renderTemplate(parseTemplate(source), displayName === undefined ? {} : valuesForName(displayName), fallbacks);
}

function templateError(source: string): TemplateError {
  try {
    parseTemplate(source);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error(`template ${JSON.stringify(source)} was accepted`);
}

describe('broadcast template', () => {
  it('fills name and first name', () => {
    expect(render('Hi {name}, see you, {first}!', 'Ada Lovelace')).toBe('Hi Ada Lovelace, see you, Ada!');
  });

  it('matches placeholders regardless of case and spaces', () => {
    expect(render('Hi { Name } and {FIRST}', 'Ada Lovelace')).toBe('Hi Ada Lovelace and Ada');
  });

  it('uses the fallback word for a missing name', () => {
    expect(render('Hi {name}, and {first}', undefined)).toBe('Hi there, and friend');
  });

  it('uses the fallback word for a blank or invisible name', () => {
    expect(render('Hi {name}!', '   ')).toBe('Hi there!');
    expect(render('Hi {name}!', '\u200b\u200d')).toBe('Hi there!');
    expect(render('Hi {first}!', '\u200b')).toBe('Hi friend!');
  });

  it('strips format characters and extra spaces from names', () => {
    expect(render('Hi {name}.', ' Ada\u200b   Lovelace ')).toBe('Hi Ada Lovelace.');
  });

  it('keeps doubled braces as literal braces', () => {
    expect(render('Use {{name}} to write {name}', 'Bo')).toBe('Use {name} to write Bo');
    expect(render('smile :}', 'Bo')).toBe('smile :}');
  });

  it('keeps a template without placeholders as written', () => {
    expect(render('  Meeting at six  ', 'Bo')).toBe('Meeting at six');
  });

  it('rejects an unknown placeholder and names it', () => {
    const error = templateError('Hi {nmae}!');

    expect(error.code).toBe('unknown-placeholder');
    expect(error.placeholder).toBe('nmae');
    expect(error.message).toContain('{name}');
  });

  it('rejects an empty placeholder', () => {
    expect(templateError('Hi {}').code).toBe('unknown-placeholder');
  });

  it('rejects an unclosed placeholder', () => {
    expect(templateError('Hi {name').code).toBe('unclosed-placeholder');
    expect(templateError('Hi {name {first}').code).toBe('unclosed-placeholder');
  });

  it('rejects an empty template', () => {
    expect(templateError('  \n ').code).toBe('empty');
  });

  it('rejects a copy longer than the message limit', () => {
    const template = parseTemplate(`${'x'.repeat(MAX_TEXT_LENGTH - 3)}{name}`);

    expect(renderTemplate(template, valuesForName('Bob'), fallbacks)).toHaveLength(MAX_TEXT_LENGTH);
    expect(() => renderTemplate(template, valuesForName('Bobby'), fallbacks)).toThrow(TemplateError);
  });
});
