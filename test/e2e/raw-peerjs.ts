/**
 * Drives plain PeerJS inside test pages, without the Meshtext app: loads the PeerJS browser
 * bundle into a page, registers a peer at a relay and opens a data connection between two
 * pages. The relay smoke test and the transport benchmarks share it.
 *
 * Functions passed to `page.evaluate` run in the browser, so they must not use anything from
 * this module's scope; values go in through the argument.
 */

import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import type { DataConnection, Peer } from 'peerjs';
import { addressFromSigningKey } from '../../src/core/address.ts';

/** Where a PeerJS client finds the relay. */
export interface RelayEndpoint {
  host: string;
  port: number;
  path: string;
  key: string;
}

/** Page-side state that the helpers here keep on `window.rawPeer`. */
export interface RawPeerState {
  peer: Peer;
  connection: DataConnection | null;
  /** Data received while `onData` is null, in arrival order. */
  received: unknown[];
  /** Handler that replaces storing data in `received`, set by benchmarks. */
  onData: ((data: unknown) => void) | null;
}

declare global {
  interface Window {
    peerjs: { Peer: typeof Peer };
    rawPeer: RawPeerState;
  }
}

const peerjsBundlePath = createRequire(import.meta.url).resolve('peerjs/dist/peerjs.min.js');

/** Returns a random id in the relay address format, which the Meshtext relay expects. */
export function randomPeerId(): string {
  return addressFromSigningKey(randomBytes(32));
}

/**
 * Loads PeerJS into the page and registers the peer `id` at the relay, resolving once the
 * relay accepts it. Incoming connections are kept as `window.rawPeer.connection`.
 * @throws Error with the PeerJS error type when the relay rejects the peer.
 */
export async function openRawPeer(page: Page, id: string, relay: RelayEndpoint): Promise<void> {
  await page.addScriptTag({ path: peerjsBundlePath });

  await page.evaluate(
    async ({ id, relay }) => {
      const peer = new window.peerjs.Peer(id, {
        host: relay.host,
        port: relay.port,
        path: relay.path,
        key: relay.key,
        secure: false,
        // No STUN or TURN: the peers reach each other on host candidates only.
        config: { iceServers: [] },
        debug: 1,
      });
      const state: RawPeerState = { peer, connection: null, received: [], onData: null };
      window.rawPeer = state;

      peer.on('connection', (connection) => {
        state.connection = connection;
        connection.on('data', (data) => (state.onData ? state.onData(data) : state.received.push(data)));
        connection.on('error', (error) => console.error(`raw peer connection error: ${error.type}`));
      });

      await new Promise<void>((resolve, reject) => {
        peer.once('open', () => resolve());
        peer.once('error', (error) => reject(new Error(`peer registration failed: ${error.type}: ${error.message}`)));
      });
      peer.on('error', (error) => console.error(`raw peer error: ${error.type}: ${error.message}`));
    },
    { id, relay },
  );
}

/**
 * Opens a data connection from the peer in `from` to the peer `toId` living in `to`, and
 * waits until both ends report it open.
 * @param serialization PeerJS serialization, 'binary' (its default), 'json' or 'raw'.
 */
export async function connectRawPeers(
  from: Page,
  to: Page,
  toId: string,
  serialization = 'binary',
): Promise<void> {
  await from.evaluate(
    async ({ toId, serialization }) => {
      const state = window.rawPeer;
      const connection = state.peer.connect(toId, { reliable: true, serialization });
      state.connection = connection;
      connection.on('data', (data) => (state.onData ? state.onData(data) : state.received.push(data)));

      await new Promise<void>((resolve, reject) => {
        connection.once('open', () => resolve());
        connection.once('error', (error) => reject(new Error(`data connection failed: ${error.type}`)));
        state.peer.once('error', (error) => reject(new Error(`data connection failed: ${error.type}`)));
      });
    },
    { toId, serialization },
  );

  await to.waitForFunction(() => window.rawPeer.connection?.open === true);
}

/** Sends one value over the page's open data connection. */
export async function sendRaw(page: Page, data: unknown): Promise<void> {
  await page.evaluate(async (data) => {
    const connection = window.rawPeer.connection;
    if (!connection?.open) throw new Error('no open data connection to send on');

    await connection.send(data);
  }, data);
}

/** Waits until the page has received `count` values by default handling, and returns them all. */
export async function waitForReceived(page: Page, count: number): Promise<unknown[]> {
  await page.waitForFunction((count) => window.rawPeer.received.length >= count, count);

  return page.evaluate(() => window.rawPeer.received);
}

/** Closes the page's peer, which also closes its connections and leaves the relay. */
export async function destroyRawPeer(page: Page): Promise<void> {
  await page.evaluate(() => window.rawPeer?.peer.destroy());
}
