import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toBase64Url } from '../../src/core/bytes.ts';
import { createIdentity, openAuthenticatedControl, requestMailbox, type TestSocket } from './relay-client.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const STARTUP_TIMEOUT_MS = 15_000;
const ACKNOWLEDGED_BEFORE_KILL = 300;
const STORES_IN_FLIGHT = 64;

let dataDir: string;
let emptyAppDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'meshtext-relay-durability-'));
  emptyAppDir = await mkdtemp(path.join(tmpdir(), 'meshtext-relay-no-app-'));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
  await rm(emptyAppDir, { recursive: true, force: true });
});

/** Starts `signaling/main.ts` as its own process and resolves with its URL once it listens. */
function spawnRelay(): Promise<{ child: ChildProcess; url: string }> {
  // Started with node itself, not npx, so that the signal reaches the relay process.
  const child = spawn(
    process.execPath,
    [
      '--import', 'tsx', 'signaling/main.ts',
      '--host', '127.0.0.1', '--port', '0',
      '--data-dir', dataDir, '--static-dir', emptyAppDir,
      '--log-level', 'warn',
      '--mailbox-put-rate', '100000', '--mailbox-put-burst', '100000',
      '--control-rate', '100000', '--control-burst', '100000',
      '--mailbox-max-envelopes', '100000',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));

  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`relay did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`)), STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /Meshtext is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] === undefined) return;

      clearTimeout(timer);
      resolve({ child, url: match[1] });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited with ${String(code)} before it listened:\n${output}`));
    });
  });
}

/**
 * Sends stores as fast as acknowledgements allow, keeping a fixed number in flight, and calls
 * `onAcknowledged` with the id of each. Stops sending once `shouldStop` returns true.
 */
function storeBurst(control: TestSocket, to: string, onAcknowledged: (id: string) => void, shouldStop: () => boolean): { sent: () => number } {
  let sent = 0;
  const sendNext = (): void => {
    if (shouldStop()) return;
    sent += 1;
    control.sendJson({ type: 'mailbox-put', requestId: `burst-${sent}`, to, envelope: toBase64Url(new Uint8Array(512).fill(sent % 256)) });
  };

  control.socket.on('message', (data) => {
    const reply = JSON.parse(String(data)) as { type: string; id?: string };
    if (reply.type !== 'mailbox-stored' || reply.id === undefined) return;
    onAcknowledged(reply.id);
    sendNext();
  });
  for (let index = 0; index < STORES_IN_FLIGHT; index++) sendNext();

  return { sent: () => sent };
}

async function fetchAllIds(control: TestSocket): Promise<Set<string>> {
  const ids = new Set<string>();

  for (;;) {
    const reply = await requestMailbox(control, { type: 'mailbox-fetch', limit: 100 });
    const page = (reply.envelopes as { id: string }[]).map((envelope) => envelope.id);
    if (page.length === 0) return ids;

    for (const id of page) ids.add(id);
    await requestMailbox(control, { type: 'mailbox-delete', ids: page });
  }
}

describe('mailbox durability', () => {
  test(
    'acknowledged envelopes survive kill -9',
    async () => {
      const bob = createIdentity();
      const first = await spawnRelay();
      const aliceControl = await openAuthenticatedControl(first.url, createIdentity());
      const acknowledged: string[] = [];
      let isKilled = false;

      const exited = new Promise((resolve) => first.child.once('exit', resolve));
      const burst = storeBurst(
        aliceControl,
        bob.address,
        (id) => {
          if (isKilled) return;
          acknowledged.push(id);
          if (acknowledged.length === ACKNOWLEDGED_BEFORE_KILL) {
            isKilled = true;
            first.child.kill('SIGKILL');
          }
        },
        () => isKilled,
      );
      expect(await exited).toBeNull();
      await aliceControl.closed;

      // Stores were still in flight when the process died, so the kill cut a burst.
      expect(burst.sent()).toBeGreaterThan(acknowledged.length);

      const second = await spawnRelay();
      const bobControl = await openAuthenticatedControl(second.url, bob);
      const recovered = await fetchAllIds(bobControl);

      const missing = acknowledged.filter((id) => !recovered.has(id));
      expect(missing).toEqual([]);
      expect(recovered.size).toBeGreaterThanOrEqual(ACKNOWLEDGED_BEFORE_KILL);
      bobControl.socket.close();
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    },
    60_000,
  );
});
