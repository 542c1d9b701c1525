/** Every change after the start, so incremental syncs can be checked against exactly what moved. */
import { cmp } from '../cmp';
export type ApiKey = 'vomo' | 'crm' | 'raise';
export type ChangeKind = 'created' | 'updated' | 'deleted';

export interface Change {
  at: number;
  api: ApiKey;
  resource: string;
  id: number;
  kind: ChangeKind;
  cause: string;
}

export interface ChangeSummary {
  [resourceKey: string]: { created: number[]; updated: number[]; deleted: number[] };
}

export class ChangeLog {
  readonly entries: Change[] = [];
  add(c: Change): void {
    this.entries.push(c);
  }
  /** Changes with from < at <= to, grouped by "api.resource"; an id appears once, under its latest kind. */
  summarize(from: number, to: number): ChangeSummary {
    const latest = new Map<string, Map<number, ChangeKind>>();
    for (const c of this.entries) {
      if (c.at <= from || c.at > to) continue;
      const key = `${c.api}.${c.resource}`;
      let m = latest.get(key);
      if (!m) latest.set(key, (m = new Map()));
      const prev = m.get(c.id);
      // Created-then-updated stays "created": a client first sees it in this window either way.
      m.set(c.id, prev === 'created' && c.kind === 'updated' ? 'created' : c.kind);
    }
    const out: ChangeSummary = {};
    for (const [key, m] of [...latest].sort(([a], [b]) => cmp(a, b))) {
      const s = { created: [] as number[], updated: [] as number[], deleted: [] as number[] };
      for (const [id, kind] of m) s[kind].push(id);
      s.created.sort((a, b) => a - b);
      s.updated.sort((a, b) => a - b);
      s.deleted.sort((a, b) => a - b);
      out[key] = s;
    }
    return out;
  }
}
