/**
 * The shell's side of the relay: a Backend over a message port. Each invoke is a message with an
 * id and comes back as the dispatcher's envelope; events arrive as messages and go to every
 * subscriber; a backend that stops answers every pending call with a typed error envelope.
 */
import type { Envelope } from '../../src-shared/ipc/channel';
import type { EventMessage } from '../../src-shared/ipc/events';
import type { Backend, Shell } from '../core/app';
import type { DownloadEntry } from '../export/downloads';
import type { BackendInit, FromBackend, PathPurpose, Port, ToBackend } from './protocol';

export interface BackendClientOptions {
  /** Electron: the save dialog (a CSV, a backup) or the open dialog (a backup), asked for by the backend. */
  chooseSavePath?(defaultName: string, purpose: PathPurpose): Promise<string | null>;
  /** Ends the backend when it does not close by itself (terminates the thread or process). */
  kill?(): Promise<void> | void;
}

export class BackendClient implements Backend {
  private seq = 0;
  private readonly pending = new Map<number, (v: never) => void>();
  private readonly listeners = new Set<(m: EventMessage) => void>();
  private readyWait: { resolve(): void; reject(e: Error): void } | null = null;
  private closedWait: (() => void) | null = null;
  private gone: string | null = null;

  constructor(
    private readonly port: Port<ToBackend, FromBackend>,
    private readonly opts: BackendClientOptions = {},
  ) {
    port.onMessage((m) => this.onMessage(m));
  }

  /** Sends the init message; resolves when the core is up, rejects with its reason if it can't start. */
  start(init: BackendInit): Promise<void> {
    return new Promise((resolve, reject) => {
      this.readyWait = { resolve, reject };
      this.port.post({ type: 'init', init });
    });
  }

  invoke(channel: string, input: unknown, shell: Shell = 'web'): Promise<Envelope<unknown>> {
    if (this.gone) return Promise.resolve(stopped(this.gone));
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (v: never) => void);
      this.port.post({ type: 'invoke', id, channel, input, shell: shell === 'electron' ? 'electron' : 'web' });
    });
  }

  subscribe(listener: (message: EventMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  download(downloadId: string): Promise<DownloadEntry | undefined> {
    if (this.gone) return Promise.resolve(undefined);
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(id, ((entry: DownloadEntry | null) => resolve(entry ?? undefined)) as (v: never) => void);
      this.port.post({ type: 'download', id, downloadId });
    });
  }

  /** Asks the backend to close its core (jobs stopped, store closed), then ends it. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (!this.gone) {
      await Promise.race([
        new Promise<void>((resolve) => {
          this.closedWait = resolve;
          this.port.post({ type: 'close' });
        }),
        new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
      ]);
    }
    await this.opts.kill?.();
    this.exited('Twofold is shutting down.');
  }

  /** The transport reports the backend ended (crashed or killed). */
  exited(reason: string): void {
    if (this.gone) return;
    this.gone = reason;
    this.readyWait?.reject(new Error(reason));
    this.readyWait = null;
    for (const resolve of this.pending.values()) resolve(stopped(reason) as never);
    this.pending.clear();
  }

  private onMessage(m: FromBackend): void {
    switch (m.type) {
      case 'ready':
        this.readyWait?.resolve();
        this.readyWait = null;
        return;
      case 'fatal':
        this.readyWait?.reject(new Error(m.message));
        this.readyWait = null;
        return;
      case 'reply':
      case 'download': {
        const resolve = this.pending.get(m.id);
        this.pending.delete(m.id);
        resolve?.((m.type === 'reply' ? m.envelope : m.entry) as never);
        return;
      }
      case 'event':
        for (const l of this.listeners) l(m.message);
        return;
      case 'chooseSavePath': {
        const ask = this.opts.chooseSavePath ?? (async () => null);
        void ask(m.defaultName, m.purpose ?? 'csv').then(
          (path) => this.port.post({ type: 'savePath', id: m.id, path }),
          () => this.port.post({ type: 'savePath', id: m.id, path: null }),
        );
        return;
      }
      case 'closed':
        this.closedWait?.();
        this.closedWait = null;
        return;
    }
  }
}

function stopped(reason: string): Envelope<unknown> {
  return { ok: false, error: { code: 'INTERNAL', message: `Twofold's background process stopped: ${reason}` } };
}
