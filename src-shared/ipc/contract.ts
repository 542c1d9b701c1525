/**
 * The only list of callable channels. A channel is `domain.verb` → { input zod, output zod };
 * an unknown name is a compile error on both sides and a typed error at runtime.
 */
import type { ChannelDef, InputOf, OutputOf } from './channel';
import { profileChannels } from './channels/profiles';
import { syncChannels } from './channels/sync';
import { identityChannels } from './channels/identity';
import { insightsChannels } from './channels/insights';
import { reconcileChannels } from './channels/reconcile';
import { crmPushChannels } from './channels/crmPush';
import { sandboxChannels } from './channels/sandbox';
import { storeChannels } from './channels/store';
import { jobsChannels } from './channels/jobs';

/** Channels answered by the core (they need an open store). */
export const coreContract = {
  ...profileChannels,
  ...syncChannels,
  ...identityChannels,
  ...insightsChannels,
  ...reconcileChannels,
  ...crmPushChannels,
  ...sandboxChannels,
  ...jobsChannels,
} satisfies Record<string, ChannelDef>;

/** Channels answered by the shell's host, open store or not (see src-main/core/host.ts). */
export const hostContract = storeChannels satisfies Record<string, ChannelDef>;

export const contract = { ...coreContract, ...hostContract };

export type CoreContract = typeof coreContract;
export type HostContract = typeof hostContract;
export type Contract = typeof contract;
export type ChannelName = keyof Contract & string;
export type In<K extends ChannelName> = InputOf<Contract[K]>;
export type Out<K extends ChannelName> = OutputOf<Contract[K]>;

/** What the renderer holds: `api['profiles.list']({})` with full types. */
export type Api = { [K in ChannelName]: (input: In<K>) => Promise<Out<K>> };

export function isChannelName(name: string): name is ChannelName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}
