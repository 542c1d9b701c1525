/**
 * The "flaky" profile: 5xx and 429 bursts, slow pages, a connection dropped mid-body and a page
 * of invalid JSON. Decided from (seed, api, request number) so a run is reproducible, and
 * transient by construction: bursts last at most 3 requests and sit in 40-request blocks with
 * clean requests between, so a client that retries 4 times always gets through.
 */
import { hash } from '../prng';

export type FaultProfile = 'none' | 'flaky';
export type FaultKind = '500' | '502' | '503' | '429' | 'slow' | 'drop' | 'malformed';

const KINDS: FaultKind[] = ['500', '503', '429', 'slow', 'drop', 'malformed', '502', '429', 'drop', 'malformed'];
const API_CODE = { vomo: 1, crm: 2, raise: 3 } as const;
export const BLOCK = 40;

export class Faults {
  private counters = { vomo: 0, crm: 0, raise: 0 };
  constructor(
    public profile: FaultProfile,
    private readonly seed: number,
  ) {}

  setProfile(p: FaultProfile): void {
    this.profile = p;
  }

  /** Fault for the next request to `api`, if any. Writes only ever get 5xx/429, before they apply. */
  next(api: 'vomo' | 'crm' | 'raise', isRead: boolean): FaultKind | null {
    const n = this.counters[api]++;
    if (this.profile !== 'flaky') return null;
    const block = Math.floor(n / BLOCK);
    const off = n % BLOCK;
    const h = hash(this.seed, API_CODE[api], block, 8);
    if (h % 4 === 0) return null;
    const kind = KINDS[(h >>> 12) % KINDS.length]!;
    const len = kind === 'slow' ? 1 : 1 + ((h >>> 9) % 3);
    const startAt = 5 + ((h >>> 4) % 30);
    if (off < startAt || off >= startAt + len) return null;
    if (!isRead && (kind === 'slow' || kind === 'drop' || kind === 'malformed')) return '503';
    return kind;
  }
}
