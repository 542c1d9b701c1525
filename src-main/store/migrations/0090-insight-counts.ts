import type { Migration } from '../migrate';

/**
 * Each list's count under the profile's default filters, taken by the measures job in the worker
 * right after it refreshes the measures (insights/listCounts.ts). A cold count of a list without
 * an index of its own reads hundreds of thousands of index entries at 1M persons (~200 ms): read
 * on the core's thread, it held every other read that long. The key names the measures state it
 * was counted from, so a row left from an earlier state is never read as current. Beside the
 * count, each sort key's range among the members, so a page skips the non-members around them.
 */
export const migration: Migration = {
  id: 90,
  name: 'insights: list counts taken with the measures',
  up(db) {
    db.exec(`
      CREATE TABLE insight_counts (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        n INTEGER NOT NULL,
        -- Per sort key, the members' least and greatest value and how many have none.
        bounds_json TEXT,
        PRIMARY KEY (profile_id, key)
      ) WITHOUT ROWID;
    `);
  },
};
