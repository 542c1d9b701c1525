/**
 * The core's answers to what a job asks of it (protocol.ts, HostCalls): the same for a job in a
 * worker thread (workerRunner.ts) and one in a job process (processRunner.ts). It holds the write
 * gate a job acquired until the job releases it, or until its worker dies holding it.
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
