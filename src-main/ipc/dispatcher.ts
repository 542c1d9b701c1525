/**
 * validate → run → envelope, for every shell. Rules: the input is parsed with the channel's
 * zod schema before a handler runs; whatever a handler throws leaves as a typed error with a
 * steward-facing message (an AppError's own, or a generic one) — never a stack, SQL text or a
 * token; outputs are parsed too, so a handler can't leak fields the contract doesn't name.
 */
import { z } from 'zod';
import { coreContract, type CoreContract } from '../../src-shared/ipc/contract';
import type { ChannelMap, Envelope } from '../../src-shared/ipc/channel';
import { AppError } from '../../src-shared/errors';
import type { HandlerContext, HandlerMap } from './handlerTypes';
import { log } from '../core/log';
import { storeWriteError } from '../store/storeErrors';

export type Dispatch<Ctx = HandlerContext> = (channel: string, rawInput: unknown, ctx: Ctx) => Promise<Envelope<unknown>>;

export function issuesOf(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.join('.') || '(input)', message: i.message }));
}

/** The core's dispatcher: every channel that needs an open store. */
export function createDispatcher(handlers: HandlerMap<CoreContract>): Dispatch {
  return createChannelDispatcher<CoreContract, HandlerContext>(coreContract, handlers, (ctx) => ctx.core.store.file);
}

/**
 * validate → run → envelope over any channel map (the core's, or the host's store channels).
 * `storeFile` names the store in the message of a write refused by a read-only store.
 */
export function createChannelDispatcher<M extends ChannelMap, Ctx>(
  channels: M,
  handlers: { [K in keyof M]: (input: never, ctx: Ctx) => unknown },
  storeFile: (ctx: Ctx) => string,
): Dispatch<Ctx> {
  return async (channel, rawInput, ctx) => {
    if (!Object.prototype.hasOwnProperty.call(channels, channel)) {
      return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `There is no channel named "${String(channel).slice(0, 80)}".` } };
    }
    const def = channels[channel as keyof M]!;
    const parsed = def.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      return {
        ok: false,
        error: { code: 'VALIDATION', message: `Invalid input for ${channel}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues },
      };
    }
    try {
      const handler = handlers[channel as keyof M] as unknown as (input: unknown, ctx: Ctx) => unknown;
      const result = await handler(parsed.data, ctx);
      const out = def.output.safeParse(result);
      if (!out.success) {
        log.error(`handler ${channel} returned output that breaks its contract`, { issues: issuesOf(out.error) });
        return { ok: false, error: { code: 'INTERNAL', message: `Twofold produced an unexpected reply for ${channel}.` } };
      }
      return { ok: true, data: out.data };
    } catch (err) {
      if (err instanceof AppError) return { ok: false, error: err.toShape() };
      const refused = storeWriteError(err, storeFile(ctx));
      if (refused instanceof AppError) return { ok: false, error: refused.toShape() };
      log.error(`handler ${channel} failed`, { error: err });
      return { ok: false, error: { code: 'INTERNAL', message: `Something went wrong in ${channel}. Details are in the log.` } };
    }
  };
}
