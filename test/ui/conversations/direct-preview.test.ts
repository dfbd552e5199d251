import { describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../../src/core/storage-port.ts';
import { previewDirectMessage } from '../../../src/ui/conversations/direct-preview.ts';

function message(fields: Partial<MessageRecord>): MessageRecord {
  return { id: 'message-0001', conversation: 'mt1bob', direction: 'in', sender: 'mt1bob', instance: 'instance-0001', seq: 1, text: 'see you', sentAt: 10, storedAt: 10, status: 'received', ...fields };
}

describe('previewDirectMessage', () => {
  it.each([
    ['no message', undefined, 'No messages yet'],
    ['incoming text', message({}), 'see you'],
    ['own text', message({ direction: 'out', status: 'sent' }), 'You: see you'],
    ['edited incoming text', message({ text: 'see you at 6', editedAt: 20 }), 'see you at 6 (edited)'],
    ['edited own text', message({ direction: 'out', text: 'see you at 6', editedAt: 20 }), 'You: see you at 6 (edited)'],
    ['incoming deletion', message({ text: '', deletedAt: 20 }), 'This message was deleted.'],
    ['own deletion', message({ direction: 'out', text: '', deletedAt: 20 }), 'You deleted this message.'],
  ])('previews %s', (_case, last, expected) => {
    expect(previewDirectMessage(last)).toBe(expected);
  });
});
