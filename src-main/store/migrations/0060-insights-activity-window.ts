import type { Migration } from '../migrate';

/**
 * "Lapsed donors still volunteering" now means served within an activity window (365 days by
 * default). The old default was 0 ("every current VOMO volunteer"), and the settings form stored
 * that 0 whenever a steward saved any insight setting, so a stored 0 says nothing about a choice:
 * it becomes the new default. The wider reading stays one click away on the list.
 */
export const migration: Migration = {
  id: 60,
  name: 'insights: stored activity window 0 becomes the 365-day default',
  up(db) {
    db.prepare(
      `UPDATE profile_settings SET value_json = json_set(value_json, '$.activityDays', 365)
        WHERE key = 'insights' AND json_valid(value_json) AND json_extract(value_json, '$.activityDays') = 0`,
    ).run();
  },
};
