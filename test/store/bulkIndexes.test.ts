/**
 * Bulk writes drop a table's secondary indexes and build them again afterwards. The build runs
 * through a small page cache of its own; whatever happens, the connection gets its own back.
 */
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3-multiple-ciphers';
import { dropIndexes, restoreIndexes, INDEX_BUILD_CACHE_KIB } from '../../src-main/store/bulkIndexes';

function store() {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE p (id INTEGER PRIMARY KEY, email TEXT, name TEXT COLLATE NOCASE, phone TEXT)`);
  db.exec(`CREATE UNIQUE INDEX p_by_email ON p (email)`);
  db.exec(`CREATE INDEX p_by_name ON p (name) WHERE phone IS NOT NULL`);
  db.pragma('cache_size = -65536');
  return db;
}
const indexes = (db: Database.Database) => db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'p' ORDER BY name`).all() as { name: string; sql: string }[];

describe('restoreIndexes', () => {
  it('builds every dropped index again as it was declared, measures the table, and leaves the page cache as it found it', () => {
    const db = store();
    const declared = indexes(db);
    db.transaction(() => {
      const dropped = [dropIndexes(db, 'p')];
      expect(indexes(db)).toEqual([]);
      const put = db.prepare(`INSERT INTO p (email, name, phone) VALUES (?, ?, ?)`);
      for (let i = 0; i < 2000; i++) put.run(`e${i}@x.org`, `Name ${i % 97}`, i % 3 ? `555${i}` : null);
      restoreIndexes(db, dropped);
      expect(dropped).toEqual([]); // taken: a second call has nothing left to do
    })();
    expect(indexes(db)).toEqual(declared);
    expect(db.prepare(`SELECT idx FROM sqlite_stat1 WHERE tbl = 'p' ORDER BY idx`).pluck().all()).toEqual(['p_by_email', 'p_by_name']);
    expect(db.pragma('cache_size', { simple: true })).toBe(-65536);
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM p WHERE email = ?`).all('e5@x.org') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/p_by_email/);
    db.close();
  });

  it('leaves in place the partial indexes a bulk write adds nothing to, and SQLite keeps them current', () => {
    const db = store();
    const declared = indexes(db);
    db.transaction(() => {
      const dropped = [dropIndexes(db, 'p', { keep: ['p_by_name'] })];
      expect(dropped[0]!.sql).toEqual([declared.find((i) => i.name === 'p_by_email')!.sql]);
      expect(indexes(db).map((i) => i.name)).toEqual(['p_by_name']);
      // Rows its WHERE excludes (what a caller names it for), and one it does not: kept all the same.
      const put = db.prepare(`INSERT INTO p (email, name, phone) VALUES (?, ?, ?)`);
      for (let i = 0; i < 500; i++) put.run(`e${i}@x.org`, `Name ${i}`, null);
      put.run('z@x.org', 'Zed', '555');
      restoreIndexes(db, dropped);
    })();
    expect(indexes(db)).toEqual(declared);
    expect(db.prepare(`SELECT name FROM p INDEXED BY p_by_name WHERE phone IS NOT NULL AND name > ''`).pluck().all()).toEqual(['Zed']);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('builds through its own small page cache', () => {
    const db = store();
    // What the cache is set to around each statement the build runs (a SQL function cannot ask:
    // the connection is busy while it runs).
    const steps: string[] = [];
    const pragma = db.pragma.bind(db);
    const exec = db.exec.bind(db);
    db.pragma = ((source: string, options?: Database.PragmaOptions) => {
      if (source.startsWith('cache_size =')) steps.push(source);
      return pragma(source, options);
    }) as typeof db.pragma;
    db.exec = ((source: string) => {
      steps.push(source.split(' (')[0]);
      return exec(source);
    }) as typeof db.exec;
    db.prepare(`INSERT INTO p (email, name, phone) VALUES ('a@x.org', 'A', '1')`).run();
    db.transaction(() => restoreIndexes(db, [{ table: 'p', sql: [`CREATE INDEX p_by_phone ON p (phone)`] }]))();
    expect(steps).toEqual([`cache_size = -${INDEX_BUILD_CACHE_KIB}`, 'CREATE INDEX p_by_phone ON p', 'ANALYZE "p"', 'cache_size = -65536']);
    expect(INDEX_BUILD_CACHE_KIB).toBeLessThanOrEqual(4096);
    expect(pragma('cache_size', { simple: true })).toBe(-65536);
    db.close();
  });

  it('an index that cannot be built fails the caller (whose transaction brings back the indexes it dropped), and the cache is the connection\'s again', () => {
    const db = store();
    const declared = indexes(db);
    expect(() =>
      db.transaction(() => {
        const dropped = [dropIndexes(db, 'p')];
        db.prepare(`INSERT INTO p (email, name, phone) VALUES ('same@x.org', 'A', '1'), ('same@x.org', 'B', '2')`).run();
        restoreIndexes(db, dropped);
      })(),
    ).toThrow(/UNIQUE/);
    expect(indexes(db)).toEqual(declared);
    expect(db.prepare(`SELECT COUNT(*) FROM p`).pluck().get()).toBe(0);
    expect(db.pragma('cache_size', { simple: true })).toBe(-65536);
    db.close();
  });
});
