/** Migration 0093 (the node cache keeps the settings its persons were computed with): a cache row from before keeps its values and has none. */
import { describe, expect, it } from 'vitest';
import { seedProfile, storeAcrossMigration } from '../helpers/migrationStore';

describe('migration 0093: identity_node_cache.settings_json', () => {
  it('adds the settings column to a cache row kept from before, empty (its persons then count as computed with unknown settings), and takes a JSON text', () => {
    const db = storeAcrossMigration(93, (before) => {
      seedProfile(before);
      before.prepare("INSERT INTO identity_node_cache (profile_id, version, built_at, settings_digest, node_count, person_count) VALUES (1, 5, 'x', 42, 10, 7)").run();
    });
    expect(db.prepare('SELECT version, settings_digest, node_count, person_count, settings_json FROM identity_node_cache').get()).toEqual({
      version: 5,
      settings_digest: 42,
      node_count: 10,
      person_count: 7,
      settings_json: null,
    });
    db.prepare(`UPDATE identity_node_cache SET settings_json = ? WHERE profile_id = 1`).run('{"defaultPhoneRegion":"US"}');
    expect(JSON.parse(db.prepare('SELECT settings_json FROM identity_node_cache').pluck().get() as string)).toEqual({ defaultPhoneRegion: 'US' });
    db.prepare('DELETE FROM profiles WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) FROM identity_node_cache').pluck().get()).toBe(0);
  });
});
