import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_FILE_BYTES } from '../../../src/core/files/file-meta.ts';
import { FileTooLargeError } from '../../../src/core/transfer/transfer-errors.ts';
import type { SharedFile } from '../../../src/pwa/share-inbox.ts';
import { sendSharedFiles, type ShareSender } from '../../../src/ui/state/send-shared-files.ts';

/** Records what is sent, and fails for the file names in `failing`. */
function recordingSender(failing: Record<string, Error> = {}): ShareSender & { sent: string[] } {
  const sent: string[] = [];

  return {
    sent,
    async sendFile(conversation, file) {
      const failure = failing[file.name];
      if (failure) throw failure;
      sent.push(`${conversation} file ${file.name} ${file.type} ${await file.text()}`);
    },
    async sendText(conversation, text) {
      const failure = failing['text'];
      if (failure) throw failure;
      sent.push(`${conversation} text ${text}`);
    },
  };
}

function sharedFile(name: string, content: string, type = 'text/plain'): SharedFile {
  return { name, type, sizeBytes: content.length, body: new Blob([content]) };
}

describe('sendSharedFiles', () => {
  // describeError logs unexpected errors, which some tests cause on purpose.
  beforeEach(() => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('sends files in order, then the text', async () => {
    const sender = recordingSender();

    const problems = await sendSharedFiles(sender, 'bob', [sharedFile('a.txt', 'one'), sharedFile('b.png', 'two', 'image/png')], 'caption');

    expect(problems).toEqual([]);
    expect(sender.sent).toEqual(['bob file a.txt text/plain one', 'bob file b.png image/png two', 'bob text caption']);
  });

  it('skips blank text', async () => {
    const sender = recordingSender();

    await sendSharedFiles(sender, 'bob', [sharedFile('a.txt', 'one')], '  ');

    expect(sender.sent).toEqual(['bob file a.txt text/plain one']);
  });

  it('rejects a file over the cap and sends the rest', async () => {
    const sender = recordingSender();
    const huge: SharedFile = { name: 'huge.mov', type: 'video/quicktime', sizeBytes: 26 * 1024 * 1024 };

    const problems = await sendSharedFiles(sender, 'bob', [huge, sharedFile('a.txt', 'one')], 'caption');

    expect(problems).toEqual(['“huge.mov” is 26 MB. Files can be at most 25 MB.']);
    expect(sender.sent).toEqual(['bob file a.txt text/plain one', 'bob text caption']);
  });

  it('rejects an empty file by name', async () => {
    const sender = recordingSender();

    const problems = await sendSharedFiles(sender, 'bob', [sharedFile('empty.txt', '')], '');

    expect(problems).toEqual(['“empty.txt” is empty, so there is nothing to send.']);
    expect(sender.sent).toEqual([]);
  });

  it('reports the cap error the app throws', async () => {
    const sender = recordingSender({ 'a.txt': new FileTooLargeError(MAX_FILE_BYTES + 1, MAX_FILE_BYTES) });

    const problems = await sendSharedFiles(sender, 'bob', [sharedFile('a.txt', 'one')], '');

    expect(problems).toEqual(['“a.txt” is 25 MB. Files can be at most 25 MB.']);
  });

  it('names a file whose storing failed and sends the rest', async () => {
    const sender = recordingSender({ 'a.txt': new Error('quota exceeded') });

    const problems = await sendSharedFiles(sender, 'bob', [sharedFile('a.txt', 'one'), sharedFile('b.txt', 'two')], 'caption');

    expect(problems).toEqual(['“a.txt” could not be saved. Share it again.']);
    expect(sender.sent).toEqual(['bob file b.txt text/plain two', 'bob text caption']);
  });

  it('reports failed text', async () => {
    const sender = recordingSender({ text: new Error('quota exceeded') });

    const problems = await sendSharedFiles(sender, 'bob', [], 'caption');

    expect(problems).toEqual(['The shared text could not be saved. Share it again.']);
  });
});
