/**
 * The anchored skip/take walk: records modified mid-walk jump to the end of the order and shift
 * the rest left; a plain skip += take would silently skip one. The anchors must prevent that.
 */
import { describe, expect, it } from 'vitest';
import { newWalk, nextCrmPage, type CrmWalkCursor } from '../../src-main/connectors/crm/paging';

interface Rec {
  id: number;
  modifiedDateTimeUtc: string;
}

function world(n: number) {
  let clock = 1_000_000;
  const recs: Rec[] = Array.from({ length: n }, (_, i) => ({ id: i + 1, modifiedDateTimeUtc: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString() }));
  const sorted = () => [...recs].sort((a, b) => a.modifiedDateTimeUtc.localeCompare(b.modifiedDateTimeUtc) || a.id - b.id);
  return {
    recs,
    touch(id: number) {
      const r = recs.find((x) => x.id === id)!;
      r.modifiedDateTimeUtc = new Date(Date.UTC(2026, 0, 1) + clock++).toISOString();
    },
    remove(id: number) {
      recs.splice(
        recs.findIndex((x) => x.id === id),
        1,
      );
    },
    fetch: async (skip: number, take: number) => {
      const all = sorted();
      return { list: all.slice(skip, skip + take) as unknown[], total: all.length };
    },
  };
}

async function walk(w: ReturnType<typeof world>, take: number, overlap: number, between: (page: number, seen: Set<number>) => void) {
  let cursor: CrmWalkCursor = newWalk('full', null);
  const seen = new Set<number>();
  for (let page = 0; page < 1000; page++) {
    const r = await nextCrmPage(cursor, w.fetch, { take, overlap });
    for (const it of r.items as Rec[]) seen.add(it.id);
    cursor = r.cursor;
    if (r.done) break;
    between(page, seen);
  }
  return { seen, cursor };
}

describe('CRM+ anchored paging', () => {
  it('walks a static set exactly once per record', async () => {
    const w = world(95);
    const calls: number[] = [];
    const orig = w.fetch;
    w.fetch = async (s, t) => (calls.push(s), orig(s, t));
    const { seen, cursor } = await walk(w, 20, 4, () => undefined);
    expect(seen.size).toBe(95);
    expect(cursor.recoveries).toBe(0);
    expect(calls).toEqual([0, 16, 32, 48, 64, 80]);
  });

  it('does not skip records when earlier ones are modified mid-walk', async () => {
    const w = world(200);
    const { seen } = await walk(w, 25, 5, (page, s) => {
      // Modify two already-read records: they jump to the end and shift the rest left.
      const read = [...s];
      w.touch(read[page % read.length]!);
      w.touch(read[(page * 7) % read.length]!);
    });
    expect(seen.size).toBe(200);
  });

  it('recovers from a shift larger than the overlap (deletions) without losing records', async () => {
    const w = world(150);
    let deleted = 0;
    const { seen, cursor } = await walk(w, 20, 2, (page, s) => {
      if (page === 2) {
        // Delete 10 already-read records: a shift of 10 > overlap 2.
        for (const id of [...s].slice(0, 10)) {
          w.remove(id);
          deleted++;
        }
      }
    });
    const remaining = new Set(w.recs.map((r) => r.id));
    for (const id of remaining) expect(seen.has(id)).toBe(true);
    expect(deleted).toBe(10);
    expect(cursor.recoveries).toBeGreaterThan(0);
  });
});
