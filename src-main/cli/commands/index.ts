import type { Command } from 'commander';
import type { CliContext } from '../context';
import { register as profile } from './profile';
import { register as serve } from './serve';
import { register as sandbox } from './sandbox';
import { register as report } from './report';
import { register as exportCmd } from './export';
import { register as push } from './push';
import { register as token } from './token';
import { register as sync } from './sync';
import { register as rebuild } from './rebuild';
import { register as store } from './store';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** The order here is the order `twofold --help` lists them. */
export const commands: RegisterCommand[] = [profile, token, sync, rebuild, serve, sandbox, report, exportCmd, push, store];
