import type { ChannelMap, InputOf, OutputOf } from '../../src-shared/ipc/channel';
import type { Core } from '../core/app';

export interface HandlerContext {
  core: Core;
  /** Which shell called: some handlers (save dialogs) behave differently per shell. */
  shell: 'electron' | 'web' | 'cli' | 'test';
}

/** Handlers receive the input *after* zod parsing (defaults applied, strings trimmed). */
export type Handler<C extends ChannelMap[string], Ctx = HandlerContext> = (
  input: import('zod').output<C['input']>,
  ctx: Ctx,
) => Promise<OutputOf<C>> | OutputOf<C>;

export type HandlerMap<M extends ChannelMap, Ctx = HandlerContext> = { [K in keyof M]: Handler<M[K], Ctx> };
export type { InputOf };
