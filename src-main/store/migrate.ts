/**
 * Numbered migrations, applied in order, each in its own transaction.
 *
 * Rules: a migration that throws leaves the database exactly as it was before it (its
 * transaction rolls back and nothing after it runs); a database that has applied a migration
 * this build does not know (a newer Twofold wrote it) is refused rather than guessed at.
 */
import type Database from 'better-sqlite3-multiple-ciphers';

export interface Migration {
  id: number;
  name: string;
  up(db: Database.Database): void;
}

export class MigrationError extends Error {
  constructor(message: string, readonly migrationId?: number) {
    super(message);
    this.name = 'MigrationError';
  }
}

export function appliedMigrations(db: Database.Database): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  return (db.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: number }[]).map((r) => r.id);
}

export function migrate(db: Database.Database, migrations: Migration[]): number[] {
  const sorted = [...migrations].sort((a, b) => a.id - b.id);
  const ids = new Set<number>();
  for (const m of sorted) {
    if (ids.has(m.id)) throw new MigrationError(`two migrations share number ${m.id}`, m.id);
    ids.add(m.id);
  }
  const applied = appliedMigrations(db);
  const unknown = applied.filter((id) => !ids.has(id));
  if (unknown.length) {
    throw new MigrationError(
      `this database was written by a newer Twofold (migration ${unknown.join(', ')} is unknown here); update Twofold to open it`,
    );
  }
  const done = new Set(applied);
  const ran: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)');
  for (const m of sorted) {
    if (done.has(m.id)) continue;
    const step = db.transaction(() => {
      m.up(db);
      record.run(m.id, m.name, new Date().toISOString());
    });
    try {
      step();
    } catch (err) {
      throw new MigrationError(
        `migration ${m.id} (${m.name}) failed and was rolled back: ${(err as Error).message}`,
        m.id,
      );
    }
    ran.push(m.id);
  }
  return ran;
}
