import type { z } from 'zod';
import type { Db } from '../db';

/**
 * Per-profile settings as JSON values, each read through a zod schema with its default, so a
 * value written by an older version (or by hand) can never reach the domain malformed.
 */
export class SettingsRepo {
  constructor(private readonly db: Db) {}

  get<T extends z.ZodType>(profileId: number, key: string, schema: T): z.output<T> {
    const row = this.db
      .prepare('SELECT value_json FROM profile_settings WHERE profile_id = ? AND key = ?')
      .get(profileId, key) as { value_json: string } | undefined;
    let raw: unknown = undefined;
    if (row) {
      try {
        raw = JSON.parse(row.value_json);
      } catch {
        raw = undefined;
      }
    }
    const parsed = schema.safeParse(raw);
    return parsed.success ? parsed.data : schema.parse(undefined);
  }

  set(profileId: number, key: string, value: unknown): void {
    this.db
      .prepare(
        `INSERT INTO profile_settings (profile_id, key, value_json, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (profile_id, key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
      )
      .run(profileId, key, JSON.stringify(value), new Date().toISOString());
  }
}
