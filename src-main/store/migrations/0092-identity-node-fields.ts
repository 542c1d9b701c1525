import type { Migration } from '../migrate';

/**
 * identity_node_fields: beside each record of the node cache (identity_nodes), every field a
 * person row is computed from (the record's columns and measure inputs; an individual's
 * household contact and methods too), as the one JSON text nodes.ts reads back, and the record
 * digest they were read under. A rebuild after a new field authority recomputes every person; it
 * read all of those fields from the mirrors again (a correlated aggregate per record: 13 s at a
 * million persons), and now reads them here in key order. A rebuild after a sync does not touch
 * this table (rewriting the fields of a sync's scattered records cost 2 s of a 4 s rebuild at a
 * million persons): a row whose digest is no longer the record's is read from the mirrors again
 * by the next recompute, which rewrites it. A separate table so the join's narrow reads of
 * identity_nodes stay narrow.
 */
export const migration: Migration = {
  id: 92,
  name: 'identity: the node cache keeps the fields of each record',
  up(db) {
    db.exec(`
      CREATE TABLE identity_node_fields (
        profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        rank INTEGER NOT NULL,
        source_id TEXT NOT NULL,
        digest INTEGER NOT NULL,      -- identity_nodes.digest when the fields were read: current while equal
        fields TEXT NOT NULL,
        PRIMARY KEY (profile_id, rank, source_id)
      ) WITHOUT ROWID;
    `);
  },
};
