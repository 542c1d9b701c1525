import type { Migration } from '../migrate';

/**
 * identity_node_cache.settings_json: the identity settings the cached persons were computed with,
 * as JSON, beside their digest (settings_digest, which also covers the code). A new setting then
 * recomputes only the persons it can change: a new field authority, those with records in two or
 * more systems (the others display their one system's values whatever the authority), about a
 * quarter of a million-person store; anything else, or a cache without it, every person.
 */
export const migration: Migration = {
  id: 93,
  name: 'identity: the node cache keeps the settings its persons were computed with',
  up(db) {
    db.exec(`ALTER TABLE identity_node_cache ADD COLUMN settings_json TEXT;`);
  },
};
