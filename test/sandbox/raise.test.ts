import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src-main/sandbox/index';
import type { SandboxHandle } from '../../src-main/sandbox/index';
import { call, plain, walkRaise } from './helpers';

let h: SandboxHandle;
beforeAll(async () => {
  h = await startSandbox({ people: 500, seed: 31, rateLimits: 'off' });
});
afterAll(() => h.stop());

describe('Raise lists', () => {
  it('walks donors, gifts, recurring gifts and campaigns once each by PascalCase Skip/Take', async () => {
    const m = h.manifest();
    for (const [res, n] of [['Donor', m.recordCounts.raise.donors], ['Gift', m.recordCounts.raise.gifts], ['RecurringGift', m.recordCounts.raise.recurringGifts], ['Campaign', m.recordCounts.raise.campaigns]] as const) {
      const items = await walkRaise(h, plain(h), res, '', 45);
      expect(items.length, res).toBe(n);
      expect(new Set(items.map((x) => x.id)).size).toBe(items.length);
      const ids = items.map((x) => x.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
    const first = await call(h, 'raise', '/api/Donor/list?Take=5');
    expect(Object.keys(first.json)).toEqual(['items', 'total']);
    // lowercase skip/take are not recognized: defaults apply (Skip 0, Take 10)
    const lower = await call(h, 'raise', '/api/Donor/list?skip=5&take=3');
    expect(lower.json.items.length).toBe(10);
    expect(lower.json.items[0].id).toBe(first.json.items[0].id);
  });

  it('donor and gift shapes: crmKey/crmKeyUrls when synced, null when held back', async () => {
    const donors = await walkRaise(h, plain(h), 'Donor', '', 200);
    const synced = donors.find((d) => d.crmKey !== null)!;
    expect(synced.crmKeyUrls.VirtuousCRM).toEqual({ crmKey: synced.crmKey, url: `${h.crm.baseUrl}/Contact/${synced.crmKey}` });
    expect((await call(h, 'crm', `/api/Contact/${synced.crmKey}`)).status).toBe(200);
    const held = h.manifest().reconciliation.donorsHeldBackByCanSyncFalse.list![0]!;
    const d = await call(h, 'raise', `/api/Donor/${held}`);
    expect(d.json).toMatchObject({ id: held, crmKey: null, crmKeyUrls: {}, isArchived: false, isTestMode: false });
    expect(Array.isArray(d.json.donorEmailAddresses)).toBe(true);
    const gifts = await call(h, 'raise', `/api/Donor/${held}/gifts?Take=50`);
    const camps = await walkRaise(h, plain(h), 'Campaign');
    for (const g of gifts.json.items) expect(camps.find((c) => c.id === g.campaignId)!.canSync).toBe(false);
    const g = gifts.json.items[0];
    expect(Object.keys(g)).toEqual(expect.arrayContaining(['id', 'donorId', 'amount', 'formattedAmount', 'currency', 'date', 'createdDate', 'modifiedDate', 'statusText', 'campaignName', 'campaignId', 'transactionId', 'recurringGiftId']));
    const quirk = h.manifest().quirks.find((q: any) => q.api === 'raise')!;
    expect(typeof (await call(h, 'raise', `/api/Gift/${quirk.id}`)).json.amount).toBe('string');
  });

  it('SortBy, Descending and ModifiedAfter behave', async () => {
    const all = await walkRaise(h, plain(h), 'Gift', '', 500);
    const byAmount = await walkRaise(h, plain(h), 'Gift', 'SortBy=Amount&Descending=true', 500);
    const amounts = byAmount.map((g) => Number(g.amount));
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    const byDate = await walkRaise(h, plain(h), 'Gift', 'SortBy=date', 500);
    expect(byDate.map((g) => g.date)).toEqual([...byDate.map((g) => g.date)].sort());
    const cut = '2026-09-01T00:00:00Z';
    const recent = await walkRaise(h, plain(h), 'Gift', `ModifiedAfter=${cut}`, 500);
    expect(recent.map((g) => g.id)).toEqual(all.filter((g) => Date.parse(g.modifiedDate) > Date.parse(cut)).map((g) => g.id));
    const donors = await walkRaise(h, plain(h), 'Donor', 'SortBy=modifieddate', 500);
    expect(donors.map((d) => d.modifiedDate)).toEqual([...donors.map((d) => d.modifiedDate)].sort());
    const bad = await call(h, 'raise', '/api/Gift/list?ModifiedAfter=soon');
    expect(bad.status).toBe(400);
    expect(bad.json.errors.ModifiedAfter).toBeDefined();
  });

  it('toggle-sync flips canSync; 404 and 401 shapes', async () => {
    const c = await call(h, 'raise', '/api/Campaign/1106');
    const t = await call(h, 'raise', '/api/Campaign/1106/toggle-sync', { method: 'PUT' });
    expect(t.json.canSync).toBe(!c.json.canSync);
    const back = await call(h, 'raise', '/api/Campaign/1106/toggle-sync', { method: 'PUT' });
    expect(back.json.canSync).toBe(c.json.canSync);
    const nf = await call(h, 'raise', '/api/Donor/1');
    expect(nf.status).toBe(404);
    expect(nf.json.title).toBe('Not Found');
    const un = await call(h, 'raise', '/api/Donor/list', { token: 'x' });
    expect(un.status).toBe(401);
    expect(un.text).toBe('');
    expect(un.headers.get('www-authenticate')).toContain('Bearer');
  });
});
