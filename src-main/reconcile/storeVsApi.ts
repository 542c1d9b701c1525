/**
 * Store vs APIs: re-read what each API says changed since a day, and find the records the local
 * store is missing (never stored, or marked gone although the API still has them) or holds an
 * older copy of (its updated time is before the API's). Then re-sync exactly those, and only
 * those, through the sync engine's upserts.
 *
 * An API that cannot be read is reported and skipped; it never fails the run (seed 000: one
 * API's trouble must not disable the other).
 */
import type { Db } from '../store/db';
import type { ApiCheck, SweepCheck } from '../../src-shared/domain/reconcile';
import type { FindingDraft } from './types';
import type { ResourceSource, SourceRecord } from './sourceTypes';
import { refs } from './people';

function ms(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(/[zZ]$|[+-]\d{2}:?\d{2}$/.test(iso) ? iso : iso + 'Z');
  return Number.isFinite(t) ? t : null;
}

function message(err: unknown): string {
  return (err as Error)?.message?.split('\n')[0] ?? String(err);
}

const PERSON_SOURCE: Record<string, 'vomo' | 'crm_contact' | 'raise' | null> = {
  'vomo:users': 'vomo',
  'crm:contacts': 'crm_contact',
  'raise:donors': 'raise',
};

export async function checkStoreVsApi(
  db: Db,
  profileId: number,
  src: ResourceSource,
  opts: { since: string; resync: boolean; signal?: AbortSignal; onPage?: (n: number) => void },
): Promise<{ check: ApiCheck; findings: FindingDraft[]; resynced: string[] }> {
  const check: ApiCheck = { api: src.api, resource: src.resource, status: 'ok', checked: 0, missing: 0, stale: 0, resynced: 0, message: null };
  const findings: FindingDraft[] = [];
  const drift: { rec: SourceRecord; kind: 'store_missing' | 'store_stale'; storeUpdatedAt: string | null; wasGone: string | null }[] = [];
  try {
    for await (const page of src.changedSince(opts.since, opts.signal)) {
      if (!page.length) continue;
      check.checked += page.length;
      opts.onPage?.(check.checked);
      const ids = page.map((r) => r.id);
      const rows = db
        .prepare(`SELECT id, ${src.updatedColumn} AS updated, gone_at FROM ${src.table} WHERE profile_id = ? AND id IN (${ids.map(() => '?').join(',')})`)
        .all(profileId, ...ids) as { id: string; updated: string | null; gone_at: string | null }[];
      const have = new Map(rows.map((r) => [r.id, r]));
      for (const rec of page) {
        const row = have.get(rec.id);
        if (!row || row.gone_at) {
          drift.push({ rec, kind: 'store_missing', storeUpdatedAt: row?.updated ?? null, wasGone: row?.gone_at ?? null });
          continue;
        }
        const api = ms(rec.updatedAt);
        const store = ms(row.updated);
        if (api !== null && (store === null || store < api)) drift.push({ rec, kind: 'store_stale', storeUpdatedAt: row.updated, wasGone: null });
      }
    }
  } catch (err) {
    check.status = 'failed';
    check.message = `${src.api} ${src.resource} could not be re-read: ${message(err)}`;
    return { check, findings, resynced: [] };
  }

  let restored = new Set<string>();
  const failed = new Map<string, string>();
  if (opts.resync && drift.length) {
    try {
      const out = await src.resync(
        drift.map((d) => d.rec),
        opts.signal,
      );
      restored = new Set(out.restored);
      for (const f of out.failed) failed.set(f.id, f.reason);
    } catch (err) {
      check.message = `the re-sync of ${src.api} ${src.resource} failed: ${message(err)}`;
    }
  }
  const personSource = PERSON_SOURCE[`${src.api}:${src.resource}`] ?? null;
  for (const d of drift) {
    if (d.kind === 'store_missing') check.missing++;
    else check.stale++;
    if (restored.has(d.rec.id)) check.resynced++;
    findings.push({
      kind: d.kind,
      api: src.api,
      resource: src.resource,
      sourceId: d.rec.id,
      subject: `store:${src.table}:${d.rec.id}`,
      personRefs: personSource ? refs({ source: personSource, id: d.rec.id }) : [],
      label: labelOf(d.rec.raw),
      crmUrl: null,
      occurredAt: d.rec.updatedAt,
      detail: {
        apiUpdatedAt: d.rec.updatedAt,
        storeUpdatedAt: d.storeUpdatedAt,
        ...(d.wasGone ? { wasMarkedGoneAt: d.wasGone } : {}),
        resynced: restored.has(d.rec.id),
        ...(failed.has(d.rec.id) ? { resyncError: failed.get(d.rec.id) } : {}),
      },
    });
  }
  return { check, findings, resynced: [...restored] };
}

/** A name to show for a raw API record, whatever its casing. */
export function labelOf(raw: unknown): string | null {
  if (!raw || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const full = s(o.full_name) ?? s(o.name) ?? s(o.contactName) ?? ([s(o.first_name) ?? s(o.firstName), s(o.last_name) ?? s(o.lastName)].filter(Boolean).join(' ') || null);
  return full ?? s(o.email) ?? null;
}

/**
 * The IDs-only sweep of one resource: every id the source holds now, compared with the mirror.
 * Mirror rows the source no longer has get `gone_at` (never deleted); rows marked gone that
 * the source has again are left to the next sync, which clears the mark when it stores them.
 * Only a complete listing marks anything: a sweep cut short by an error changes nothing.
 */
export async function sweepResource(
  db: Db,
  profileId: number,
  src: ResourceSource,
  opts: { now: string; signal?: AbortSignal; markedNow: Set<string> },
): Promise<SweepCheck> {
  const check: SweepCheck = { api: src.api, resource: src.resource, status: 'ok', sourceIds: 0, markedGone: 0, reappeared: 0, message: null };
  if (!src.allIds) return { ...check, status: 'skipped', message: 'no IDs-only listing for this resource' };
  const ids = new Set<string>();
  try {
    for await (const page of src.allIds(opts.signal)) for (const id of page) ids.add(id);
  } catch (err) {
    return { ...check, status: 'failed', message: `${src.api} ${src.resource} could not be listed: ${message(err)}` };
  }
  check.sourceIds = ids.size;
  const live = db.prepare(`SELECT id FROM ${src.table} WHERE profile_id = ? AND gone_at IS NULL`).pluck().all(profileId) as string[];
  if (ids.size === 0 && live.length > 0) {
    // An empty listing against a full mirror is far likelier a wrong token scope or an API
    // hiccup than a mass deletion: refuse to mark everything gone.
    return { ...check, status: 'failed', message: `${src.api} ${src.resource} listed no ids at all; nothing was marked gone` };
  }
  const goneIds = live.filter((id) => !ids.has(id));
  const mark = db.prepare(`UPDATE ${src.table} SET gone_at = ? WHERE profile_id = ? AND id = ? AND gone_at IS NULL`);
  db.transaction(() => {
    for (const id of goneIds) {
      check.markedGone += mark.run(opts.now, profileId, id).changes;
      opts.markedNow.add(`${src.table}:${id}`);
    }
  })();
  const goneRows = db.prepare(`SELECT id FROM ${src.table} WHERE profile_id = ? AND gone_at IS NOT NULL`).pluck().all(profileId) as string[];
  check.reappeared = goneRows.filter((id) => ids.has(id)).length;
  return check;
}
