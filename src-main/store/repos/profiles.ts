import type { Db } from '../db';

export interface ProfileRow {
  id: number;
  name: string;
  vomo_url: string | null;
  crm_url: string | null;
  raise_url: string | null;
  is_sandbox: number;
  created_at: string;
  updated_at: string;
}

export interface NewProfile {
  name: string;
  vomoUrl: string | null;
  crmUrl: string | null;
  raiseUrl: string | null;
  isSandbox?: boolean;
}

export class ProfilesRepo {
  constructor(private readonly db: Db) {}

  list(): ProfileRow[] {
    return this.db.prepare('SELECT * FROM profiles ORDER BY name COLLATE NOCASE').all() as ProfileRow[];
  }
  get(id: number): ProfileRow | undefined {
    return this.db.prepare('SELECT * FROM profiles WHERE id = ?').get(id) as ProfileRow | undefined;
  }
  byName(name: string): ProfileRow | undefined {
    return this.db.prepare('SELECT * FROM profiles WHERE name = ? COLLATE NOCASE').get(name) as ProfileRow | undefined;
  }
  insert(p: NewProfile): ProfileRow {
    const now = new Date().toISOString();
    const info = this.db
      .prepare(
        `INSERT INTO profiles (name, vomo_url, crm_url, raise_url, is_sandbox, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(p.name, p.vomoUrl, p.crmUrl, p.raiseUrl, p.isSandbox ? 1 : 0, now, now);
    return this.get(Number(info.lastInsertRowid))!;
  }
  update(id: number, patch: Partial<NewProfile>): ProfileRow | undefined {
    const cur = this.get(id);
    if (!cur) return undefined;
    this.db
      .prepare('UPDATE profiles SET name = ?, vomo_url = ?, crm_url = ?, raise_url = ?, updated_at = ? WHERE id = ?')
      .run(
        patch.name ?? cur.name,
        patch.vomoUrl !== undefined ? patch.vomoUrl : cur.vomo_url,
        patch.crmUrl !== undefined ? patch.crmUrl : cur.crm_url,
        patch.raiseUrl !== undefined ? patch.raiseUrl : cur.raise_url,
        new Date().toISOString(),
        id,
      );
    return this.get(id);
  }
  remove(id: number): boolean {
    return this.db.transaction(() => {
      // The identity node cache goes first: while it exists, the mirror triggers would mark
      // every row the cascade below deletes (identity/changeTracking.ts).
      this.db.prepare('DELETE FROM identity_node_cache WHERE profile_id = ?').run(id);
      const removed = this.db.prepare('DELETE FROM profiles WHERE id = ?').run(id).changes > 0;
      this.db.prepare('DELETE FROM identity_dirty WHERE profile_id = ?').run(id);
      return removed;
    })();
  }
}
