/**
 * What a job asks of the core (protocol.ts, HostCalls), both sides: the job's calls and their
 * answers matched by id (HostCaller: the worker thread, and the job process on its behalf), and
 * the core's answers (HostAnswerer: the same for a job in a worker thread, workerRunner.ts, and one
 * in a job process, processRunner.ts), which hold the write gate a job acquired until the job
 * releases it, or until its worker dies holding it.
 */
import { AppError, type IpcErrorShape } from '../../src-shared/errors';
import type { EventBus } from '../core/events';
import type { SecretStore } from '../secrets/secretStore';
import type { SandboxClock } from '../sandboxRuntime/clock';
import type { HostCalls, HostMethod } from './protocol';
import type { Release, WriteGate } from './writeGate';

export interface WorkerHost {
  secrets: Pick<SecretStore, 'get'>;
  sandboxes: { prepare(profileId: number): Promise<void> };
  clock: SandboxClock;
  gate: Pick<WriteGate, 'acquire'>;
  events: Pick<EventBus, 'emit'>;
}

export type HostAnswer = { ok: true; value: unknown } | { ok: false; error: IpcErrorShape };

export class HostAnswerer {
  /** The gate held by the job, released if its worker dies holding it. */
  private held: Release | null = null;

  constructor(private readonly host: WorkerHost) {}

  async answer(method: HostMethod, args: unknown[]): Promise<HostAnswer> {
    try {
      return { ok: true, value: await this.call(method, args) };
    } catch (err) {
      return { ok: false, error: err instanceof AppError ? err.toShape() : { code: 'INTERNAL', message: (err as Error).message } };
    }
  }

  /** The worker is gone: a gate it held is free again. */
  releaseHeld(): void {
    this.held?.();
    this.held = null;
  }

  private async call(method: HostMethod, args: unknown[]): Promise<HostCalls[HostMethod]['result']> {
    const h = this.host;
    switch (method) {
      case 'secrets.get':
        return h.secrets.get(args[0] as number, args[1] as 'vomo' | 'crm' | 'raise');
      case 'sandboxes.prepare':
        return h.sandboxes.prepare(args[0] as number);
      case 'clock.sandboxNow':
        return (await h.clock.sandboxNow(args[0] as number, { start: args[1] as boolean }))?.toISOString() ?? null;
      case 'gate.acquire':
        this.held = await h.gate.acquire('exclusive');
        return;
      case 'gate.release':
        this.releaseHeld();
        return;
    }
  }
}

/** The job's side: a call to the core over its channel, settled when the answer comes back. */
export class HostCaller {
  private seq = 0;
  private readonly calls = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();

  constructor(private readonly post: (m: { type: 'host'; callId: number; method: HostMethod; args: unknown[] }) => void) {}

  call<M extends HostMethod>(method: M, ...args: HostCalls[M]['args']): Promise<HostCalls[M]['result']> {
    const callId = ++this.seq;
    return new Promise((resolve, reject) => {
      this.calls.set(callId, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ type: 'host', callId, method, args });
    });
  }

  /** The core's services a job uses, each a call to the core. */
  services(): Pick<WorkerHost, 'secrets' | 'sandboxes' | 'clock'> {
    return {
      secrets: { get: (profileId, api) => this.call('secrets.get', profileId, api) },
      sandboxes: { prepare: (profileId) => this.call('sandboxes.prepare', profileId) },
      clock: {
        sandboxNow: async (profileId, opts) => {
          const iso = await this.call('clock.sandboxNow', profileId, !!opts?.start);
          return iso ? new Date(iso) : null;
        },
      },
    };
  }

  /** The core's answer to a call. */
  settle(m: { callId: number } & HostAnswer): void {
    const c = this.calls.get(m.callId);
    this.calls.delete(m.callId);
    if (!c) return;
    if (m.ok) c.resolve(m.value);
    else c.reject(new AppError(m.error.code, m.error.message));
  }
}
