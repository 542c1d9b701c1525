/**
 * Person rows computed from the fields the node cache keeps, a batch of clusters at a time, with
 * nothing but the batch in hand: what the person helper thread (personHelper.ts) runs. Pure; the
 * same computePerson, personValues and row digest as the join's own pass, so a row reads the same
 * whichever thread computed it (rebuild.test.ts compares whole stores built both ways).
 */
import type { IdentitySettings } from '../../src-shared/domain/identity';
import { nodeFromFields, type IdNode, type JoinNode, type NodeKind } from './nodes';
import { computePerson, personRowDigest, personValues } from './personRow';
import { digestText } from './digest';
import { shapeRow, type ShapedRow } from './personRowWriter';

/** A member record's flags that depend on records outside it (joinBuilder's inputDigest names them too). */
export const SHARED_EMAIL = 1; // an individual of a household whose members share an email
export const GIVING_OWNER = 2; // the record that holds its contact's giving

export const KIND_CODES: readonly NodeKind[] = ['vomo', 'crm_individual', 'crm_contact', 'raise'];

/**
 * Clusters as parallel arrays (cheap to copy between threads): per cluster its person ID, the
 * created_at a kept row had (null: new), its input digest, the row digest of its stored row (NaN:
 * none or not known) and how many members follow; per member, in cluster order, its kind
 * (KIND_CODES), record ID, flags and fields text.
 */
export interface ClusterBatch {
  ids: string[];
  created: (string | null)[];
  digests: number[];
  stored: number[];
  sizes: number[];
  kinds: number[];
  recordIds: string[];
  flags: number[];
  texts: string[];
}

export interface PersonBatchContext {
  profileId: number;
  settings: IdentitySettings;
  now: string;
  /** The columns whose nulls a row leaves out (personRowWriter.ts: omittableColumns). */
  omittable: number[];
  /**
   * What a row is answered as: 'shaped' for the writer of a first build (personRowWriter.ts);
   * 'changed' for a recompute, which writes only rows that read differently: null where the row
   * digest equals the stored row's (nothing to copy back), else personValues with the digest last.
   */
  answer?: 'shaped' | 'changed';
}

/** A cluster's answer: a shaped row, personValues then the row digest, or null (reads as stored). */
export type BatchRow = ShapedRow | unknown[] | null;

export const emptyBatch = (): ClusterBatch => ({ ids: [], created: [], digests: [], stored: [], sizes: [], kinds: [], recordIds: [], flags: [], texts: [] });

/** Each cluster's row (personValues and its row digest), answered as ctx.answer says. */
export function computeBatch(b: ClusterBatch, ctx: PersonBatchContext): BatchRow[] {
  const changedOnly = ctx.answer === 'changed';
  const out: BatchRow[] = new Array(b.ids.length);
  const cluster: IdNode[] = [];
  for (let c = 0, m = 0; c < b.ids.length; c++) {
    cluster.length = 0;
    let shared: Set<string> | undefined;
    let owned: string[] | undefined;
    for (const end = m + b.sizes[c]; m < end; m++) {
      const kind = KIND_CODES[b.kinds[m]];
      const id = b.recordIds[m];
      const n = nodeFromFields({ kind, id, key: kind + ':' + id, emails: [] } as unknown as JoinNode, b.texts[m]);
      cluster.push(n);
      const f = b.flags[m];
      if (f & SHARED_EMAIL) (shared ??= new Set()).add(n.key);
      if (f & GIVING_OWNER && (n.kind === 'crm_individual' || n.kind === 'crm_contact')) (owned ??= []).push(n.contactId);
    }
    const row = computePerson(b.ids[c], cluster, ctx.settings, ctx.now, b.created[c], shared, (contactId) => !!owned && owned.includes(contactId));
    row.identity_hash = digestText(b.digests[c]);
    const values = personValues(ctx.profileId, row);
    const digest = personRowDigest(values);
    if (!changedOnly) out[c] = shapeRow(values, digest, ctx.omittable);
    else if (digest === b.stored[c]) out[c] = null;
    else {
      values.push(digest);
      out[c] = values;
    }
  }
  return out;
}
