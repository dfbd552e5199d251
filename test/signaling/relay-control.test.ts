import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import nacl from 'tweetnacl';
import { WebSocket } from 'ws';
import { addressFromSigningKey } from '../../src/core/address.ts';
import { MAX_CONTROL_MESSAGE_BYTES, silentLogger, startRelay, type RunningRelay } from '../../signaling/server.ts';
import { controlSocketUrl, createIdentity, openTestSocket, registerPeer, type TestSocket } from './relay-client.ts';

let relay: RunningRelay;

beforeAll(async () => {
  relay = await startRelay({ port: 0, host: '127.0.0.1', logger: silentLogger });
});

afterAll(async () => {
  await relay.close();
});

function openControl(): Promise<TestSocket> {
  return openTestSocket(controlSocketUrl(relay.url));
}

async function expectPong(control: TestSocket): Promise<void> {
  const before = Date.now();
  control.sendJson({ type: 'ping' });
  const pong = await control.nextMessage();

  expect(pong.type).toBe('pong');
  expect(pong.time).toBeGreaterThanOrEqual(before - 1000);
}

describe('control socket', () => {
  test('watch returns online snapshot', async () => {
    const alice = createIdentity();
    const bob = createIdentity();
    const alicePeer = await registerPeer(relay.url, alice);
    const control = await openControl();

    control.sendJson({ type: 'watch', addresses: [alice.address, bob.address] });

    expect(await control.nextMessage()).toEqual({ type: 'presence', online: [alice.address] });

    alicePeer.socket.close();
    expect(await control.nextMessage()).toEqual({ type: 'presence-change', address: alice.address, online: false });
    control.socket.close();
  });

  test('watched peer connect and disconnect are reported', async () => {
    const bob = createIdentity();
    const control = await openControl();

    control.sendJson({ type: 'watch', addresses: [bob.address] });
    expect(await control.nextMessage()).toEqual({ type: 'presence', online: [] });

    const bobPeer = await registerPeer(relay.url, bob);
    expect(await control.nextMessage()).toEqual({ type: 'presence-change', address: bob.address, online: true });

    bobPeer.socket.close();
    expect(await control.nextMessage()).toEqual({ type: 'presence-change', address: bob.address, online: false });
    control.socket.close();
  });

  test('new watch replaces old one', async () => {
    const alice = createIdentity();
    const bob = createIdentity();
    const control = await openControl();

    control.sendJson({ type: 'watch', addresses: [alice.address] });
    await control.nextMessage();
    control.sendJson({ type: 'watch', addresses: [bob.address] });
    await control.nextMessage();

    const alicePeer = await registerPeer(relay.url, alice);
    const bobPeer = await registerPeer(relay.url, bob);

    expect(await control.nextMessage()).toEqual({ type: 'presence-change', address: bob.address, online: true });

    alicePeer.socket.close();
    bobPeer.socket.close();
    expect(await control.nextMessage()).toEqual({ type: 'presence-change', address: bob.address, online: false });
    control.socket.close();
  });

  test('ping gets pong', async () => {
    const control = await openControl();

    await expectPong(control);
    control.socket.close();
  });

  test('malformed JSON gets error and close', async () => {
    const bystander = await openControl();
    const control = await openControl();

    control.socket.send('{"type":"watch",');
    const reply = await control.nextMessage();

    expect(reply).toEqual({ type: 'error', message: 'message is not valid JSON' });
    expect(await control.closed).toBe(1008);
    await expectPong(bystander);
    bystander.socket.close();
  });

  test('binary message gets error and close', async () => {
    const control = await openControl();

    control.socket.send(Buffer.from('{"type":"ping"}'), { binary: true });

    expect(await control.nextMessage()).toEqual({ type: 'error', message: 'expected a text message' });
    expect(await control.closed).toBe(1008);
  });

  test('unknown type gets error and close', async () => {
    const control = await openControl();

    control.sendJson({ type: 'subscribe' });
    const reply = await control.nextMessage();

    expect(reply.type).toBe('error');
    expect(reply.message).toMatch(/unknown message type "subscribe"/);
    expect(await control.closed).toBe(1008);
  });

  test('invalid address in watch gets error', async () => {
    const control = await openControl();

    control.sendJson({ type: 'watch', addresses: [createIdentity().address, 'mt1nope'] });
    const reply = await control.nextMessage();

    expect(reply).toEqual({ type: 'error', message: 'watch.addresses[1] is not a valid Meshtext address' });
    await control.closed;
  });

  test('watch of 5000 addresses fits in one message', async () => {
    const addresses = Array.from({ length: 5000 }, () => addressFromSigningKey(nacl.randomBytes(32)));
    const control = await openControl();

    control.sendJson({ type: 'watch', addresses });

    expect(await control.nextMessage()).toEqual({ type: 'presence', online: [] });
    control.socket.close();
  });

  test('watch over 5000 addresses gets error', async () => {
    const address = createIdentity().address;
    const control = await openControl();

    // The count is checked before duplicates are removed.
    control.sendJson({ type: 'watch', addresses: Array.from({ length: 5001 }, () => address) });
    const reply = await control.nextMessage();

    expect(reply.type).toBe('error');
    expect(reply.message).toMatch(/at most 5000 addresses, got 5001/);
  });

  test('oversize message closes only that socket', async () => {
    const bystander = await openControl();
    const control = await openControl();

    control.socket.send('x'.repeat(MAX_CONTROL_MESSAGE_BYTES + 1));

    expect(await control.closed).toBe(1009);
    expect(bystander.socket.readyState).toBe(WebSocket.OPEN);
    await expectPong(bystander);
    bystander.socket.close();
  });
});
