/**
 * Delivery at an event in the Node simulator: `peerCount` messengers on the in-memory network
 * of the core tests send to random contacts while peers leave and come back. Each peer picks
 * `contactsPerPeer` contacts at random and contacts go both ways, so most peers have more. Each round, a fresh random `churnShare` of the peers is offline:
 * they leave the relay, their links close, and their messenger restarts on the same storage
 * when they return. Offline peers keep writing to their outbox. After the last round everyone
 * returns and the messengers retry until every outbox is empty or `healTimeoutMs` passes.
 *
 * Delivered means stored once by the receiver, in the order sent. Overhead is the bytes of all
 * frames on the wire (handshakes, receipts, pings and resends included, encryption included)
 * per byte of message text. The baseline is the same event, same seed, without churn.
 * No mailbox takes part, so every message goes over a direct link.
 */

import nacl from 'tweetnacl';
import { createIdentity } from '../../src/core/identity.ts';
import { Messenger } from '../../src/core/messenger.ts';
import { silentLogger, systemClock } from '../../src/core/ports.ts';
import { MemoryNetwork } from '../core/memory-network.ts';
import { MemoryStorage } from '../core/memory-storage.ts';
import { round, type Benchmark, type Metric } from './metric.ts';

const peerCount = 50;
const contactsPerPeer = 6;
const rounds = 12;
const sendsPerPeerPerRound = 2;
const churnShare = 0.3;
const roundPauseMs = 30;
const healTimeoutMs = 60_000;
const seed = 20_261_204;
const textBytes = 200;

interface SimulatedPeer {
  address: string;
  storage: MemoryStorage;
  messenger: Messenger;
  contacts: string[];
  isOnline: boolean;
}

interface EventOutcome {
  sent: number;
  delivered: number;
  outOfOrder: number;
  wireBytes: number;
  textBytes: number;
  durationMs: number;
}

/** mulberry32: a small seeded generator, so both runs make the same choices. */
function seededRandom(start: number): () => number {
  let state = start >>> 0;

  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);

    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function startMessenger(network: MemoryNetwork, storage: MemoryStorage): Messenger {
  return new Messenger({
    storage,
    transport: network.transportFor(storage.identity!.address),
    clock: systemClock,
    randomBytes: nacl.randomBytes,
    logger: silentLogger,
    appUrl: 'http://127.0.0.1:8080/',
    relayUrls: ['http://127.0.0.1:8080/'],
  });
}

async function createPeers(network: MemoryNetwork, random: () => number): Promise<SimulatedPeer[]> {
  const peers: SimulatedPeer[] = [];
  for (let index = 0; index < peerCount; index++) {
    const storage = new MemoryStorage();
    storage.identity = createIdentity(`Peer ${index}`, nacl.randomBytes, Date.now());
    const messenger = startMessenger(network, storage);
    await messenger.start();
    peers.push({ address: storage.identity.address, storage, messenger, contacts: [], isOnline: true });
  }

  // Each peer picks contacts at random; a contact always goes both ways.
  for (const peer of peers) {
    while (peer.contacts.length < contactsPerPeer) {
      const other = peers[Math.floor(random() * peerCount)]!;
      if (other === peer || peer.contacts.includes(other.address)) continue;

      await peer.messenger.addContactFromInvite(other.messenger.inviteLink());
      await other.messenger.addContactFromInvite(peer.messenger.inviteLink());
      peer.contacts.push(other.address);
      other.contacts.push(peer.address);
    }
  }

  return peers;
}

async function setOnline(network: MemoryNetwork, peer: SimulatedPeer, isOnline: boolean): Promise<void> {
  if (peer.isOnline === isOnline) return;

  peer.isOnline = isOnline;
  if (!isOnline) {
    peer.messenger.stop();
    network.leave(peer.address);
    return;
  }
  peer.messenger = startMessenger(network, peer.storage);
  await peer.messenger.start();
}

function isDrained(peer: SimulatedPeer): boolean {
  return peer.storage.outbox.size === 0;
}

async function pause(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function runEvent(share: number): Promise<EventOutcome> {
  const random = seededRandom(seed);
  const network = new MemoryNetwork();
  const peers = await createPeers(network, random);
  const sentBy = new Map<string, string[]>();
  const text = 'x'.repeat(textBytes);
  network.wire = [];
  const startedAt = performance.now();

  for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
    const offline = new Set<SimulatedPeer>();
    while (offline.size < Math.round(share * peerCount)) offline.add(peers[Math.floor(random() * peerCount)]!);
    for (const peer of peers) await setOnline(network, peer, !offline.has(peer));

    for (const peer of peers) {
      for (let send = 0; send < sendsPerPeerPerRound; send++) {
        const to = peer.contacts[Math.floor(random() * peer.contacts.length)]!;
        const message = await peer.messenger.sendText(to, text);
        const key = `${peer.address}>${to}`;
        sentBy.set(key, [...(sentBy.get(key) ?? []), message.id]);
      }
    }
    await pause(roundPauseMs);
  }

  for (const peer of peers) await setOnline(network, peer, true);
  const healDeadline = performance.now() + healTimeoutMs;
  while (!peers.every(isDrained) && performance.now() < healDeadline) {
    await Promise.all(peers.map((peer) => peer.messenger.deliverAll()));
    await pause(50);
  }
  const durationMs = performance.now() - startedAt;

  let sent = 0;
  let delivered = 0;
  let outOfOrder = 0;
  const byAddress = new Map(peers.map((peer) => [peer.address, peer]));
  for (const [key, ids] of sentBy) {
    const [from, to] = key.split('>') as [string, string];
    const received = byAddress.get(to)!.storage.conversation(from).filter((message) => message.direction === 'in').map((message) => message.id);
    sent += ids.length;
    delivered += ids.filter((id) => received.filter((receivedId) => receivedId === id).length === 1).length;
    const inSendOrder = ids.filter((id) => received.includes(id));
    if (received.join() !== inSendOrder.join()) outOfOrder += 1;
  }
  for (const peer of peers) peer.messenger.stop();

  return {
    sent,
    delivered,
    outOfOrder,
    wireBytes: network.wire.reduce((sum, frame) => sum + frame.length, 0),
    textBytes: sent * textBytes,
    durationMs,
  };
}

function logOutcome(label: string, outcome: EventOutcome): void {
  console.log(
    `churn: ${label}: ${outcome.delivered} of ${outcome.sent} delivered, ${outcome.outOfOrder} conversations out of order, ` +
      `${outcome.wireBytes} wire bytes for ${outcome.textBytes} text bytes, ${Math.round(outcome.durationMs)} ms`,
  );
}

export const churnSimulation: Benchmark = {
  name: 'Node simulator: 50 peers, 30 % churn',
  run: async () => {
    const baseline = await runEvent(0);
    logOutcome('no churn', baseline);
    const churned = await runEvent(churnShare);
    logOutcome(`${churnShare * 100} % churn`, churned);

    const deliveredPercent = (outcome: EventOutcome): number => (100 * outcome.delivered) / outcome.sent;
    const overhead = (outcome: EventOutcome): number => outcome.wireBytes / outcome.textBytes;
    const metric = (name: string, value: number | null, unit: string, baselineValue: number | null, goal: string | null = null): Metric => ({
      name,
      value,
      unit,
      baseline: baselineValue,
      goal,
    });

    return [
      metric(`simulated event, ${peerCount} peers, ${churnShare * 100} % churn: delivered`, round(deliveredPercent(churned), 2), '%', round(deliveredPercent(baseline), 2), '>= 99.9'),
      metric('simulated event: conversations out of order', churned.outOfOrder, 'convs', baseline.outOfOrder, '0'),
      metric('simulated event: wire bytes per text byte', round(overhead(churned), 2), 'ratio', round(overhead(baseline), 2)),
      metric('simulated event: messages sent', churned.sent, 'msgs', baseline.sent),
      metric('simulated event: send start → all delivered', round(churned.durationMs, 0), 'ms', round(baseline.durationMs, 0)),
    ];
  },
};
