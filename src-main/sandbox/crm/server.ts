/** CRM+ (Virtuous CRM) routes: see api-shapes.md §1 and MANIFEST.md for the choices made. */
import { Router, empty, json, lazyMap, pageRes } from '../http/router';
import type { ApiErrors } from '../http/server';
import type { Req, Res } from '../http/types';
import type { World } from '../state/world';
import type { CrmContactPlan } from '../generator/types';
import { CONTACT_PARAMS, GIFT_PARAMS, PARAM_TYPES, isModelState, parseQuery } from './conditions';
import { contactIds, contactSortKey, giftIds, giftSortKey } from './lists';
import { abbreviatedContact, abbreviatedGift, fullContact, fullGift } from './render';
import type { TransactionQueue } from './transactions';
import { newContact, validateTransaction } from './transactions';

const invalid = (modelState: Record<string, string[]>): Res => json(400, { message: 'The request is invalid.', modelState });
const notFoundEmpty = (): Res => empty(404);
const cloudflare = (code: string) => `<html>\r\n<head><title>${code} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${code}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`;

export const crmErrors: ApiErrors = {
  unauthorized: () => json(401, { message: 'Authorization has been denied for this request.' }),
  notFound: (req) => json(404, { message: `No HTTP resource was found that matches the request URI '${req.origin}/${req.segments.join('/')}'.` }),
  methodNotAllowed: () => json(405, { message: 'The requested resource does not support http method.' }),
  badJson: () => invalid({ query: ['An error has occurred.'] }),
  serverError: (kind) => (kind === '500' ? json(500, { message: 'An error has occurred.' }) : { status: Number(kind), text: cloudflare(kind), contentType: 'text/html' }),
  tooMany: (retryAfter) => json(429, { error: { code: 'RATE_LIMITED', message: `API rate limit exceeded. Try again in ${retryAfter} seconds.`, details: [] } }),
};

function paging(req: Req): { skip: number; take: number } | Res {
  const get = (k: string) => {
    for (const [key, v] of req.query) if (key.toLowerCase() === k) return v;
    return null;
  };
  const skip = get('skip') === null ? 0 : Number(get('skip'));
  const take = get('take') === null ? 10 : Number(get('take'));
  if (!Number.isInteger(skip) || skip < 0) return invalid({ skip: [`The value '${get('skip')}' is not valid for skip.`] });
  if (!Number.isInteger(take) || take < 0) return invalid({ take: [`The value '${get('take')}' is not valid for take.`] });
  return { skip, take: Math.min(take, 1000) };
}

const isRes = (x: unknown): x is Res => typeof x === 'object' && x !== null && 'status' in x;

export function crmRouter(w: World, tx: TransactionQueue): Router {
  const r = new Router();
  const contactById = (id: string) => (/^\d+$/.test(id) ? w.contact(Number(id)) : null);

  const page = (req: Req, ids: Int32Array, render: (id: number) => unknown): Res => {
    const p = paging(req);
    if (isRes(p)) return p;
    return pageRes('list', lazyMap(ids.subarray(p.skip, p.skip + p.take), render), { total: ids.length });
  };

  const contactQuery = (full: boolean) => (req: Req) => {
    const q = parseQuery(req.body ?? {}, CONTACT_PARAMS);
    if (isModelState(q)) return invalid(q);
    const sort = contactSortKey(q.sortBy);
    if (!sort) return invalid({ 'query.sortBy': [`'${q.sortBy}' is not a valid sort.`] });
    return page(req, contactIds(w, q, sort), (id) => (full ? fullContact(w.contact(id)!, w.now) : abbreviatedContact(w.contact(id)!)));
  };
  const giftQuery = (full: boolean) => (req: Req) => {
    const q = parseQuery(req.body ?? {}, GIFT_PARAMS);
    if (isModelState(q)) return invalid(q);
    const sort = giftSortKey(q.sortBy);
    if (!sort) return invalid({ 'query.sortBy': [`'${q.sortBy}' is not a valid sort.`] });
    return page(req, giftIds(w, q, sort), (id) => {
      const { g, c } = giftById(id)!;
      return full ? fullGift(g, c) : abbreviatedGift(g, true);
    });
  };
  const giftById = (id: number) => {
    const i = w.crmGiftOwner(id);
    if (i === -1) return null;
    const c = w.plan(i).crm;
    const g = c?.gifts.find((x) => x.id === id);
    return c && g && !c.deleted && !g.deleted ? { g, c } : null;
  };
  const options = (params: string[]) => () =>
    json(200, {
      options: params.map((p) => ({ parameter: p, type: PARAM_TYPES[p]!.type, operatorOptions: PARAM_TYPES[p]!.ops.map((o) => ({ operator: o, multipleValuesAllowed: o === 'In' || o === 'NotIn', valueRequired: !['IsKnown', 'IsNotKnown'].includes(o) })), valueOptions: p === 'Contact Type' ? ['Household', 'Organization'] : [] })),
      operatorOptions: [...new Set(params.flatMap((p) => PARAM_TYPES[p]!.ops))].map((o) => ({ operator: o, multipleValuesAllowed: o === 'In' || o === 'NotIn', valueRequired: !['IsKnown', 'IsNotKnown'].includes(o) })),
    });

  r.get('/api/Organization', () => json(200, { id: 1, name: 'Gotham Community Partners', legalName: 'Gotham Community Partners, Inc.', timeZone: 'Central Standard Time', currencyCode: 'USD', isSandbox: true }));
  r.get('/api/Contact/QueryOptions', options(CONTACT_PARAMS));
  r.get('/api/Gift/QueryOptions', options(GIFT_PARAMS));
  r.get('/api/Contact/Types', () => json(200, [{ parentType: null, type: 'Household' }, { parentType: null, type: 'Organization' }, { parentType: null, type: 'Foundation' }, { parentType: 'Organization', type: 'Church' }, { parentType: 'Organization', type: 'Company' }]));
  r.get('/api/ContactMethod/Types', () => json(200, ['Home Email', 'Work Email', 'Other Email', 'Home Phone', 'Mobile Phone', 'Work Phone', 'Other Phone', 'Fax', 'Facebook', 'Twitter', 'LinkedIn', 'Skype', 'Web', 'Other']));
  r.post('/api/Contact/Query', contactQuery(false));
  r.post('/api/Contact/Query/FullContact', contactQuery(true));
  r.get('/api/Contact/Find', (req) => {
    const email = req.query.get('email');
    const src = req.query.get('referenceSource');
    const rid = req.query.get('referenceId');
    let c: CrmContactPlan | undefined;
    if (src && rid) c = w.contactsByReference(src, rid)[0];
    else if (email) c = w.contactsByEmail(email)[0];
    else return invalid({ email: ['Provide email, or referenceSource and referenceId.'] });
    return c ? json(200, fullContact(c, w.now)) : notFoundEmpty();
  });
  r.post('/api/Contact/Transaction', (req) => {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) return json(400, { message: 'The argument cannot be null' });
    const problems = validateTransaction(req.body as Record<string, unknown>);
    if (problems.length) return json(422, { error: { code: 'VALIDATION_ERROR', message: 'The contact transaction failed validation.', details: problems } });
    tx.accept(w, req.body as Record<string, unknown>);
    return empty(200);
  });
  r.post('/api/Contact', (req) => directCreate(w, req));
  r.get('/api/Contact/:id', (req) => {
    const c = contactById(req.params.id!);
    return c ? json(200, fullContact(c, w.now)) : notFoundEmpty();
  });
  r.get('/api/Contact/:source/:refId', (req) => {
    const c = w.contactsByReference(req.params.source!, req.params.refId!)[0];
    return c ? json(200, fullContact(c, w.now)) : notFoundEmpty();
  });
  r.post('/api/Gift/Query', giftQuery(false));
  r.post('/api/Gift/Query/FullGift', giftQuery(true));
  r.get('/api/Gift/ByContact/:id', (req) => {
    const c = contactById(req.params.id!);
    if (!c) return json(200, { list: [], total: 0 });
    const sort = giftSortKey(req.query.get('sortBy')) ?? 'id';
    const key = { id: (g: { id: number }) => g.id, giftDate: (g: { day: number }) => g.day, amount: (g: { amountCents: number }) => g.amountCents, modified: (g: { modifiedAt: number }) => g.modifiedAt, created: (g: { createdAt: number }) => g.createdAt }[sort] as (g: unknown) => number;
    const gifts = c.gifts.filter((g) => !g.deleted).sort((a, b) => key(a) - key(b) || a.id - b.id);
    if (req.query.get('descending') === 'true') gifts.reverse();
    return page(req, Int32Array.from(gifts, (g) => g.id), (id) => abbreviatedGift(gifts.find((g) => g.id === id)!, false));
  });
  r.get('/api/Gift/:id', (req) => {
    const hit = /^\d+$/.test(req.params.id!) ? giftById(Number(req.params.id)) : null;
    return hit ? json(200, fullGift(hit.g, hit.c)) : notFoundEmpty();
  });
  r.get('/api/Gift/:source/:txid', (req) => {
    const src = req.params.source!.toLowerCase();
    const txid = req.params.txid!;
    // Only Raise-synced gifts carry a transaction pair here; a Raise gift id maps to its owner.
    for (const id of w.crmGiftIdsByTransaction(src, txid)) {
      const hit = giftById(id);
      if (hit) return json(200, fullGift(hit.g, hit.c));
    }
    return notFoundEmpty();
  });
  r.get('/api/Relationship/ByContact/:id', () => json(200, { list: [], total: 0 }));
  return r;
}

function directCreate(w: World, req: Req): Res {
  const b = req.body as Record<string, unknown> | undefined;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return json(400, { message: 'The argument cannot be null' });
  const inds = Array.isArray(b.contactIndividuals) ? (b.contactIndividuals as Record<string, unknown>[]) : [];
  if (!inds.length && typeof b.name !== 'string') return invalid({ 'contact.contactIndividuals': ['A contact needs a name or at least one individual.'] });
  const individuals = inds.map((x, k) => {
    const id = w.counters.crmIndividual++;
    const methods = (Array.isArray(x.contactMethods) ? (x.contactMethods as Record<string, unknown>[]) : []).map((m, n) => ({ id: 60_000_000 + id * 4 + n, type: String(m.type ?? 'Other'), value: String(m.value ?? ''), isPrimary: m.isPrimary === true, isOptedIn: m.isOptedIn === true }));
    return { id, firstName: String(x.firstName ?? ''), lastName: String(x.lastName ?? ''), gender: null, isPrimary: x.isPrimary === true || k === 0, birthYear: null, methods };
  });
  const refs = Array.isArray(b.contactReferences) ? (b.contactReferences as { source?: unknown; id?: unknown }[]).map((x) => ({ source: String(x.source ?? ''), id: String(x.id ?? '') })) : [];
  if (typeof b.referenceSource === 'string' && b.referenceId !== undefined) refs.push({ source: b.referenceSource, id: String(b.referenceId) });
  const addr = (Array.isArray(b.contactAddresses) ? (b.contactAddresses as Record<string, unknown>[])[0] : (b.address as Record<string, unknown> | undefined)) ?? null;
  const c = newContact(w, {
    contactType: String(b.contactType ?? 'Household') === 'Organization' ? 'Organization' : 'Household',
    name: typeof b.name === 'string' ? b.name : `${individuals[0]?.firstName ?? ''} ${individuals[0]?.lastName ?? ''}`.trim(),
    individuals,
    address: addr ? { address1: String(addr.address1 ?? ''), city: String(addr.city ?? ''), state: String(addr.stateCode ?? addr.state ?? ''), postal: String(addr.postal ?? '') } : null,
    references: refs,
    tags: [],
    cause: 'api',
  });
  return json(200, fullContact(c, w.now));
}
