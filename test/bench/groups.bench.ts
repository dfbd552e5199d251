/**
 * Cost of group messaging, each figure beside a baseline measured in the same run:
 *
 *   - encrypting one 200-byte message once and authenticating it to 256 members (pair keys
 *     cached, as they are after the first message), beside sealing it 256 times with
 *     `nacl.secretbox` under precomputed pairwise keys, the cost of plain one-to-one fan-out.
 *     The first message computes the pair keys; after a restart they come from storage;
 *   - a group key rotation for 256 members, cold (every pair key computed first, as after a
 *     reload) and warm, with the cost per member, beside 256 `nacl.box.before` agreements alone;
 *   - catching up on 1,000 group messages from two senders in Chromium: the real app receives
 *     them as a member would from a relaying member, checks every sender's authenticator,
 *     decrypts and stores them in IndexedDB. The baseline stores the same 1,000 rows with one
 *     Dexie `bulkAdd` and no cryptography. The median of three rounds is reported.
 *
 * Node figures are medians of several runs on one core.
 */

import nacl from 'tweetnacl';
import { signCard } from '../../src/core/card.ts';
import { toBase64Url } from '../../src/core/bytes.ts';
import type { Epoch, WireGroupMessage } from '../../src/core/groups/group-message.ts';
import { sealGroupMessage } from '../../src/core/groups/group-message.ts';
import { createBundle } from '../../src/core/groups/key-bundle.ts';
import type { WireBundle } from '../../src/core/groups/key-bundle.ts';
import { MembershipLog, signEntry } from '../../src/core/groups/membership-log.ts';
import type { WireEntry } from '../../src/core/groups/membership-log.ts';
import { PairKeys } from '../../src/core/groups/pair-keys.ts';
import type { Identity } from '../../src/core/identity.ts';
import { silentLogger, startRelay } from '../../signaling/server.ts';
import { makeUser, randomBytes } from '../core/helpers.ts';
import { ensureAppBuilt, distDir } from './app-build.ts';
import { round, type Benchmark, type Metric } from './metric.ts';
import { launchProfileBrowser } from './profile-browser.ts';

const memberCount = 256;
const payloadBytes = 200;
const fanOutRuns = 30;
const rotationRuns = 5;
const catchUpMessages = 1_000;
const catchUpGoalMs = 1_000;
/** Each round catches up on a new group in the same page; the median is reported. */
const catchUpRounds = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeMs(operation: () => void): number {
  const startedAt = performance.now();
  operation();

  return performance.now() - startedAt;
}

function makeEpoch(members: Identity[], key: Uint8Array): Epoch {
  const sorted = [...members].sort((a, b) => (a.address < b.address ? -1 : 1));

  return { group: 'g'.repeat(43), id: 'e'.repeat(22), key, members: sorted.map((member) => member.address), boxKeys: sorted.map((member) => toBase64Url(member.boxPublicKey)) };
}

function fanOutMetrics(sender: Identity, members: Identity[]): Metric[] {
  const epoch = makeEpoch(members, randomBytes(32));
  const pairKeys = new PairKeys(sender.boxSecretKey);
  const text = 'x'.repeat(payloadBytes);
  const content = () => ({ k: 'text' as const, id: toBase64Url(randomBytes(16)), sentAt: Date.now(), text });
  // The first message computes every pair key; later ones reuse them.
  const firstMs = timeMs(() => sealGroupMessage(epoch, pairKeys, randomBytes, { sender: sender.address, seq: 1, content: content() }));
  const stored = pairKeys.takeUnsaved();
  const restartedMs = timeMs(() => sealGroupMessage(epoch, new PairKeys(sender.boxSecretKey, stored), randomBytes, { sender: sender.address, seq: 1, content: content() }));
  const groupMs = median(Array.from({ length: fanOutRuns }, (_, run) => timeMs(() => sealGroupMessage(epoch, pairKeys, randomBytes, { sender: sender.address, seq: run + 2, content: content() }))));

  const sharedKeys = members.map((member) => nacl.box.before(member.boxPublicKey, sender.boxSecretKey));
  const plaintext = randomBytes(payloadBytes);
  const pairwiseMs = median(Array.from({ length: fanOutRuns }, () => timeMs(() => {
    for (const key of sharedKeys) nacl.secretbox(plaintext, randomBytes(24), key);
  })));
  const sample = sealGroupMessage(epoch, pairKeys, randomBytes, { sender: sender.address, seq: 999, content: content() });

  return [
    { name: `group message to ${memberCount} members (200 B)`, value: round(groupMs, 2), unit: 'ms', baseline: round(pairwiseMs, 2), goal: null },
    { name: `group message to ${memberCount}, first (pair keys computed)`, value: round(firstMs, 1), unit: 'ms', baseline: null, goal: null },
    { name: `group message to ${memberCount}, first after restart (pair keys stored)`, value: round(restartedMs, 1), unit: 'ms', baseline: null, goal: null },
    { name: `group message size for ${memberCount} members`, value: JSON.stringify(sample).length, unit: 'bytes', baseline: memberCount * (payloadBytes + 40), goal: null },
  ];
}

function rotationMetrics(admin: Identity, members: Identity[]): Metric[] {
  const cards = new Map(members.map((member) => [member.address, signCard(member)]));
  const fields = { group: 'g'.repeat(43), heads: ['h'.repeat(43)], at: Date.now(), members: cards };
  const coldMs = median(Array.from({ length: rotationRuns }, () => timeMs(() => createBundle(admin, new PairKeys(admin.boxSecretKey), randomBytes, fields))));
  const warmKeys = new PairKeys(admin.boxSecretKey);
  createBundle(admin, warmKeys, randomBytes, fields);
  const warmMs = median(Array.from({ length: rotationRuns }, () => timeMs(() => createBundle(admin, warmKeys, randomBytes, fields))));
  const agreementsMs = median(Array.from({ length: rotationRuns }, () => timeMs(() => {
    for (const member of members) nacl.box.before(member.boxPublicKey, admin.boxSecretKey);
  })));

  return [
    { name: `group key rotation, ${memberCount} members, cold`, value: round(coldMs, 1), unit: 'ms', baseline: round(agreementsMs, 1), goal: null },
    { name: 'group key rotation per member, cold', value: round((coldMs / memberCount) * 1000, 0), unit: 'µs', baseline: round((agreementsMs / memberCount) * 1000, 0), goal: null },
    { name: `group key rotation, ${memberCount} members, warm`, value: round(warmMs, 2), unit: 'ms', baseline: null, goal: null },
    { name: 'group key rotation per member, warm', value: round((warmMs / memberCount) * 1000, 1), unit: 'µs', baseline: null, goal: null },
  ];
}

/** The log, key bundle and messages a browser member receives, all made in Node. */
interface CatchUpInput {
  groupId: string;
  sender: { address: string; name: string; signingKey: number[]; boxKey: number[]; wire: unknown };
  entries: WireEntry[];
  bundle: WireBundle;
  messages: WireGroupMessage[];
}

function buildCatchUp(browserIdentity: Identity): CatchUpInput {
  const alice = makeUser('Alice').identity;
  const bob = makeUser('Bob').identity;
  const log = new MembershipLog();
  const create = signEntry(alice, { group: '', parents: [], at: 1, op: { k: 'create', name: 'Bench', nonce: toBase64Url(randomBytes(16)), announce: false, card: signCard(alice) } });
  log.accept(create.hash, create.entry);
  const add = signEntry(alice, { group: create.hash, parents: [create.hash], at: 2, op: { k: 'add', cards: [signCard(bob), signCard(browserIdentity)] } });
  log.accept(add.hash, add.entry);
  const state = log.state();
  const members = new Map([...state.members].map((address) => [address, state.cards.get(address)!]));
  const { bundle, key } = createBundle(alice, new PairKeys(alice.boxSecretKey), randomBytes, { group: create.hash, heads: log.heads(), at: 3, members });
  const epoch: Epoch = { group: create.hash, id: bundle.id, key, members: bundle.members, boxKeys: bundle.members.map((address) => members.get(address)!.boxKey) };

  const messages: WireGroupMessage[] = [];
  const senders = [alice, bob].map((identity) => ({ identity, pairKeys: new PairKeys(identity.boxSecretKey) }));
  for (let index = 0; index < catchUpMessages; index++) {
    const sender = senders[index % 2]!;
    messages.push(sealGroupMessage(epoch, sender.pairKeys, randomBytes, {
      sender: sender.identity.address,
      seq: Math.floor(index / 2) + 1,
      content: { k: 'text', id: toBase64Url(randomBytes(16)), sentAt: 1_700_000_000_000 + index, text: `catch-up message ${index} ${'x'.repeat(120)}` },
    }));
  }

  return {
    groupId: create.hash,
    sender: { address: bob.address, name: 'Bob', signingKey: [...bob.signingPublicKey], boxKey: [...bob.boxPublicKey], wire: signCard(bob) },
    entries: [create.entry, add.entry],
    bundle,
    messages,
  };
}

async function catchUpMetrics(): Promise<Metric[]> {
  await ensureAppBuilt();
  const relay = await startRelay({ port: 0, host: '127.0.0.1', staticDir: distDir, iceServers: [], logger: silentLogger });
  const browser = await launchProfileBrowser();

  try {
    const { page } = browser;
    await page.goto(relay.url);
    await page.getByRole('textbox', { name: 'Display name' }).fill('Carol');
    await page.getByRole('button', { name: 'Create my identity' }).click();
    await page.getByRole('status', { name: 'Connection' }).waitFor();

    const raw = await page.evaluate(() => {
      const identity = window.meshtext.messenger.identity;
      if (!identity) throw new Error('no identity');
      return { ...identity, signingPublicKey: [...identity.signingPublicKey], signingSecretKey: [...identity.signingSecretKey], boxPublicKey: [...identity.boxPublicKey], boxSecretKey: [...identity.boxSecretKey] };
    });
    const browserIdentity: Identity = {
      ...raw,
      signingPublicKey: Uint8Array.from(raw.signingPublicKey),
      signingSecretKey: Uint8Array.from(raw.signingSecretKey),
      boxPublicKey: Uint8Array.from(raw.boxPublicKey),
      boxSecretKey: Uint8Array.from(raw.boxSecretKey),
    };
    const catchUpTimes: number[] = [];
    const baselineTimes: number[] = [];
    for (let roundIndex = 0; roundIndex < catchUpRounds; roundIndex++) {
      const input = { ...buildCatchUp(browserIdentity), baselineGroup: `${roundIndex}`.padEnd(43, 'b') };
      const result = await page.evaluate(async (data) => {
      const { groups, db } = window.meshtext;
      const from = {
        address: data.sender.address,
        displayName: data.sender.name,
        signingPublicKey: Uint8Array.from(data.sender.signingKey),
        boxPublicKey: Uint8Array.from(data.sender.boxKey),
        wire: data.sender.wire as never,
      };
      groups.sync.receive(from, { k: 'log', group: data.groupId, entries: data.entries });
      groups.sync.receive(from, { k: 'key', group: data.groupId, bundle: data.bundle });
      await groups.sync.idle();

      const startedAt = performance.now();
      for (const message of data.messages) groups.sync.receive(from, { k: 'msg', message });
      await groups.sync.idle();
      const catchUpMs = performance.now() - startedAt;
      const stored = await db.groupMessages.where('[group+storedAt]').between([data.groupId, -Infinity], [data.groupId, Infinity]).count();

      const baselineRows = data.messages.map((message, index) => ({
        group: data.baselineGroup,
        id: `baseline-${index}`,
        sender: message.sender,
        seq: message.seq,
        epoch: message.epoch,
        sentAt: index,
        storedAt: index,
        kind: 'text' as const,
        text: 'baseline',
        wire: message,
      }));
      const baselineStartedAt = performance.now();
      await db.groupMessages.bulkAdd(baselineRows);
      const baselineMs = performance.now() - baselineStartedAt;

      return { catchUpMs, baselineMs, stored, rejected: groups.sync.stats.rejectedMessages };
      }, input);

      if (result.stored !== catchUpMessages) throw new Error(`stored ${result.stored} of ${catchUpMessages} messages, ${result.rejected} rejected`);
      catchUpTimes.push(result.catchUpMs);
      baselineTimes.push(result.baselineMs);
    }
    console.log(`groups: catch-up rounds ${catchUpTimes.map(Math.round).join(', ')} ms, baseline ${baselineTimes.map(Math.round).join(', ')} ms`);

    return [
      { name: `catch up on ${catchUpMessages} group messages (Chromium)`, value: round(median(catchUpTimes), 0), unit: 'ms', baseline: round(median(baselineTimes), 0), goal: `<= ${catchUpGoalMs}` },
    ];
  } finally {
    await browser.close();
    await relay.close();
  }
}

export const groupsBench: Benchmark = {
  name: 'groups',
  async run(): Promise<Metric[]> {
    const admin = makeUser('Admin').identity;
    const members = [admin, ...Array.from({ length: memberCount - 1 }, (_, index) => makeUser(`Member ${index}`).identity)];

    return [...fanOutMetrics(admin, members), ...rotationMetrics(admin, members), ...(await catchUpMetrics())];
  },
};
