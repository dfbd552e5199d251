import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FILE_PART_BYTES, MAX_FILE_BYTES } from '../../../src/core/files/file-meta.ts';
import { MAX_SENT_FRAME_BYTES } from '../../../src/core/transfer/fragments.ts';
import { HIGH_WATER_BYTES } from '../../../src/core/transfer/send-scheduler.ts';
import { FileTooLargeError } from '../../../src/core/transfer/transfer-errors.ts';
import { MemoryNetwork } from '../memory-network.ts';
import { waitFor } from '../messenger-peers.ts';
import { bodyOf, patternedBytes, startFilePair, startFilePeer, stopAllFilePeers, type FilePeer } from './file-peers.ts';

afterEach(() => stopAllFilePeers());

const transferTimeoutMs = 30_000;

/** SHA-256 in hex, to compare megabytes of bytes without a slow deep comparison. */
function hashOf(bytes: Uint8Array | undefined): string {
  return bytes ? createHash('sha256').update(bytes).digest('hex') : 'missing';
}

function fileState(peer: FilePeer, id: string): { state?: string; partsDone?: number } {
  const file = peer.files.files.get(id);

  return { state: file?.state, partsDone: file?.partsDone };
}

describe('file transfer', () => {
  it('delivers 1 MB and 5 MB files byte-identical with progress on both sides', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await startFilePair(network);
    const small = patternedBytes(1_000_000, 1);
    const large = patternedBytes(5 * 1024 * 1024 + 123, 2);
    const bobProgress = new Set<number>();
    const aliceProgress = new Set<number>();

    const first = await alice.messenger.sendFile(bob.address, { name: 'small.bin', type: '' }, bodyOf(small));
    const second = await alice.messenger.sendFile(bob.address, { name: 'large.bin', type: 'application/x-test' }, bodyOf(large));
    await waitFor(
      () => {
        bobProgress.add(fileState(bob, second.id).partsDone ?? -1);
        aliceProgress.add(fileState(alice, second.id).partsDone ?? -1);
        return fileState(alice, second.id).state === 'complete';
      },
      'both files to arrive',
      transferTimeoutMs,
    );

    expect(fileState(bob, first.id).state).toBe('complete');
    expect(fileState(bob, second.id).state).toBe('complete');
    expect(hashOf(bob.files.bodies.get(first.id))).toBe(hashOf(small));
    expect(hashOf(bob.files.bodies.get(second.id))).toBe(hashOf(large));
    expect(fileState(alice, first.id).state).toBe('complete');
    expect(bob.storage.messages.get(second.id)?.file?.name).toBe('large.bin');
    expect(bob.storage.messages.get(second.id)?.text).toBe('large.bin');
    // Progress was seen between the start and the end on both sides, not only at the end.
    const partCount = Math.ceil(large.length / FILE_PART_BYTES);
    expect([...bobProgress].filter((done) => done > 0 && done < partCount).length).toBeGreaterThan(2);
    expect([...aliceProgress].filter((done) => done > 0 && done < partCount).length).toBeGreaterThan(2);
  });

  it('keeps every frame under 16 KiB and the channel under its high-water mark', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await startFilePair(network);

    const message = await alice.messenger.sendFile(bob.address, { name: 'a.bin', type: '' }, bodyOf(patternedBytes(3_000_000, 3)));
    await waitFor(() => fileState(bob, message.id).state === 'complete', 'the file to arrive', transferTimeoutMs);

    expect(Math.max(...network.wire.map((frame) => frame.length))).toBeLessThanOrEqual(MAX_SENT_FRAME_BYTES);
    expect(network.peakBufferedBytes).toBeLessThan(HIGH_WATER_BYTES + MAX_SENT_FRAME_BYTES);
    expect(network.drainEvents).toBeGreaterThan(0);
  });

  it('lets a chat message overtake the rest of a file', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await startFilePair(network);
    const message = await alice.messenger.sendFile(bob.address, { name: 'big.bin', type: '' }, bodyOf(patternedBytes(8_000_000, 4)));
    const partCount = Math.ceil(8_000_000 / FILE_PART_BYTES);
    await waitFor(() => (fileState(bob, message.id).partsDone ?? 0) >= 2, 'the transfer to start', transferTimeoutMs);

    await alice.messenger.sendText(bob.address, 'sent during the file');
    await waitFor(() => [...bob.storage.messages.values()].some((stored) => stored.text === 'sent during the file'), 'the chat message');

    expect(fileState(bob, message.id).partsDone).toBeLessThan(partCount / 2);
    await waitFor(() => fileState(bob, message.id).state === 'complete', 'the file to arrive', transferTimeoutMs);
  });

  it('resumes after a dropped link from the first missing part', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await startFilePair(network);
    const bytes = patternedBytes(4_000_000, 5);
    const partCount = Math.ceil(bytes.length / FILE_PART_BYTES);
    const message = await alice.messenger.sendFile(bob.address, { name: 'resumed.bin', type: '' }, bodyOf(bytes));
    await waitFor(() => (fileState(bob, message.id).partsDone ?? 0) >= 10, 'part of the file', transferTimeoutMs);

    bob.messenger.stop();
    network.leave(bob.address);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const keptParts = fileState(bob, message.id).partsDone ?? 0;
    expect(keptParts).toBeGreaterThanOrEqual(10);
    expect(keptParts).toBeLessThan(partCount);
    expect(fileState(bob, message.id).state).toBe('receiving');

    const returned = await startFilePeer(network, 'Bob', bob.storage, bob.files);
    await waitFor(() => fileState(returned, message.id).state === 'complete', 'the rest of the file', transferTimeoutMs);

    expect(hashOf(returned.files.bodies.get(message.id))).toBe(hashOf(bytes));
    // Each part was stored once: what Bob kept was not fetched again.
    expect(returned.files.partWrites).toBe(partCount);
    await waitFor(() => fileState(alice, message.id).state === 'complete', 'alice to see the file complete');
  });

  it('redials the sender to finish a file', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await startFilePair(network);
    const bytes = patternedBytes(3_000_000, 14);
    const message = await alice.messenger.sendFile(bob.address, { name: 'redialled.bin', type: '' }, bodyOf(bytes));
    await waitFor(() => (fileState(bob, message.id).partsDone ?? 0) >= 5, 'part of the file', transferTimeoutMs);

    // The link drops while both stay online, and no outbox entry makes either side dial.
    network.blockDirectLinks = true;
    network.cut(alice.address, bob.address);
    await alice.messenger.deliverAll();
    await bob.messenger.deliverAll();
    expect(fileState(bob, message.id).state).toBe('receiving');
    expect(bob.messenger.isConnected(alice.address)).toBe(false);

    network.blockDirectLinks = false;
    await bob.messenger.deliverAll();
    await waitFor(() => fileState(bob, message.id).state === 'complete', 'the rest of the file', transferTimeoutMs);

    expect(hashOf(bob.files.bodies.get(message.id))).toBe(hashOf(bytes));
  });

  it('finishes a file once during a resume', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await startFilePair(network);
    let openGate = (): void => {};
    bob.files.completeGate = new Promise((resolve) => (openGate = resolve));
    const bytes = patternedBytes(1_000_000, 15);
    const partCount = Math.ceil(bytes.length / FILE_PART_BYTES);
    const message = await alice.messenger.sendFile(bob.address, { name: 'once.bin', type: '' }, bodyOf(bytes));
    await waitFor(() => bob.files.completeCalls === 1, 'every part stored', transferTimeoutMs);
    expect(fileState(bob, message.id)).toEqual({ state: 'receiving', partsDone: partCount });

    // A delivery round requests missing parts on every ready link while the file is being finished.
    await bob.messenger.deliverAll();
    await new Promise((resolve) => setTimeout(resolve, 50));
    openGate();

    await waitFor(() => fileState(bob, message.id).state === 'complete', 'the finished file');
    expect(bob.files.completeCalls).toBe(1);
    expect(hashOf(bob.files.bodies.get(message.id))).toBe(hashOf(bytes));
  });

  it('retries on the same link after a failed write', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await startFilePair(network);
    const bytes = patternedBytes(2_000_000, 8);
    const message = await alice.messenger.sendFile(bob.address, { name: 'full-disk.bin', type: '' }, bodyOf(bytes));
    await waitFor(() => (fileState(bob, message.id).partsDone ?? 0) >= 3, 'part of the file', transferTimeoutMs);

    bob.files.failPartWrites = true;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stuckAt = fileState(bob, message.id).partsDone ?? 0;
    expect(fileState(bob, message.id).state).toBe('receiving');
    expect(stuckAt).toBeLessThan(Math.ceil(bytes.length / FILE_PART_BYTES));

    bob.files.failPartWrites = false;
    await bob.messenger.deliverAll();
    await waitFor(() => fileState(bob, message.id).state === 'complete', 'the rest of the file', transferTimeoutMs);

    expect(hashOf(bob.files.bodies.get(message.id))).toBe(hashOf(bytes));
  });

  it('finishes later when joining the parts failed', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await startFilePair(network);
    const bytes = patternedBytes(500_000, 9);
    bob.files.failCompletes = true;

    const message = await alice.messenger.sendFile(bob.address, { name: 'late.bin', type: '' }, bodyOf(bytes));
    const partCount = Math.ceil(bytes.length / FILE_PART_BYTES);
    await waitFor(() => fileState(bob, message.id).partsDone === partCount, 'every part', transferTimeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fileState(bob, message.id).state).toBe('receiving');

    bob.files.failCompletes = false;
    await bob.messenger.deliverAll();
    await waitFor(() => fileState(bob, message.id).state === 'complete', 'the file to complete', transferTimeoutMs);

    expect(hashOf(bob.files.bodies.get(message.id))).toBe(hashOf(bytes));
    await waitFor(() => fileState(alice, message.id).state === 'complete', 'alice to see the file complete');
  });

  it('rejects a file over the cap before reading it and stores nothing', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await startFilePair(network);
    const body = { ...bodyOf(new Uint8Array(0)), size: MAX_FILE_BYTES + 1 };

    const sending = alice.messenger.sendFile(bob.address, { name: 'huge.bin', type: '' }, body);

    await expect(sending).rejects.toThrow(FileTooLargeError);
    await expect(sending).rejects.toThrow(`file of ${MAX_FILE_BYTES + 1} bytes exceeds the maximum of ${MAX_FILE_BYTES} bytes`);
    expect(body.reads).toBe(0);
    expect(alice.storage.messages.size).toBe(0);
    expect(alice.storage.outbox.size).toBe(0);
    expect(alice.files.files.size).toBe(0);
  });

  it('rejects an empty file', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await startFilePair(network);

    await expect(alice.messenger.sendFile(bob.address, { name: 'empty', type: '' }, bodyOf(new Uint8Array(0)))).rejects.toThrow('file is empty');
    expect(alice.storage.messages.size).toBe(0);
  });

  it('marks a received file failed when its bytes do not match the hash', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await startFilePair(network);
    bob.messenger.stop();
    network.leave(bob.address);
    const message = await alice.messenger.sendFile(bob.address, { name: 'bad.bin', type: '' }, bodyOf(patternedBytes(300_000, 6)));
    alice.files.bodies.get(message.id)![1000]! ^= 0xff;

    const returned = await startFilePeer(network, 'Bob', bob.storage, bob.files);
    await waitFor(() => fileState(returned, message.id).state === 'failed', 'the file to fail', transferTimeoutMs);

    expect(returned.files.bodies.has(message.id)).toBe(false);
    expect(returned.files.parts.has(message.id)).toBe(false);
    expect(fileState(alice, message.id).state).toBe('sending');
  });
});

describe('file transfer from a message request', () => {
  it('waits until the request is accepted', async () => {
    const network = new MemoryNetwork();
    const alice = await startFilePeer(network, 'Alice');
    const bob = await startFilePeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    const bytes = patternedBytes(200_000, 7);

    const message = await alice.messenger.sendFile(bob.address, { name: 'unasked.bin', type: '' }, bodyOf(bytes));
    await waitFor(() => fileState(bob, message.id).state === 'receiving', 'the file message');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fileState(bob, message.id).partsDone).toBe(0);

    await bob.messenger.acceptRequest(alice.address);
    await waitFor(() => fileState(bob, message.id).state === 'complete', 'the file after accepting', transferTimeoutMs);
    expect(hashOf(bob.files.bodies.get(message.id))).toBe(hashOf(bytes));
  });

  it('deletes a file message for everyone and refuses to edit it', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await startFilePair(network);
    const message = await alice.messenger.sendFile(bob.address, { name: 'photo.bin', type: '' }, bodyOf(patternedBytes(200_000, 8)));
    await waitFor(() => fileState(bob, message.id).state === 'complete', 'the file to arrive', transferTimeoutMs);

    await expect(alice.messenger.editMessage(message.id, 'renamed.bin')).rejects.toThrow('a file message cannot be edited');
    expect(alice.storage.messages.get(message.id)?.text).toBe('photo.bin');

    await alice.messenger.deleteForEveryone(message.id);
    await waitFor(() => bob.storage.messages.get(message.id)?.deletedAt !== undefined, 'bob to see the deletion');
    expect(bob.storage.messages.get(message.id)?.text).toBe('');
    const revision = [...bob.storage.messages.values()].find((row) => row.revises?.target === message.id);
    expect(revision?.revises?.action).toBe('delete');
    expect(revision?.file).toBeUndefined();
  });
});
