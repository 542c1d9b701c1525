import type { Command } from 'commander';
import type { CliContext } from '../context';
import { register as profile } from './profile';
import { register as serve } from './serve';
// SANDBOX_PENDING import { register as sandbox } from './sandbox';
import { register as report } from './report';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** The order here is the order `twofold --help` lists them. */
export const commands: RegisterCommand[] = [profile, serve, report];
