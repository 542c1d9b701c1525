import type { CliContext } from '../context';
import type { ProfileRow } from '../../store/repos/profiles';

export interface ReportOptions {
  json: boolean;
  /** Raw option values of `twofold report` (e.g. lapseDays, since, lagHours, limit). */
  options: Record<string, string | boolean | undefined>;
}

/** One `twofold report <profile> <name>`: returns what to print as JSON and as text. */
export type ReportFn = (ctx: CliContext, profile: ProfileRow, opts: ReportOptions) => Promise<{ json: unknown; text: string }>;
export type ReportRegistry = Record<string, { description: string; run: ReportFn }>;
