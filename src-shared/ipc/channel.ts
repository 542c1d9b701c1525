import { z } from 'zod';
import { IpcErrorShape } from '../errors';

/** One callable channel: what it takes and what it gives back, both checked at runtime. */
export interface ChannelDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
}

export function channel<I extends z.ZodType, O extends z.ZodType>(input: I, output: O): ChannelDef<I, O> {
  return { input, output };
}

export type ChannelMap = Record<string, ChannelDef>;
export type InputOf<C extends ChannelDef> = z.input<C['input']>;
export type OutputOf<C extends ChannelDef> = z.output<C['output']>;

/** Every reply is one of these; nothing else crosses the boundary. */
export type Envelope<T> = { ok: true; data: T } | { ok: false; error: IpcErrorShape };

export const EmptyInput = z.object({}).strict().default({});
export const OkOutput = z.object({ ok: z.literal(true) });
