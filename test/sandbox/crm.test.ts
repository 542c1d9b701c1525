import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src-main/sandbox/index';
import type { SandboxHandle } from '../../src-main/sandbox/index';
import { admin, byModified, call, plain, walkCrm } from './helpers';

let h: SandboxHandle;
const scen = (name: string) => h.manifest().scenarios.find((s) => s.name === name)!;
beforeAll(async () => {
  h = await startSandbox({ people: 500, seed: 21, rateLimits: 'off' });
});
afterAll(() => h.stop());

const parseTs = (s: string) => Date.parse(s.endsWith('Z') ? s : `${s}Z`);

describe('CRM+ contacts', () => {
  it('walks FullContact by skip/take sorted by modified date: every contact once, in order', async () => {
    const { list, totals } = await walkCrm(h, plain(h), '/api/Contact/Query/FullContact', byModified, 37);
    expect(new Set(totals).size).toBe(1);
    expect(list.length).toBe(totals[0]);
    expect(list.length).toBe(h.manifest().recordCounts.crm.contacts);
    expect(new Set(list.map((c) => c.id)).size).toBe(list.length);
    const t = list.map((c) => parseTs(c.modifiedDateTimeUtc));
    for (let k = 1; k < t.length; k++) expect(t[k]).toBeGreaterThanOrEqual(t[k - 1]!);
    // Wire details from the reference: camelCase, money strings, offset-less 0–7 digit timestamps.
    const c = list.find((x) => Array.isArray(x.contactIndividuals) && x.lastGiftDate !== 'Unavailable')!;
    expect(c.lifeToDateGiving).toMatch(/^\$[\d,]+\.\d{2}$/);
    expect(c.lastGiftDate).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4}$/);
    expect(list.some((x) => x.lastGiftDate === 'Unavailable' && x.lifeToDateGiving === '$0')).toBe(true);
    const digits = new Set(list.map((x) => (/\.(\d+)$/.exec(x.modifiedDateTimeUtc)?.[1] ?? '').length));
    expect(digits.size).toBeGreaterThanOrEqual(5);
    expect(list.every((x) => !/[Z+]/.test(x.modifiedDateTimeUtc.slice(19)))).toBe(true);
    expect(list.some((x) => typeof x.contactIndividuals === 'string')).toBe(true);
    expect(list.some((x) => Array.isArray(x.contactIndividuals) && x.contactIndividuals.some((i: any) => 'FirstName' in i && !('firstName' in i)))).toBe(true);
    const desc = await call(h, 'crm', '/api/Contact/Query/FullContact?skip=0&take=5', { body: { ...byModified, descending: true } });
    expect(desc.json.list.map((x: any) => x.id)).toEqual(list.slice(-5).reverse().map((x) => x.id));
  });

  it('Query returns abbreviated rows; accepts the modified-date sort aliases and Id', async () => {
    const r = await call(h, 'crm', '/api/Contact/Query?take=3', { body: { groups: [] } });
    expect(Object.keys(r.json.list[0]).sort()).toEqual(['address', 'contactName', 'contactType', 'contactViewUrl', 'email', 'id', 'name', 'phone']);
    const ids = r.json.list.map((x: any) => x.id);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => a - b));
    for (const sortBy of ['Last Modified Date', 'ModifiedDateTimeUtc', 'modifiedDateTimeUtc']) {
      const x = await call(h, 'crm', '/api/Contact/Query?take=4', { body: { sortBy } });
      const y = await call(h, 'crm', '/api/Contact/Query/FullContact?take=4', { body: byModified });
      expect(x.json.list.map((c: any) => c.id)).toEqual(y.json.list.map((c: any) => c.id));
    }
    const bad = await call(h, 'crm', '/api/Contact/Query', { body: { groups: [{ conditions: [{ parameter: 'Shoe Size', operator: 'Is', value: '9' }] }] } });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe('The request is invalid.');
    expect(Object.keys(bad.json.modelState)[0]).toContain('parameter');
    const big = await call(h, 'crm', '/api/Contact/Query?take=5000', { body: {} });
    expect(big.json.list.length).toBe(Math.min(1000, big.json.total));
  });

  it('filters on Last Modified Date (each operator), Email Address, Contact Id and Create Date', async () => {
    const { list } = await walkCrm(h, plain(h), '/api/Contact/Query/FullContact', byModified, 1000);
    const mod = (c: any) => parseTs(c.modifiedDateTimeUtc);
    const day = Date.UTC(2026, 5, 1);
    const q = async (conditions: any[]) => (await walkCrm(h, plain(h), '/api/Contact/Query/FullContact', { groups: [{ conditions }], sortBy: 'Id' }, 1000)).list.map((c) => c.id);
    const ids = (f: (c: any) => boolean) => list.filter(f).map((c) => c.id).sort((a, b) => a - b);
    const D = '2026-06-01';
    expect(await q([{ parameter: 'Last Modified Date', operator: 'OnOrAfter', value: D }])).toEqual(ids((c) => mod(c) >= day));
    expect(await q([{ parameter: 'Last Modified Date', operator: 'After', value: D }])).toEqual(ids((c) => mod(c) >= day + 86_400_000));
    expect(await q([{ parameter: 'Last Modified Date', operator: 'GreaterThan', value: '2026-06-01T00:00:00' }])).toEqual(ids((c) => mod(c) > day));
    expect(await q([{ parameter: 'Last Modified Date', operator: 'Before', value: D }])).toEqual(ids((c) => mod(c) < day));
    expect(await q([{ parameter: 'Last Modified Date', operator: 'OnOrBefore', value: D }])).toEqual(ids((c) => mod(c) < day + 86_400_000));
    expect(await q([{ parameter: 'Last Modified Date', operator: 'Between', value: '2026-01-01', secondaryValue: D }])).toEqual(ids((c) => mod(c) >= Date.UTC(2026, 0, 1) && mod(c) < day + 86_400_000));
    expect(await q([{ parameter: 'Create Date', operator: 'Before', value: '2022-01-01' }])).toEqual(ids((c) => parseTs(c.createDateTimeUtc) < Date.UTC(2022, 0, 1)));
    const diana = scen('work_email_in_vomo');
    expect(await q([{ parameter: 'Email Address', operator: 'Is', value: 'DLane@acme-corp.example' }])).toEqual([diana.crmContactId]);
    expect(await q([{ parameter: 'Contact Id', operator: 'In', values: [String(diana.crmContactId), '1'] }])).toEqual([diana.crmContactId]);
    // Groups are OR'ed, conditions inside a group AND'ed.
    const two = await walkCrm(h, plain(h), '/api/Contact/Query', { groups: [{ conditions: [{ parameter: 'Contact Id', operator: 'Is', value: String(diana.crmContactId) }] }, { conditions: [{ parameter: 'Email Address', operator: 'Is', value: 'bruce@wayne.example' }] }] }, 10);
    expect(two.list.length).toBe(2);
  });

  it('GET by id, Find by email (any email method) and 404 with an empty body', async () => {
    const diana = scen('work_email_in_vomo');
    const one = await call(h, 'crm', `/api/Contact/${diana.crmContactId}`);
    expect(one.json.contactIndividuals[0].contactMethods.map((m: any) => m.type)).toEqual(expect.arrayContaining(['Home Email', 'Work Email']));
    const found = await call(h, 'crm', `/api/Contact/Find?email=${encodeURIComponent(' dlane@ACME-corp.example ')}`);
    expect(found.status).toBe(200);
    expect(found.json.id).toBe(diana.crmContactId);
    for (const path of ['/api/Contact/Find?email=nobody%40nowhere.example', '/api/Contact/1', '/api/Contact/Twofold%2FVOMO/123456', '/api/Gift/1']) {
      const r = await call(h, 'crm', path);
      expect(r.status).toBe(404);
      expect(r.text).toBe('');
    }
    const missingRoute = await call(h, 'crm', '/api/Nope');
    expect(missingRoute.status).toBe(404);
    expect(missingRoute.json.message).toContain('No HTTP resource');
  });

  it('Contact Transaction: 200 empty body, 422 canonical validation, resolved by the nightly batch', async () => {
    const pushed = scen('twofold_reference_email_differs');
    const diana = scen('work_email_in_vomo');
    const post = (body: unknown) => call(h, 'crm', '/api/Contact/Transaction', { body });
    const bad = await post({ referenceSource: 'Twofold/VOMO', referenceId: '1', firstName: 'A', lastName: 'B', email: 'not an email' });
    expect(bad.status).toBe(422);
    expect(bad.json).toEqual({ error: { code: 'VALIDATION_ERROR', message: expect.any(String), details: [{ field: 'email', code: 'INVALID', message: expect.any(String) }] } });
    const noLast = await post({ firstName: 'A', email: 'a@b.example' });
    expect(noLast.status).toBe(422);
    expect(noLast.json.error.details[0].field).toBe('lastName');
    // by reference wins over a matching email (Bruce's email points elsewhere)
    const a = await post({ referenceSource: 'Twofold/VOMO', referenceId: String(pushed.vomoUserId), firstName: 'Renee', lastName: 'Montoya', email: 'bruce@wayne.example' });
    expect(a.status).toBe(200);
    expect(a.text).toBe('');
    // by email: Diana's Work Email (not her primary one)
    await post({ referenceSource: 'Twofold/VOMO', referenceId: String(diana.vomoUserId), firstName: 'Diana', lastName: 'Lane', email: 'DLANE@acme-corp.example', emailType: 'Work Email' });
    // new
    await post({ referenceSource: 'Twofold/VOMO', referenceId: '777777', firstName: 'Kyle', lastName: 'Rayner', email: 'kyle@rayner.example', phone: '555-0100' });
    const pending = await call(h, 'crm', '/api/Contact/Twofold%2FVOMO/777777');
    expect(pending.status).toBe(404);
    const before = Date.parse((await admin(h, 'state')).now);
    const batch = await admin(h, 'nightly-batch', {});
    expect(batch.outcomes.map((o: any) => o.outcome)).toEqual(['matchedByReference', 'matchedByEmail', 'created']);
    expect(batch.outcomes[0].contactId).toBe(pushed.crmContactId);
    expect(batch.outcomes[1].contactId).toBe(diana.crmContactId);
    const created = await call(h, 'crm', '/api/Contact/Twofold%2FVOMO/777777');
    expect(created.status).toBe(200);
    expect(created.json.contactReferences).toEqual([{ source: 'Twofold/VOMO', id: '777777' }]);
    expect(created.json.contactIndividuals[0]).toMatchObject({ firstName: 'Kyle', lastName: 'Rayner' });
    expect((await call(h, 'crm', `/api/Contact/${created.json.id}`)).json.id).toBe(created.json.id);
    const merged = await call(h, 'crm', `/api/Contact/Find?referenceSource=${encodeURIComponent('Twofold/VOMO')}&referenceId=${diana.vomoUserId}`);
    expect(merged.json.id).toBe(diana.crmContactId);
    expect(parseTs(merged.json.modifiedDateTimeUtc)).toBe(before);
    const direct = await call(h, 'crm', '/api/Contact', { body: { contactType: 'Household', contactIndividuals: [{ firstName: 'Kyle', lastName: 'Rayner', contactMethods: [{ type: 'Home Email', value: 'kyle@rayner.example', isPrimary: true }] }] } });
    expect(direct.status).toBe(200);
    expect(direct.json.id).toBeGreaterThan(created.json.id);
    expect((await call(h, 'crm', `/api/Contact/${direct.json.id}`)).status).toBe(200);
    const m = h.manifest();
    expect(m.contactTransactions.processed.map((p: any) => p.outcome)).toEqual(['matchedByReference', 'matchedByEmail', 'created']);
  });
});

describe('CRM+ gifts, organization, errors and limits', () => {
  it('walks FullGift; Raise-synced gifts carry their Raise provenance; lookups work', async () => {
    const { list } = await walkCrm(h, plain(h), '/api/Gift/Query/FullGift', { sortBy: 'Last Modified Date' }, 500);
    expect(list.length).toBe(h.manifest().recordCounts.crm.gifts);
    expect(new Set(list.map((g) => g.id)).size).toBe(list.length);
    const g = list.find((x) => x.transactionSource === 'Raise')!;
    expect(g.giftDate).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00$/);
    expect(typeof g.amount).toBe('number');
    expect(g.amountFormatted).toMatch(/^\$/);
    const raiseGift = await call(h, 'raise', `/api/Gift/${g.transactionId}`);
    expect(raiseGift.status).toBe(200);
    const byTx = await call(h, 'crm', `/api/Gift/Raise/${g.transactionId}`);
    expect(byTx.json.id).toBe(g.id);
    const byContact = await call(h, 'crm', `/api/Gift/ByContact/${g.contactId}?take=100`);
    expect(byContact.json.list.some((x: any) => x.id === g.id && /^\d+\/\d+\/\d{4}$/.test(x.giftDate) && typeof x.amount === 'string')).toBe(true);
    const gd = await walkCrm(h, plain(h), '/api/Gift/Query', { groups: [{ conditions: [{ parameter: 'Gift Date', operator: 'OnOrAfter', value: '2026-10-01' }] }], sortBy: 'Gift Date' }, 100);
    expect(gd.list.every((x) => Date.parse(x.giftDate) >= Date.parse('2026-10-01'))).toBe(true);
    expect((await call(h, 'crm', `/api/Relationship/ByContact/${g.contactId}`)).json).toEqual({ list: [], total: 0 });
    expect((await call(h, 'crm', '/api/Organization')).status).toBe(200);
    const qo = await call(h, 'crm', '/api/Contact/QueryOptions');
    expect(qo.json.options.map((o: any) => o.parameter)).toEqual(expect.arrayContaining(['Last Modified Date', 'Email Address', 'Contact Id', 'Create Date']));
  });

  it('401 in CRM+’s shape; X-RateLimit headers everywhere; 429 with Retry-After when spent', async () => {
    const r = await call(h, 'crm', '/api/Organization', { token: 'wrong' });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ message: 'Authorization has been denied for this request.' });
    const s = await startSandbox({ people: 120, seed: 3, rateLimits: { crm: { limit: 4, windowMs: 3_600_000 } } });
    try {
      const got = [];
      for (let k = 0; k < 6; k++) got.push(await call(s, 'crm', k % 2 ? '/api/Contact/1' : '/api/Organization'));
      expect(got.map((x) => x.status)).toEqual([200, 404, 200, 404, 429, 429]);
      expect(got.map((x) => x.headers.get('x-ratelimit-remaining'))).toEqual(['3', '2', '1', '0', '0', '0']);
      expect(got.every((x) => x.headers.get('x-ratelimit-limit') === '4' && Number(x.headers.get('x-ratelimit-reset')) > Date.now() / 1000)).toBe(true);
      expect(Number(got[5]!.headers.get('retry-after'))).toBeGreaterThan(3000);
    } finally {
      await s.stop();
    }
  });
});
