/**
 * The Electron shell's relay, without the Electron binary: ipcMain.handle for every contract
 * channel forwards to the backend over a message port and returns its envelope; calls from any
 * page but the app's are refused before they reach it; events reach the window until it closes;
 * the backend can ask the main process for a save path.
 */
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { registerRelay } from '../../src-main/electron/relay';
import { BackendClient } from '../../src-main/backend/client';
import { serveBackend } from '../../src-main/backend/serve';
import type { FromBackend, ToBackend } from '../../src-main/backend/protocol';
import { contract } from '../../src-shared/ipc/contract';
import type { EventMessage } from '../../src-shared/ipc/events';
import { tempDir } from '../helpers/tempCore';

const open: BackendClient[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close(2000);
});

/** The backend served over a MessageChannel, as the utility process serves it over parentPort. */
async function backendOverPort(askSavePath = false) {
  const { port1, port2 } = new MessageChannel();
  serveBackend({ post: (m) => port2.postMessage(m), onMessage: (fn) => port2.on('message', fn) }, () => port2.close());
  let asked: string | null = null;
  const client = new BackendClient(
    { post: (m: ToBackend) => port1.postMessage(m), onMessage: (fn: (m: FromBackend) => void) => port1.on('message', fn) },
    { chooseSavePath: async (name) => ((asked = name), null), kill: () => port1.close() },
  );
  open.push(client);
  // No keychain in this test (a keytar path that does not exist): the store key comes from
  // TWOFOLD_STORE_KEY, the way the CLI's `serve` may take it.
  process.env.TWOFOLD_STORE_KEY = 'ab'.repeat(32);
  await client.start({ dataDir: tempDir(), shell: 'electron', keytarPath: '/nonexistent/keytar', askSavePath, storeKeys: 'env-or-keychain' });
  delete process.env.TWOFOLD_STORE_KEY;
  return { client, asked: () => asked };
}

function fakeIpcMain() {
  const handlers = new Map<string, (event: { senderFrame?: { url: string } | null }, input: unknown) => unknown>();
  return { handlers, ipcMain: { handle: (name: string, fn: (event: { senderFrame?: { url: string } | null }, input: unknown) => unknown) => void handlers.set(name, fn) } };
}

describe('the Electron IPC relay', () => {
  it('handles every contract channel by forwarding to the backend, and refuses foreign frames', async () => {
    const { client } = await backendOverPort();
    const { handlers, ipcMain } = fakeIpcMain();
    const sent: EventMessage[] = [];
    let closeWindow = () => undefined as void;
    registerRelay({
      channels: Object.keys(contract),
      ipcMain,
      backend: client,
      isTrusted: (e) => e.senderFrame?.url === 'file:///app/index.html',
      send: (m) => sent.push(m),
      onClosed: (fn) => (closeWindow = fn),
    });
    expect([...handlers.keys()].sort()).toEqual(Object.keys(contract).sort());
    const app = { senderFrame: { url: 'file:///app/index.html' } };
    const added = (await handlers.get('profiles.add')!(app, { name: 'Hope House', vomoUrl: 'https://api.vomo.org/v1', crmUrl: 'https://api.virtuoussoftware.com' })) as { ok: boolean };
    expect(added.ok).toBe(true);
    const list = (await handlers.get('profiles.list')!(app, {})) as { ok: true; data: { name: string }[] };
    expect(list.data.map((p) => p.name)).toEqual(['Hope House']);
    // Events from the backend reached the window.
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.some((m) => m.name === 'profiles.changed')).toBe(true);
    // A validation error is an envelope, as from the dispatcher itself.
    expect(await handlers.get('profiles.add')!(app, { name: '' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    // Another page (a navigated frame) is refused before the backend.
    expect(await handlers.get('profiles.list')!({ senderFrame: { url: 'https://evil.example/' } }, {})).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    closeWindow();
    sent.length = 0;
    await handlers.get('profiles.add')!(app, { name: 'Other', vomoUrl: 'https://api.vomo.org/v1', crmUrl: 'https://api.virtuoussoftware.com' });
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toEqual([]);
  });

  it('a backend that stops answers pending and later calls with a typed error', async () => {
    const { client } = await backendOverPort();
    client.exited('it exited (1)');
    expect(await client.invoke('profiles.list', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});
