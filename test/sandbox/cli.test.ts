import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register } from '../../src-main/cli/commands/sandbox';

function program() {
  const p = new Command().exitOverride();
  register(p);
  return p;
}

describe('twofold sandbox (argument checking)', () => {
  for (const [args, msg] of [
    [['--people', 'abc'], '--people must be a whole number, not "abc"'],
    [['--people', '10'], 'people must be a whole number from 100 to 1000000'],
    [['--faults', 'sometimes'], '--faults must be none or flaky'],
    [['--rate-limits', 'fast'], '--rate-limits must be real, scaled or off'],
    [['--port', '-3'], '--port must be a whole number'],
    [['--sync-lag-hours', 'x'], '--sync-lag-hours must be a non-negative number'],
  ] as const) {
    it(`rejects ${args.join(' ')} with one line`, async () => {
      const err = await program().parseAsync(['sandbox', ...args], { from: 'user' }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain(msg);
      expect((err as Error).message).not.toContain('\n');
      expect((err as { exitCode?: number }).exitCode).toBe(1);
    });
  }
});
