/**
 * A thin adapter from reconciliation to the connectors and the sync engine's mirrors.
 *
 * The sync service keeps its collectors private and has no "re-sync these records" entry, so
 * this builds its own clients (from Connections: same connectors, same tuning as a sync, tokens
 * read for this run only) and writes through the same parse functions and mirror upserts a sync
 * uses. Nothing here touches checkpoints: re-reading a day or listing ids must
 * not move a collector's watermark.
 */
import type { Db } from '../store/db';
import { API_LABELS } from '../../src-shared/domain/apis';
import type { SyncTuning } from '../sync/config';
import type { Connections } from '../connections/connections';
import { VomoClient } from '../connectors/vomo/client';
import { newVomoWalk, nextVomoUsersPage, userUpdatedAt, vomoItemId } from '../connectors/vomo/paging';
import { parseVomoUser } from '../connectors/vomo/schemas';
import { CrmClient, readPage, type CrmPage } from '../connectors/crm/client';
import { itemId, itemModified, modifiedQueryBody, newWalk, nextCrmPage } from '../connectors/crm/paging';
import { parseContact, parseGift } from '../connectors/crm/schemas';
import { RaiseClient } from '../connectors/raise/client';
import { newRaiseWalk, nextRaisePage, raiseItemId, raiseItemModified } from '../connectors/raise/paging';
import { parseRaiseCampaign, parseRaiseDonor, parseRaiseGift } from '../connectors/raise/schemas';
import { VomoMirror } from '../sync/mirrors/vomo';
import { CrmMirror } from '../sync/mirrors/crm';
import { RaiseMirror } from '../sync/mirrors/raise';
import type { MirrorTable } from '../sync/mirrors/table';
import type { ApiSources, ResourceSource, SourceRecord, SourcesFactory } from './sourceTypes';

interface Core {
  db: Db;
}


type Upsert = (item: unknown, raw: string, now: string) => { id: string } | { error: string };

/** Writes records through a mirror in one transaction; returns ids written and failures. */
function writer(core: Core, upsert: Upsert) {
  return async (records: SourceRecord[]) => {
    const restored: string[] = [];
    const failed: { id: string; reason: string }[] = [];
    const now = new Date().toISOString();
    core.db.transaction(() => {
      for (const r of records) {
        const out = upsert(r.raw, JSON.stringify(r.raw), now);
        if ('id' in out) restored.push(out.id);
        else failed.push({ id: r.id, reason: out.error });
      }
    })();
    return { restored, failed };
  };
}

function table<T extends { id: string }>(t: MirrorTable<T>, profileId: number, parse: (raw: unknown) => { ok: true; value: T } | { ok: false; reason: string }): Upsert {
  return (item, raw, now) => {
    const p = parse(item);
    if (!p.ok) return { error: p.reason };
    t.upsert(profileId, p.value, raw, now);
    return { id: p.value.id };
  };
}

function vomoSources(core: Core, profileId: number, client: VomoClient): ResourceSource[] {
  const mirror = new VomoMirror(core.db);
  async function* walk(since: string | null, signal?: AbortSignal) {
    let cursor = newVomoWalk(since ? 'incremental' : 'full', since);
    for (;;) {
      const page = await nextVomoUsersPage(client, cursor, signal);
      yield page.items;
      if (page.done) return;
      cursor = page.cursor;
    }
  }
  return [
    {
      api: 'vomo',
      resource: 'users',
      table: 'vomo_users',
      updatedColumn: 'updated_at',
      async *changedSince(since, signal) {
        for await (const items of walk(since, signal)) {
          // `updated_after` may be strict or loose at the server; the day is what was asked.
          yield items.flatMap((raw) => {
            const id = vomoItemId(raw);
            const u = userUpdatedAt(raw);
            return id && (!u || u >= since) ? [{ id, updatedAt: u, raw }] : [];
          });
        }
      },
      async *allIds(signal) {
        for await (const items of walk(null, signal)) yield items.map(vomoItemId).filter((x): x is string => !!x);
      },
      resync: writer(core, (item, raw, now) => {
        const p = parseVomoUser(item);
        if (!p.ok) return { error: p.reason };
        // A new or changed user gets its participations read by the next sync (detail cleared).
        mirror.upsertUser(profileId, p.value, raw, now);
        return { id: p.value.id };
      }),
    },
  ];
}

function crmSources(core: Core, profileId: number, client: CrmClient, tune: SyncTuning['crm']): ResourceSource[] {
  const mirror = new CrmMirror(core.db);
  const spec = {
    contacts: { param: tune.contactFilterParameter, sort: tune.contactSortBy, full: '/api/Contact/Query/FullContact', ids: '/api/Contact/Query' },
    gifts: { param: tune.giftFilterParameter, sort: tune.giftSortBy, full: '/api/Gift/Query/FullGift', ids: '/api/Gift/Query' },
  } as const;
  async function* walk(resource: 'contacts' | 'gifts', since: string | null, idsOnly: boolean, signal?: AbortSignal) {
    const s = spec[resource];
    const body = modifiedQueryBody(since, { parameter: s.param, sortBy: s.sort, operator: tune.filterOperator });
    let path: string = idsOnly ? s.ids : s.full;
    const fetchPage = async (skip: number, take: number): Promise<CrmPage> => {
      try {
        return readPage((await client.request('POST', path, { skip, take }, body, signal)).json);
      } catch (err) {
        // Abbreviated Query endpoints are not everywhere: fall back to the full one.
        if (path !== s.full && (err as { status?: number }).status === 404) {
          path = s.full;
          return readPage((await client.request('POST', path, { skip, take }, body, signal)).json);
        }
        throw err;
      }
    };
    let cursor = newWalk(since ? 'incremental' : 'full', since);
    for (;;) {
      const page = await nextCrmPage(cursor, fetchPage, { take: tune.take, overlap: tune.overlap });
      yield page.items;
      if (page.done) return;
      cursor = page.cursor;
    }
  }
  const make = (resource: 'contacts' | 'gifts'): ResourceSource => ({
    api: 'crm',
    resource,
    table: resource === 'contacts' ? 'crm_contacts' : 'crm_gifts',
    updatedColumn: 'modified_at',
    async *changedSince(since, signal) {
      const value = tune.filterGranularity === 'date' ? since.slice(0, 10) : since;
      for await (const items of walk(resource, value, false, signal)) {
        yield items.flatMap((raw) => {
          const id = itemId(raw);
          return id ? [{ id, updatedAt: itemModified(raw), raw }] : [];
        });
      }
    },
    async *allIds(signal) {
      for await (const items of walk(resource, null, true, signal)) yield items.map(itemId).filter((x): x is string => !!x);
    },
    resync: writer(
      core,
      resource === 'contacts'
        ? (item, raw, now) => {
            const p = parseContact(item);
            if (!p.ok) return { error: p.reason };
            mirror.upsertContact(profileId, p.value, raw, now);
            return { id: p.value.contact.id };
          }
        : table(mirror.gifts, profileId, parseGift),
    ),
  });
  return tune.gifts ? [make('contacts'), make('gifts')] : [make('contacts')];
}

function raiseSources(core: Core, profileId: number, client: RaiseClient, tune: SyncTuning['raise']): ResourceSource[] {
  const mirror = new RaiseMirror(core.db);
  const specs = [
    { resource: 'campaigns', path: 'Campaign', table: 'raise_campaigns', upsert: table(mirror.campaigns, profileId, parseRaiseCampaign) },
    { resource: 'donors', path: 'Donor', table: 'raise_donors', upsert: table(mirror.donors, profileId, parseRaiseDonor) },
    { resource: 'gifts', path: 'Gift', table: 'raise_gifts', upsert: table(mirror.gifts, profileId, parseRaiseGift) },
  ];
  const opts = { take: tune.take, overlap: tune.overlap, sinceParam: tune.sinceParam, sortBy: tune.sortBy };
  async function* walk(path: string, since: string | null, signal?: AbortSignal) {
    let cursor = newRaiseWalk(since ? 'incremental' : 'full', since);
    for (;;) {
      const page = await nextRaisePage(client, path, cursor, opts, signal);
      yield page.items;
      if (page.done) return;
      cursor = page.cursor;
    }
  }
  return specs.map(
    (s): ResourceSource => ({
      api: 'raise',
      resource: s.resource,
      table: s.table,
      updatedColumn: 'modified_at',
      async *changedSince(since, signal) {
        for await (const items of walk(s.path, since, signal)) {
          // A server that ignores the filter returns everything: keep only what changed since.
          yield items.flatMap((raw) => {
            const id = raiseItemId(raw);
            const m = raiseItemModified(raw);
            return id && (!m || m >= since) ? [{ id, updatedAt: m, raw }] : [];
          });
        }
      },
      async *allIds(signal) {
        for await (const items of walk(s.path, null, signal)) yield items.map(raiseItemId).filter((x): x is string => !!x);
      },
      resync: writer(core, s.upsert),
    }),
  );
}

export interface SourceDeps {
  db: Db;
  connections: Connections;
  /** Brings the person store up to date with the mirrors (the identity rebuild). */
  refreshPersons(profileId: number): Promise<unknown>;
}

/** Clients for every API the profile is connected to, over the connectors. */
export function connectorSources(deps: SourceDeps): SourcesFactory {
  return async (profileId) => {
    const closers: (() => void)[] = [];
    const apis: ApiSources['apis'] = [];
    for (const api of ['vomo', 'crm', 'raise'] as const) {
      const c = await deps.connections.open(profileId, api);
      if (!c.ok) {
        if (!c.skip) apis.push({ api, resources: [], unavailable: `${API_LABELS[api]} was not checked: ${c.error.message}` });
        continue;
      }
      if (c.api === 'vomo') {
        const client = new VomoClient(c.options);
        closers.push(() => client.close());
        apis.push({ api, resources: vomoSources(deps, profileId, client), unavailable: null });
      } else if (c.api === 'crm') {
        const client = new CrmClient(c.options);
        closers.push(() => client.close());
        apis.push({ api, resources: crmSources(deps, profileId, client, c.tuning.crm), unavailable: null });
      } else {
        const client = new RaiseClient(c.options);
        closers.push(() => client.close());
        apis.push({ api, resources: raiseSources(deps, profileId, client, c.tuning.raise), unavailable: null });
      }
    }
    return {
      apis,
      close: () => closers.forEach((f) => f()),
      // The person store follows the mirrors (the identity join refreshes from them).
      afterResync: async () => void (await deps.refreshPersons(profileId)),
      ensurePersons: async () => void (await deps.refreshPersons(profileId)),
    };
  };
}
