import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../src/core/bytes.ts';
import { FrameError } from '../../../src/core/errors.ts';
import { FILE_PART_BYTES } from '../../../src/core/files/file-meta.ts';
import { chatPayloadOf, decodePayload } from '../../../src/core/messages.ts';
import type { MessageRecord } from '../../../src/core/storage-port.ts';
import { makeUser } from '../helpers.ts';

const base = { t: 'msg', id: 'message-0001', instance: 'instance-0001', seq: 1, sentAt: 1_700_000_000_000 };

function decode(fields: Record<string, unknown>): ReturnType<typeof decodePayload> {
  return decodePayload(utf8(JSON.stringify({ ...base, ...fields })));
}

describe('control message payloads', () => {
  it('round-trips a broadcast copy and a control through the wire form', () => {
    const record: MessageRecord = {
      ...base,
      t: undefined,
      conversation: 'mt1peer',
      direction: 'out',
      sender: 'mt1self',
      text: '',
      storedAt: 1,
      status: 'queued',
      control: { kind: 'opt-out', declined: ['message-0002'] },
    } as unknown as MessageRecord;

    expect(decodePayload(utf8(JSON.stringify(chatPayloadOf(record))))).toEqual({ ...base, text: '', control: { kind: 'opt-out', declined: ['message-0002'] } });
    expect(decode({ text: 'Hi Bob', broadcast: true })).toEqual({ ...base, text: 'Hi Bob', broadcast: true });
  });

  it('keeps file details beside the broadcast mark on the wire', () => {
    const file = { name: 'menu.pdf', type: 'application/pdf', sizeBytes: 1200, sha256: 'a'.repeat(43), partBytes: FILE_PART_BYTES };
    const record = {
      ...base,
      conversation: 'mt1peer',
      direction: 'out',
      sender: 'mt1self',
      text: 'menu.pdf',
      storedAt: 1,
      status: 'queued',
      isBroadcast: true,
      file,
    } as unknown as MessageRecord;

    expect(decodePayload(utf8(JSON.stringify(chatPayloadOf(record))))).toEqual({ ...base, text: 'menu.pdf', broadcast: true, file });
  });

  it('keeps only the known fields of a control', () => {
    const card = makeUser('Alice').card.wire;

    expect(decode({ text: '', control: { kind: 'opt-in', extra: 1 } })).toMatchObject({ control: { kind: 'opt-in' } });
    expect(decode({ text: '', control: { kind: 'profile', card, status: 'hi', note: 'x' } })).toMatchObject({
      control: { kind: 'profile', card, status: 'hi' },
    });
  });

  it.each([
    ['an unknown kind', { text: '', control: { kind: 'promote' } }, /unknown control kind/],
    ['text beside a control', { text: 'hello', control: { kind: 'opt-out' } }, /control message carries text/],
    ['a rotation beside a control', { text: '', control: { kind: 'opt-in' }, rotation: {} }, /control message carries a rotation statement/],
    ['a broadcast mark that is not true', { text: 'hi', broadcast: 'yes' }, /broadcast mark/],
    ['declined ids that are no list', { text: '', control: { kind: 'opt-out', declined: 'message-0002' } }, /declined ids/],
    ['a declined id of the wrong form', { text: '', control: { kind: 'opt-out', declined: ['bad id'] } }, /declined id is invalid/],
    ['too many declined ids', { text: '', control: { kind: 'opt-out', declined: Array.from({ length: 513 }, (_, i) => `message-${i}00000`) } }, /declined ids/],
    ['a profile without card', { text: '', control: { kind: 'profile', status: '' } }, /profile card is missing/],
    ['a long status', { text: '', control: { kind: 'profile', card: {}, status: 'x'.repeat(141) } }, /profile status/],
    ['an SVG avatar', { text: '', control: { kind: 'profile', card: {}, status: '', avatar: 'data:image/svg+xml;base64,AAAA' } }, /avatar/],
    ['an avatar over the size limit', { text: '', control: { kind: 'profile', card: {}, status: '', avatar: `data:image/png;base64,${'A'.repeat(12_001)}` } }, /avatar/],
    ['a join without token', { text: '', control: { kind: 'join', list: 'list-0000001' } }, /join token/],
    ['a join with a bad list id', { text: '', control: { kind: 'join', list: '../x', token: 'token-0123456789abcdef' } }, /join list id/],
  ])('rejects %s', (_, fields, message) => {
    expect(() => decode(fields)).toThrow(FrameError);
    expect(() => decode(fields)).toThrow(message);
  });
});
