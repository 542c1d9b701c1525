import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createDispatcher } from '../../src-main/ipc/dispatcher';
import { allHandlers } from '../../src-main/ipc/handlers';
import { contract, hostContract } from '../../src-shared/ipc/contract';
import { storeHandlers } from '../../src-main/ipc/handlers/store';
import { AppError } from '../../src-shared/errors';
import { setLogSink } from '../../src-main/core/log';
import { tempCore } from '../helpers/tempCore';

describe('IPC dispatcher', () => {
  let core: ReturnType<typeof tempCore>;
  afterEach(async () => core?.cleanup());

  it('rejects malformed input with a typed validation error and never runs the handler', async () => {
    core = tempCore();
    const spy = vi.fn();
    const dispatch = createDispatcher({ ...allHandlers, 'profiles.add': spy as never });
    const env = await dispatch('profiles.add', { name: '', vomoUrl: 'not a url', crmUrl: 42 }, { core, shell: 'test' });
    expect(spy).not.toHaveBeenCalled();
    expect(env.ok).toBe(false);
    if (env.ok) return;
    expect(env.error.code).toBe('VALIDATION');
    expect(env.error.issues?.map((i) => i.path).sort()).toEqual(['crmUrl', 'name', 'vomoUrl']);
  });

  it('answers an unknown channel with UNKNOWN_CHANNEL', async () => {
    core = tempCore();
    const env = await core.invoke('profiles.nope', {});
    expect(env).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
  });

  it('turns a thrown error into a typed error with no stack and no secret in it', async () => {
    core = tempCore();
    const lines: string[] = [];
    setLogSink((l) => lines.push(l), 'debug');
    const secret = 'sk_live_SUPERSECRETTOKEN1234567890';
    const boom = () => {
      const e = new Error(`database exploded while using Bearer ${secret} at /home/x/db.ts:12`);
      throw e;
    };
    const dispatch = createDispatcher({ ...allHandlers, 'profiles.list': boom as never });
    const env = await dispatch('profiles.list', {}, { core, shell: 'test' });
    expect(env.ok).toBe(false);
    if (env.ok) return;
    expect(env.error.code).toBe('INTERNAL');
    const text = JSON.stringify(env);
    expect(text).not.toContain(secret);
    expect(text).not.toMatch(/at \/|\.ts:\d+|stack/i);
    // The log keeps the detail for the developer, with the token redacted.
    expect(lines.join('\n')).toContain('database exploded');
    expect(lines.join('\n')).not.toContain(secret);
    setLogSink((l) => process.stderr.write(l + '\n'), 'warn');
  });

  it('passes an AppError through with its code and message', async () => {
    core = tempCore();
    const dispatch = createDispatcher({
      ...allHandlers,
      'profiles.list': (() => {
        throw new AppError('CONFLICT', 'A profile named "X" already exists.');
      }) as never,
    });
    const env = await dispatch('profiles.list', {}, { core, shell: 'test' });
    expect(env).toEqual({ ok: false, error: { code: 'CONFLICT', message: 'A profile named "X" already exists.' } });
  });

  it('refuses handler output that breaks the contract instead of leaking extra fields', async () => {
    core = tempCore();
    const dispatch = createDispatcher({ ...allHandlers, 'secrets.has': (async () => ({ present: 'yes', token: 'abc' })) as never });
    const env = await dispatch('secrets.has', { profileId: 1, api: 'crm' }, { core, shell: 'test' });
    expect(env).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('has a handler for every channel and a zod schema on both sides of each', () => {
    for (const [name, def] of Object.entries(contract)) {
      // The core answers its channels; the shell's host answers the store's own (core/host.ts).
      const handlers = (name in hostContract ? storeHandlers : allHandlers) as Record<string, unknown>;
      expect(typeof handlers[name], name).toBe('function');
      expect(def.input).toBeInstanceOf(z.ZodType);
      expect(def.output).toBeInstanceOf(z.ZodType);
    }
  });

  it('adds, lists and removes profiles through the contract', async () => {
    core = tempCore();
    const added = await core.invoke('profiles.add', { name: ' Hope House ', vomoUrl: 'https://api.vomo.org/v1/', crmUrl: 'https://api.virtuoussoftware.com' });
    expect(added).toMatchObject({ ok: true, data: { name: 'Hope House', vomoUrl: 'https://api.vomo.org/v1', raiseUrl: null, isSandbox: false } });
    const dup = await core.invoke('profiles.add', { name: 'hope house', vomoUrl: 'https://a.example', crmUrl: 'https://b.example' });
    expect(dup).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const list = await core.invoke('profiles.list', {});
    expect(list.ok && (list.data as unknown[]).length).toBe(1);
    const id = (added as { data: { id: number } }).data.id;
    expect(await core.invoke('profiles.remove', { profileId: id })).toEqual({ ok: true, data: { ok: true } });
    expect(await core.invoke('profiles.remove', { profileId: id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
