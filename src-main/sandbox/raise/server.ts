/**
 * Raise routes. Lists are {items,total} paged by PascalCase Skip/Take (lowercase skip/take are
 * not recognized and are ignored, as the docs warn). Modified-since filter: ModifiedAfter
 * (ISO-8601, exclusive). Errors are ASP.NET Core ProblemDetails; 401 has an empty body.
 */
import { Router, empty, json, lazyMap, pageRes } from '../http/router';
import type { ApiErrors } from '../http/server';
import type { Req, Res } from '../http/types';
import type { World } from '../state/world';
import { parseInstant } from '../time';
import { donorIds, giftIds, recurringIds } from './lists';
import type { ListParams } from './lists';
import { campaignJson, donorJson, giftJson, recurringJson } from './render';
import { ID } from '../generator/ids';

const problem = (status: number, title: string, extra: Record<string, unknown> = {}): Res => ({
  status,
  json: { type: `https://tools.ietf.org/html/rfc9110#section-15.${status >= 500 ? 6 : 5}.${status === 404 ? 5 : 1}`, title, status, traceId: `00-${status.toString(16).padStart(32, '0')}-0000000000000000-00`, ...extra },
  contentType: 'application/problem+json; charset=utf-8',
});

export const raiseErrors: ApiErrors = {
  unauthorized: () => empty(401, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }),
  notFound: () => problem(404, 'Not Found'),
  methodNotAllowed: () => problem(405, 'Method Not Allowed'),
  badJson: () => problem(400, 'One or more validation errors occurred.', { errors: { $: ['The JSON value could not be converted.'] } }),
  serverError: (kind) => problem(Number(kind), kind === '500' ? 'An error occurred while processing your request.' : kind === '502' ? 'Bad Gateway' : 'Service Unavailable'),
  tooMany: (retryAfter) => problem(429, 'Too Many Requests', { detail: `Rate limit exceeded. Retry after ${retryAfter} seconds.` }),
};

const SORTS: Record<string, string[]> = {
  donor: ['id', 'name', 'createddate', 'modifieddate'],
  gift: ['id', 'date', 'amount', 'donorname', 'status', 'createddate', 'modifieddate'],
  recurring: ['id', 'createddate', 'modifieddate'],
  campaign: ['id'],
};

function listParams(req: Req, kind: keyof typeof SORTS): { skip: number; take: number; p: ListParams } | Res {
  const q = req.query;
  const errors: Record<string, string[]> = {};
  const int = (name: string, dflt: number) => {
    const v = q.get(name);
    if (v === null) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) errors[name] = [`The value '${v}' is not valid for ${name}.`];
    return n;
  };
  const skip = int('Skip', 0);
  const take = Math.min(int('Take', 10), 1000);
  const desc = q.get('Descending');
  if (desc !== null && desc !== 'true' && desc !== 'false') errors.Descending = [`The value '${desc}' is not valid for Descending.`];
  const ma = q.get('ModifiedAfter');
  const parsed = ma === null ? null : parseInstant(ma);
  if (ma !== null && !parsed) errors.ModifiedAfter = [`The value '${ma}' is not valid for ModifiedAfter.`];
  const donor = q.get('DonorId');
  if (donor !== null && !/^\d+$/.test(donor)) errors.DonorId = [`The value '${donor}' is not valid for DonorId.`];
  if (Object.keys(errors).length) return problem(400, 'One or more validation errors occurred.', { errors });
  // Unknown SortBy values fall back to id (case-insensitive names, as the docs list them).
  const sort = (q.get('SortBy') ?? 'id').toLowerCase();
  return {
    skip,
    take,
    p: { modifiedAfter: parsed ? parsed.ms : null, sortBy: SORTS[kind]!.includes(sort) && sort !== 'status' ? sort : 'id', descending: desc === 'true', filter: q.get('Filter'), donorId: donor === null ? null : Number(donor) },
  };
}

const isRes = (x: unknown): x is Res => typeof x === 'object' && x !== null && 'status' in x && !('p' in x);

export function raiseRouter(w: World, crmBase: () => string): Router {
  const r = new Router();
  const page = (req: Req, kind: keyof typeof SORTS, ids: (p: ListParams) => Int32Array, render: (id: number) => unknown): Res => {
    const lp = listParams(req, kind);
    if (isRes(lp)) return lp;
    const all = ids(lp.p);
    return pageRes('items', lazyMap(all.subarray(lp.skip, lp.skip + lp.take), render), { total: all.length });
  };
  const gift = (id: number) => {
    const i = w.raiseGiftOwner(id);
    const d = i === -1 ? null : w.plan(i).raise;
    const g = d?.gifts.find((x) => x.id === id);
    return d && g && !d.deleted && !g.deleted ? { g, d } : null;
  };
  const campaignList = () => [...w.ctx.campaigns].sort((a, b) => a.id - b.id);

  r.get('/api/Donor/list', (req) => page(req, 'donor', (p) => donorIds(w, p), (id) => donorJson(w.donor(id)!, crmBase())));
  r.get('/api/Gift/list', (req) => page(req, 'gift', (p) => giftIds(w, p), (id) => {
    const h = gift(id)!;
    return giftJson(h.g, h.d, w.ctx.campaignById.get(h.g.campaignId));
  }));
  r.get('/api/RecurringGift/list', (req) => page(req, 'recurring', (p) => recurringIds(w, p), (id) => {
    const d = w.donor(ID.raiseDonor + id - ID.raiseRecurring) ?? [...w.overrides.values()].find((x) => x.raise?.recurring?.id === id)?.raise;
    return recurringJson(d!.recurring!, null, crmBase(), w.now);
  }));
  r.get('/api/Campaign/list', (req) => page(req, 'campaign', (p) => {
    const ids = Int32Array.from(campaignList().filter((c) => p.modifiedAfter === null || w.campaigns.get(c.id)!.modifiedAt > p.modifiedAfter), (c) => c.id);
    return p.descending ? ids.reverse() : ids;
  }, (id) => campaignJson(w.ctx.campaignById.get(id)!, w.campaigns.get(id)!)));
  r.get('/api/Donor/:id', (req) => {
    const d = /^\d+$/.test(req.params.id!) ? w.donor(Number(req.params.id)) : null;
    return d ? json(200, donorJson(d, crmBase())) : problem(404, 'Not Found');
  });
  r.get('/api/Donor/:id/gifts', (req) => {
    if (!/^\d+$/.test(req.params.id!) || !w.donor(Number(req.params.id))) return problem(404, 'Not Found');
    req.query.set('DonorId', req.params.id!);
    return page(req, 'gift', (p) => giftIds(w, p), (id) => {
      const h = gift(id)!;
      return giftJson(h.g, h.d, w.ctx.campaignById.get(h.g.campaignId));
    });
  });
  r.get('/api/Gift/:id', (req) => {
    const h = /^\d+$/.test(req.params.id!) ? gift(Number(req.params.id)) : null;
    return h ? json(200, giftJson(h.g, h.d, w.ctx.campaignById.get(h.g.campaignId))) : problem(404, 'Not Found');
  });
  r.get('/api/RecurringGift/:id', (req) => {
    const id = Number(req.params.id);
    const d = w.donor(ID.raiseDonor + id - ID.raiseRecurring) ?? [...w.overrides.values()].find((x) => x.raise?.recurring?.id === id)?.raise;
    return d?.recurring && !d.deleted && d.recurring.id === id ? json(200, recurringJson(d.recurring, null, crmBase(), w.now)) : problem(404, 'Not Found');
  });
  r.get('/api/Campaign/:id', (req) => {
    const c = w.ctx.campaignById.get(Number(req.params.id));
    return c ? json(200, campaignJson(c, w.campaigns.get(c.id)!)) : problem(404, 'Not Found');
  });
  r.put('/api/Campaign/:id/toggle-sync', (req) => {
    const c = w.ctx.campaignById.get(Number(req.params.id));
    if (!c) return problem(404, 'Not Found');
    const st = w.campaigns.get(c.id)!;
    st.canSync = !st.canSync;
    st.toggles.push({ at: w.now, canSync: st.canSync });
    st.modifiedAt = w.now;
    w.bump();
    w.log('raise', 'campaigns', c.id, 'updated', 'api');
    return json(200, campaignJson(c, st));
  });
  return r;
}
