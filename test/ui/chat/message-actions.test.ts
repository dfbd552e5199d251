import { describe, expect, it } from 'vitest';
import { actionsFor } from '../../../src/ui/chat/message-actions.ts';

describe('actionsFor', () => {
  it('offers every action on an own message', () => {
    expect(actionsFor({ direction: 'out', deletedAt: undefined })).toEqual(['edit', 'delete-for-me', 'delete-for-everyone']);
  });

  it('offers no edit on an own file message, whose text is the file name', () => {
    const file = { name: 'a.bin', type: '', sizeBytes: 1, sha256: 'x', partBytes: 65_536 };
    expect(actionsFor({ direction: 'out', deletedAt: undefined, file })).toEqual(['delete-for-me', 'delete-for-everyone']);
  });

  it('offers only delete for me otherwise', () => {
    expect(actionsFor({ direction: 'in', deletedAt: undefined })).toEqual(['delete-for-me']);
    expect(actionsFor({ direction: 'out', deletedAt: 5 })).toEqual(['delete-for-me']);
  });
});
