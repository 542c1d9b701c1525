/**
 * Raise → CRM+ reconciliation, as SQL over the mirrors.
 *
 * Rules (seed 001): the platform sync is one-way and eventually consistent, so the absence of
 * a crmKey or of a CRM+ gift is never an error by itself. A Raise donor without a crmKey is
 * held back (every gift of it sits in campaigns with canSync false), not yet synced (its
 * syncable activity is younger than the lag window) or probably failed (older). A Raise gift
 * without a CRM+ gift (transactionSource Raise, transactionId = the Raise gift id) is held back,
 * not yet synced, or missing after the lag window. CRM+ gifts that claim a Raise origin with
 * no Raise gift, and matched pairs whose amount or date differ, are reported too. Records gone
 * at the source (gone_at) take no part: the sweep reports them.
 */
import type { Db } from '../store/db';
import type { CampaignHeldBack } from '../../src-shared/domain/reconcile';
import type { FindingDraft } from './types';
import { refs } from './people';
import { raiseOriginSql } from '../store/giftOrigin';

export interface RaiseCrmOptions {
  profileId: number;
  asOf: string;
  lagHours: number;
  dateToleranceDays: number;
}

export interface RaiseCrmResult {
  findings: FindingDraft[];
  campaignsSyncOff: CampaignHeldBack[];
  counts: { donors: number; donorsLinked: number; donorsUnlinked: number; gifts: number; giftsMatched: number; crmGiftsFromRaise: number };
  notes: string[];
}

/** The CRM+ gifts that claim a Raise origin (any casing: "Raise", "raise", "RaiseDonors"). */
export const raiseOrigin = raiseOriginSql;

function windowStart(asOf: string, lagHours: number): string {
  return new Date(Date.parse(asOf) - lagHours * 3_600_000).toISOString();
}

/** ISO instants compare as text only in one shape; normalize what the mirrors hold. */
function ms(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) || iso.length <= 10 ? iso : iso + 'Z');
  return Number.isFinite(t) ? t : null;
}

function donorName(r: { name: string | null; first_name: string | null; last_name: string | null; email: string | null }): string | null {
  const n = r.name?.trim() || [r.first_name, r.last_name].filter(Boolean).join(' ').trim();
  return n || r.email || null;
}

interface DonorRow {
  id: string;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  created_at: string | null;
  is_test_mode: number | null;
}

interface GiftRow {
  id: string;
  donor_id: string | null;
  campaign_id: string | null;
  campaign_name: string | null;
  can_sync: number | null;
  campaign_modified_at: string | null;
  amount_cents: number | null;
  gift_date: string | null;
  created_at: string | null;
  status_text: string | null;
  d_name: string | null;
  d_first_name: string | null;
  d_last_name: string | null;
  d_email: string | null;
  crm_key: string | null;
  crm_url: string | null;
}

interface CrmGiftRow {
  id: string;
  transaction_id: string;
  amount_cents: number | null;
  gift_date: string | null;
  created_at: string | null;
  contact_id: string | null;
  contact_view_url: string | null;
}

export function reconcileRaiseCrm(db: Db, o: RaiseCrmOptions): RaiseCrmResult {
  const p = o.profileId;
  const cutoff = ms(windowStart(o.asOf, o.lagHours))!;
  const findings: FindingDraft[] = [];
  const notes: string[] = [];
  const lagDetail = { lagHours: o.lagHours, asOf: o.asOf };

  // Donors without a crmKey (few); their gifts are tallied in the one pass over gifts below,
  // since a per-donor subquery is planned as a walk over every gift (quadratic at scale).
  const donors = db
    .prepare(
      `SELECT d.id, d.name, d.first_name, d.last_name, d.email, d.created_at, d.is_test_mode
         FROM raise_donors d
        WHERE d.profile_id = ? AND d.gone_at IS NULL AND coalesce(d.crm_key, '') = ''`,
    )
    .all(p) as DonorRow[];
  const unlinked = new Map(donors.map((d) => [d.id, Object.assign(d, { gifts: 0, held: 0, first_syncable_at: null as string | null, heldSet: new Set<string>() })]));

  // Raise gifts and their CRM+ counterparts -----------------------------------------------------
  // Two linear passes joined in memory by transaction id: the planner, without statistics,
  // would rather walk every CRM+ gift per Raise gift than use an index for the match.
  const crmByTx = new Map<string, CrmGiftRow>();
  for (const c of db
    .prepare(
      `SELECT cg.id, cg.transaction_id, cg.amount_cents, cg.gift_date, cg.created_at, cg.contact_id, cc.contact_view_url
         FROM crm_gifts cg
         LEFT JOIN crm_contacts cc ON cc.profile_id = cg.profile_id AND cc.id = cg.contact_id
        WHERE cg.profile_id = ? AND ${raiseOrigin('cg')} AND cg.gone_at IS NULL AND cg.transaction_id IS NOT NULL
        ORDER BY cg.id`,
    )
    .iterate(p) as Iterable<CrmGiftRow>) {
    if (!crmByTx.has(c.transaction_id)) crmByTx.set(c.transaction_id, c); // a second CRM+ gift for one Raise gift: the first decides
  }
  const rows = db
    .prepare(
      `SELECT g.id, g.donor_id, g.campaign_id, coalesce(c.name, g.campaign_name) AS campaign_name, c.can_sync, c.modified_at AS campaign_modified_at,
              g.amount_cents, g.gift_date, g.created_at, g.status_text,
              d.name AS d_name, d.first_name AS d_first_name, d.last_name AS d_last_name, d.email AS d_email,
              d.crm_key, d.crm_url
         FROM raise_gifts g
         LEFT JOIN raise_campaigns c ON c.profile_id = g.profile_id AND c.id = g.campaign_id
         LEFT JOIN raise_donors d ON d.profile_id = g.profile_id AND d.id = g.donor_id
        WHERE g.profile_id = ? AND g.gone_at IS NULL`,
    )
    .iterate(p) as Iterable<GiftRow>;

  const seen = new Set<string>();
  const heldBack = new Map<string, CampaignHeldBack & { donorSet: Set<string> }>();
  let giftsMatched = 0;
  for (const g0 of rows) {
    const cg = crmByTx.get(g0.id);
    const g = {
      ...g0,
      crm_gift_id: cg?.id ?? null,
      crm_amount_cents: cg?.amount_cents ?? null,
      crm_gift_date: cg?.gift_date ?? null,
      crm_created_at: cg?.created_at ?? null,
      crm_contact_id: cg?.contact_id ?? null,
      contact_url: cg?.contact_view_url ?? null,
    };
    seen.add(g.id);
    const ud = g.donor_id ? unlinked.get(g.donor_id) : undefined;
    if (ud) {
      ud.gifts++;
      if (g.can_sync === 0) {
        ud.held++;
        ud.heldSet.add(g.campaign_name ?? g.campaign_id ?? '');
      } else if (g.created_at && (!ud.first_syncable_at || (ms(g.created_at) ?? 0) < (ms(ud.first_syncable_at) ?? 0))) ud.first_syncable_at = g.created_at;
    }
    const label = donorName({ name: g.d_name, first_name: g.d_first_name, last_name: g.d_last_name, email: g.d_email });
    const personRefs = refs({ source: 'raise', id: g.donor_id }, { source: 'crm_contact', id: g.crm_contact_id });
    const crmUrl = g.crm_url ?? g.contact_url ?? null;
    const campaign = { campaignId: g.campaign_id, campaign: g.campaign_name };
    const base = { api: 'raise' as const, resource: 'gifts', sourceId: g.id, personRefs, label, crmUrl, occurredAt: g.created_at };

    if (g.crm_gift_id) {
      giftsMatched++;
      const pair = { crmGiftId: g.crm_gift_id, donorId: g.donor_id, ...campaign };
      if (g.amount_cents !== null && g.crm_amount_cents !== null && g.amount_cents !== g.crm_amount_cents) {
        findings.push({
          ...base,
          kind: 'gift_amount_mismatch',
          subject: `raise_gift:${g.id}#amount`,
          detail: { ...pair, raiseAmountCents: g.amount_cents, crmAmountCents: g.crm_amount_cents },
          fingerprintExtra: `${g.amount_cents}/${g.crm_amount_cents}`,
        });
      }
      const rDay = dayOf(g.gift_date ?? g.created_at);
      const cDay = dayOf(g.crm_gift_date);
      if (rDay !== null && cDay !== null && Math.abs(rDay - cDay) > o.dateToleranceDays) {
        findings.push({
          ...base,
          kind: 'gift_date_mismatch',
          subject: `raise_gift:${g.id}#date`,
          detail: { ...pair, raiseDate: isoDay(rDay), crmDate: isoDay(cDay), days: cDay - rDay },
          fingerprintExtra: `${isoDay(rDay)}/${isoDay(cDay)}`,
        });
      }
      continue;
    }

    const subject = `raise_gift:${g.id}`;
    const detail = { donorId: g.donor_id, donorHasCrmKey: !!g.crm_key, amountCents: g.amount_cents, giftDate: g.gift_date, ...campaign };
    if (g.can_sync === 0) {
      findings.push({ ...base, kind: 'gift_held_back', subject, detail });
      const key = g.campaign_id ?? '';
      let h = heldBack.get(key);
      if (!h) heldBack.set(key, (h = { campaignId: key, name: g.campaign_name, gifts: 0, amountCents: 0, donors: 0, donorSet: new Set() }));
      h.gifts++;
      h.amountCents += g.amount_cents ?? 0;
      if (g.donor_id) h.donorSet.add(g.donor_id);
      continue;
    }
    const created = ms(g.created_at);
    const inside = created === null || created > cutoff;
    // Sync is decided when a gift is given and re-enabling does not backfill: a campaign
    // changed after the gift may have had sync off then. Said, not guessed at.
    const campaignChanged = g.campaign_modified_at !== null && created !== null && (ms(g.campaign_modified_at) ?? 0) > created;
    findings.push({
      ...base,
      kind: inside ? 'gift_not_yet_synced' : 'gift_missing_in_crm',
      subject,
      detail: { ...detail, ...lagDetail, ...(campaignChanged && !inside ? { campaignChangedSinceGift: true } : {}) },
    });
  }

  for (const d of unlinked.values()) {
    const gifts = d.gifts;
    const held = d.held;
    const base = {
      api: 'raise' as const,
      resource: 'donors',
      sourceId: d.id,
      subject: `raise_donor:${d.id}`,
      personRefs: refs({ source: 'raise', id: d.id }),
      label: donorName(d),
      crmUrl: null,
    };
    if (gifts > 0 && held === gifts) {
      findings.push({ ...base, kind: 'donor_held_back', occurredAt: d.created_at, detail: { gifts, campaigns: [...d.heldSet] } });
      continue;
    }
    // The sync acts on a donor when it carries a gift of a syncing campaign; the donor's own
    // creation time stands in when it has none.
    const ref = d.first_syncable_at ?? d.created_at;
    const refMs = ms(ref);
    const inside = refMs === null || refMs > cutoff;
    findings.push({
      ...base,
      kind: inside ? 'donor_not_yet_synced' : 'donor_probably_failed',
      occurredAt: ref,
      detail: { gifts, giftsHeldBack: held, since: ref, ...lagDetail, ...(d.is_test_mode ? { testMode: true } : {}) },
    });
  }

  // CRM+ gifts that claim a Raise origin with no Raise gift -------------------------------------
  const raiseGiftCount = (db.prepare('SELECT count(*) FROM raise_gifts WHERE profile_id = ?').pluck().get(p) as number) ?? 0;
  const crmGiftsFromRaise = db.prepare(`SELECT count(*) FROM crm_gifts t WHERE t.profile_id = ? AND ${raiseOrigin('t')} AND t.gone_at IS NULL`).pluck().get(p) as number;
  if (raiseGiftCount === 0 && crmGiftsFromRaise > 0) {
    notes.push('No Raise gifts are in the store yet, so CRM+ gifts from Raise were not checked against Raise: sync Raise first.');
  } else {
    const orphans = db
      .prepare(
        `SELECT cg.id, cg.contact_id, cg.transaction_source, cg.transaction_id, cg.amount_cents, cg.gift_date, cg.created_at,
                g.gone_at AS raise_gone_at, cc.name AS contact_name, cc.contact_view_url
           FROM crm_gifts cg
           LEFT JOIN raise_gifts g ON g.profile_id = cg.profile_id AND g.id = cg.transaction_id
           LEFT JOIN crm_contacts cc ON cc.profile_id = cg.profile_id AND cc.id = cg.contact_id
          WHERE cg.profile_id = ? AND ${raiseOrigin('cg')} AND cg.gone_at IS NULL
            AND (g.id IS NULL OR g.gone_at IS NOT NULL)`,
      )
      .all(p) as {
      id: string;
      contact_id: string | null;
      transaction_source: string;
      transaction_id: string | null;
      amount_cents: number | null;
      gift_date: string | null;
      created_at: string | null;
      raise_gone_at: string | null;
      contact_name: string | null;
      contact_view_url: string | null;
    }[];
    for (const c of orphans) {
      findings.push({
        kind: 'crm_gift_without_raise',
        api: 'crm',
        resource: 'gifts',
        sourceId: c.id,
        subject: `crm_gift:${c.id}`,
        personRefs: refs({ source: 'crm_contact', id: c.contact_id }),
        label: c.contact_name,
        crmUrl: c.contact_view_url,
        occurredAt: c.created_at,
        detail: {
          contactId: c.contact_id,
          transactionSource: c.transaction_source,
          transactionId: c.transaction_id,
          amountCents: c.amount_cents,
          giftDate: c.gift_date,
          raiseGiftGoneAt: c.raise_gone_at,
        },
      });
    }
  }

  const campaignsSyncOff = (
    db
      .prepare(`SELECT id, name FROM raise_campaigns WHERE profile_id = ? AND can_sync = 0 AND gone_at IS NULL ORDER BY name, id`)
      .all(p) as { id: string; name: string | null }[]
  ).map((c) => {
    const h = heldBack.get(c.id);
    return { campaignId: c.id, name: c.name, gifts: h?.gifts ?? 0, amountCents: h?.amountCents ?? 0, donors: h?.donorSet.size ?? 0 };
  });

  const donorTotals = db
    .prepare(`SELECT count(*) AS n, sum(CASE WHEN coalesce(crm_key, '') = '' THEN 0 ELSE 1 END) AS linked FROM raise_donors WHERE profile_id = ? AND gone_at IS NULL`)
    .get(p) as { n: number; linked: number | null };

  return {
    findings,
    campaignsSyncOff,
    counts: {
      donors: donorTotals.n,
      donorsLinked: donorTotals.linked ?? 0,
      donorsUnlinked: donors.length,
      gifts: seen.size,
      giftsMatched,
      crmGiftsFromRaise,
    },
    notes,
  };
}

/** UTC day number of an ISO date or timestamp. */
function dayOf(text: string | null | undefined): number | null {
  if (!text) return null;
  const t = ms(text);
  return t === null ? null : Math.floor(t / 86_400_000);
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
