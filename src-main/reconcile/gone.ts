/**
 * Records gone at the source: every mirror row with `gone_at` set (by the IDs-only sweep here or
 * by a full sync's sweep) is listed, never dropped, so the steward sees what vanished (deleted,
 * merged away, refunded) and since when.
 */
import type { Db } from '../store/db';
import type { ApiName } from '../../src-shared/domain/apis';
import type { FindingDraft, PersonRef } from './types';
import { refs } from './people';

interface GoneSpec {
  api: ApiName;
  resource: string;
  table: string;
  label: string;
  extra: string;
  person: (r: GoneRow) => PersonRef | null;
  crmUrl?: string;
}

interface GoneRow {
  id: string;
  gone_at: string;
  label: string | null;
  a: string | null;
  b: string | number | null;
  c: string | null;
  url: string | null;
}

export const GONE_SPECS: GoneSpec[] = [
  {
    api: 'vomo',
    resource: 'users',
    table: 'vomo_users',
    label: `coalesce(nullif(trim(coalesce(first_name,'') || ' ' || coalesce(last_name,'')), ''), email)`,
    extra: `email AS a, updated_at AS b, NULL AS c, NULL AS url`,
    person: (r) => ({ source: 'vomo', id: r.id }),
  },
  {
    api: 'crm',
    resource: 'contacts',
    table: 'crm_contacts',
    label: 'name',
    extra: `merged_into_contact_id AS a, modified_at AS b, NULL AS c, contact_view_url AS url`,
    person: (r) => ({ source: 'crm_contact', id: r.id }),
  },
  {
    api: 'crm',
    resource: 'gifts',
    table: 'crm_gifts',
    label: `(SELECT name FROM crm_contacts cc WHERE cc.profile_id = t.profile_id AND cc.id = t.contact_id)`,
    extra: `contact_id AS a, amount_cents AS b, gift_date AS c, (SELECT contact_view_url FROM crm_contacts cc WHERE cc.profile_id = t.profile_id AND cc.id = t.contact_id) AS url`,
    person: (r) => (r.a ? { source: 'crm_contact', id: r.a } : null),
  },
  {
    api: 'raise',
    resource: 'donors',
    table: 'raise_donors',
    label: `coalesce(nullif(trim(coalesce(name, coalesce(first_name,'') || ' ' || coalesce(last_name,''))), ''), email)`,
    extra: `email AS a, modified_at AS b, crm_key AS c, crm_url AS url`,
    person: (r) => ({ source: 'raise', id: r.id }),
  },
  {
    api: 'raise',
    resource: 'gifts',
    table: 'raise_gifts',
    label: `(SELECT coalesce(nullif(trim(coalesce(d.name, coalesce(d.first_name,'') || ' ' || coalesce(d.last_name,''))), ''), d.email) FROM raise_donors d WHERE d.profile_id = t.profile_id AND d.id = t.donor_id)`,
    extra: `donor_id AS a, amount_cents AS b, coalesce(status_text, gift_date) AS c, (SELECT crm_url FROM raise_donors d WHERE d.profile_id = t.profile_id AND d.id = t.donor_id) AS url`,
    person: (r) => (r.a ? { source: 'raise', id: r.a } : null),
  },
  {
    api: 'raise',
    resource: 'campaigns',
    table: 'raise_campaigns',
    label: 'name',
    extra: `NULL AS a, can_sync AS b, NULL AS c, NULL AS url`,
    person: () => null,
  },
];

const DETAIL_KEYS: Record<string, [string, string, string]> = {
  'vomo:users': ['email', 'updatedAt', ''],
  'crm:contacts': ['mergedIntoContactId', 'modifiedAt', ''],
  'crm:gifts': ['contactId', 'amountCents', 'giftDate'],
  'raise:donors': ['email', 'modifiedAt', 'crmKey'],
  'raise:gifts': ['donorId', 'amountCents', 'status'],
  'raise:campaigns': ['', 'canSync', ''],
};

export function goneFindings(db: Db, profileId: number, markedNow: Set<string>): FindingDraft[] {
  const out: FindingDraft[] = [];
  for (const s of GONE_SPECS) {
    const rows = db
      .prepare(`SELECT t.id, t.gone_at, ${s.label} AS label, ${s.extra} FROM ${s.table} t WHERE t.profile_id = ? AND t.gone_at IS NOT NULL ORDER BY t.gone_at DESC`)
      .all(profileId) as GoneRow[];
    const keys = DETAIL_KEYS[`${s.api}:${s.resource}`]!;
    for (const r of rows) {
      const detail: Record<string, unknown> = { goneAt: r.gone_at, table: s.table, markedThisRun: markedNow.has(`${s.table}:${r.id}`) };
      if (keys[0] && r.a !== null) detail[keys[0]] = r.a;
      if (keys[1] && r.b !== null) detail[keys[1]] = r.b;
      if (keys[2] && r.c !== null) detail[keys[2]] = r.c;
      out.push({
        kind: 'gone_at_source',
        api: s.api,
        resource: s.resource,
        sourceId: r.id,
        subject: `gone:${s.table}:${r.id}`,
        personRefs: refs(s.person(r)),
        label: r.label,
        crmUrl: r.url,
        occurredAt: r.gone_at,
        detail,
      });
    }
  }
  return out;
}
