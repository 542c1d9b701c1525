/** The sandbox clock: starts at a fixed instant (not wall time) and moves only when told to. */
export interface SandboxClock {
  /** Current sandbox time. */
  now(): Date;
  nowMs(): number;
  startMs: number;
  /** Moves time forward, applying every scheduled change on the way; returns what changed. */
  advance(by: { hours?: number; days?: number }): unknown;
}

/** Whole seconds only: every timestamp any API shows then falls strictly inside one advance window. */
export function advanceMs(by: { hours?: number; days?: number }): number {
  const h = Number(by.hours ?? 0);
  const d = Number(by.days ?? 0);
  if (!Number.isFinite(h) || !Number.isFinite(d) || h < 0 || d < 0) throw new RangeError('hours and days must be non-negative numbers');
  return Math.round((h * 3600 + d * 86400)) * 1000;
}
