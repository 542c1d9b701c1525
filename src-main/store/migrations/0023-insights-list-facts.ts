import type { Migration } from '../migrate';

/**
 * Every fact a list's rule or filter reads, in insight_measures beside the measures: systems,
 * lifetime giving, gift dates, whether the person has an email. A list's members and its count
 * are then read from this narrow table alone, through its indexes, and never from the wide
 * persons rows (a cold count of the lapsed list read 1M persons rows: 1.6–2.3 s). The rows are
 * kept in step with persons by the insight refresh after every identity change
 * (insights/measures.ts). The giving and last-gift sorts move here from persons (0022);
 * each list's own partial index is declared with its rule (insights/listRegistry.ts).
 * Existing measures lack the new columns: their state is dropped so the next read recomputes.
 */
/** The facts a list rule or filter reads (insights/listRegistry.ts, query.ts). */
const FACTS = ['has_vomo', 'has_crm', 'has_raise', 'has_email', 'lifetime_giving_cents', 'verified_hours', 'last_gift_date', 'last_participation_at', 'score'];

export const migration: Migration = {
  id: 23,
  name: 'insights: list facts beside the measures',
  up(db) {
    db.exec(`
      ALTER TABLE insight_measures ADD COLUMN has_vomo INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE insight_measures ADD COLUMN has_crm INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE insight_measures ADD COLUMN has_raise INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE insight_measures ADD COLUMN has_email INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE insight_measures ADD COLUMN lifetime_giving_cents INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE insight_measures ADD COLUMN first_gift_date TEXT;
      ALTER TABLE insight_measures ADD COLUMN last_gift_date TEXT;
      ALTER TABLE insight_measures ADD COLUMN first_raise_gift_date TEXT;
      -- The sort indexes: the key, the person (the tiebreak), then every fact a rule or a filter
      -- reads, so a page tests each entry against its list without reading the row; a list
      -- sparse in a stretch of the sort (donors only, sorted by last participation: no donor has
      -- one) then costs an index range, not a row read per entry. A list without an index of its
      -- own is counted from the score index alone, with any filter.
      DROP INDEX insight_measures_by_hours;
      DROP INDEX insight_measures_by_score;
      DROP INDEX insight_measures_by_last_participation;
      ${['lifetime_giving_cents:giving', 'last_gift_date:last_gift', 'verified_hours:hours', 'last_participation_at:last_participation', 'score:score']
        .map((x) => {
          const [key, name] = x.split(':');
          const rest = FACTS.filter((c) => c !== key);
          return `CREATE INDEX insight_measures_by_${name} ON insight_measures (profile_id, ${key}, person_id, ${rest.join(', ')});`;
        })
        .join('\n      ')}
      DELETE FROM insight_state;
    `);
  },
};
