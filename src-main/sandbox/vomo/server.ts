/**
 * VOMO (Virtuous Volunteer) routes under /v1: Laravel-style pagination with a fixed server
 * page size, user detail with participations, and POST /users as an upsert by email.
 */
import { Router, json, lazyMap, pageRes } from '../http/router';
import type { ApiErrors } from '../http/server';
import type { Req, Res } from '../http/types';
import type { World } from '../state/world';
import { normEmail } from '../state/world';
import { parseInstant } from '../time';
import { userIds } from './lists';
import type { UserFilter } from './lists';
import { userDetail, userResource } from './render';
import { projectDateDetail, projectDetail, projectIndex, projectResource } from './projects';
import { PROJECTS } from '../generator/catalog';
import type { VomoUserPlan } from '../generator/types';

export const vomoErrors: ApiErrors = {
  unauthorized: () => json(401, { message: 'Unauthenticated.' }),
  notFound: (req) => json(404, { message: `The route ${req.segments.join('/')} could not be found.` }),
  methodNotAllowed: () => json(405, { message: 'The method is not supported for this route.' }),
  badJson: () => json(400, { message: 'Malformed JSON.' }),
  serverError: (kind) => (kind === '500' ? json(500, { message: 'Server Error' }) : { status: Number(kind), text: `<!DOCTYPE html><html><head><title>${kind === '502' ? 'Bad Gateway' : 'Service Unavailable'}</title></head><body>${kind}</body></html>`, contentType: 'text/html; charset=UTF-8' }),
  tooMany: () => json(429, { message: 'Too Many Attempts.' }),
};

const invalid = (errors: Record<string, string[]>): Res => json(422, { message: 'The given data was invalid.', errors });

function filters(req: Req): UserFilter | Res {
  const f: UserFilter = {};
  const errors: Record<string, string[]> = {};
  for (const [param, key] of [['updated_after', 'updatedAfter'], ['updated_before', 'updatedBefore'], ['created_after', 'createdAfter'], ['created_before', 'createdBefore']] as const) {
    const v = req.query.get(param);
    if (v === null || v === '') continue;
    const t = parseInstant(v);
    if (!t) errors[param] = [`The ${param.replace('_', ' ')} field must be a valid date.`];
    else f[key] = t.ms;
  }
  const nl = req.query.get('name_like');
  const el = req.query.get('email_like');
  if (nl) f.nameLike = nl;
  if (el) f.emailLike = el;
  return Object.keys(errors).length ? invalid(errors) : f;
}

export function vomoRouter(w: World, pageSize: () => number): Router {
  const r = new Router();

  r.get('/users', (req) => {
    const f = filters(req);
    if ('status' in f) return f as Res;
    const ids = userIds(w, f as UserFilter);
    const per = pageSize();
    const pageRaw = Number(req.query.get('page') ?? '1');
    const page = Number.isInteger(pageRaw) && pageRaw >= 1 ? pageRaw : 1;
    const last = Math.max(1, Math.ceil(ids.length / per));
    const start = (page - 1) * per;
    const slice = ids.subarray(start, start + per);
    const path = `${req.origin}/v1/users`;
    const keep = new URLSearchParams([...req.query].filter(([k]) => k !== 'page'));
    const link = (n: number) => {
      const q = new URLSearchParams(keep);
      q.set('page', String(n));
      return `${path}?${q.toString()}`;
    };
    return pageRes('data', lazyMap(slice, (id) => userResource(w.vomoUser(id)!)), {
      links: { first: link(1), last: link(last), prev: page > 1 ? link(Math.min(page - 1, last)) : null, next: page < last ? link(page + 1) : null },
      meta: { current_page: page, from: slice.length ? start + 1 : null, last_page: last, path, per_page: per, to: slice.length ? start + slice.length : null, total: ids.length },
    });
  });

  r.get('/users/:id', (req) => {
    const v = /^\d+$/.test(req.params.id!) ? w.vomoUser(Number(req.params.id)) : null;
    return v ? json(200, { data: userDetail(v) }) : json(404, { message: `No query results for model [App\\Models\\User] ${req.params.id}` });
  });

  r.post('/users', (req) => upsert(w, req));

  // Projects (the UI's "Opportunities") and their dates, with participants: §3.4.
  r.get('/projects', (req) => {
    const per = pageSize();
    const pageRaw = Number(req.query.get('page') ?? '1');
    const page = Number.isInteger(pageRaw) && pageRaw >= 1 ? pageRaw : 1;
    const all = PROJECTS.map((_, k) => k);
    const last = Math.max(1, Math.ceil(all.length / per));
    const slice = all.slice((page - 1) * per, page * per);
    const path = `${req.origin}/v1/projects`;
    const link = (n: number) => `${path}?page=${n}`;
    return pageRes('data', slice.map(projectResource), {
      links: { first: link(1), last: link(last), prev: page > 1 ? link(Math.min(page - 1, last)) : null, next: page < last ? link(page + 1) : null },
      meta: { current_page: page, from: slice.length ? (page - 1) * per + 1 : null, last_page: last, path, per_page: per, to: slice.length ? (page - 1) * per + slice.length : null, total: all.length },
    });
  });
  r.get('/projects/today', (req) => {
    const today = PROJECTS.map((_, k) => projectDetail(w, k).today);
    return json(200, { data: today, links: { first: `${req.origin}/v1/projects/today?page=1`, last: `${req.origin}/v1/projects/today?page=1`, prev: null, next: null }, meta: { current_page: 1, last_page: 1, per_page: today.length, total: today.length } });
  });
  r.get('/projects/date/:id', (req) => {
    const d = /^\d+$/.test(req.params.id!) ? projectDateDetail(w, Number(req.params.id)) : null;
    return d ? json(200, { data: d }) : json(404, { message: `No query results for model [App\\Models\\ProjectDate] ${req.params.id}` });
  });
  r.get('/projects/:id', (req) => {
    const k = /^\d+$/.test(req.params.id!) ? projectIndex(Number(req.params.id)) : -1;
    return k >= 0 ? json(200, { data: projectDetail(w, k) }) : json(404, { message: `No query results for model [App\\Models\\Project] ${req.params.id}` });
  });

  r.get('/organizations', (req) =>
    json(200, {
      data: [{ type: 'organization', id: 1, name: 'Gotham Community Partners', slug: 'gotham-community-partners' }],
      links: { first: `${req.origin}/v1/organizations?page=1`, last: `${req.origin}/v1/organizations?page=1`, prev: null, next: null },
      meta: { current_page: 1, from: 1, last_page: 1, path: `${req.origin}/v1/organizations`, per_page: 15, to: 1, total: 1 },
    }),
  );
  return r;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function upsert(w: World, req: Req): Res {
  const b = (req.body ?? {}) as Record<string, unknown>;
  const errors: Record<string, string[]> = {};
  const need = (k: string, label: string) => {
    if (typeof b[k] !== 'string' || !(b[k] as string).trim()) errors[k] = [`The ${label} field is required.`];
  };
  need('first_name', 'first name');
  need('last_name', 'last name');
  need('email', 'email');
  need('birthday', 'birthday');
  need('gender', 'gender');
  if (!errors.email && !EMAIL_RE.test((b.email as string).trim())) errors.email = ['The email must be a valid email address.'];
  if (!errors.birthday && !/^\d{4}-\d{2}-\d{2}$/.test(b.birthday as string)) errors.birthday = ['The birthday does not match the format Y-m-d.'];
  if (!errors.gender && !['M', 'F', 'N'].includes(b.gender as string)) errors.gender = ['The selected gender is invalid.'];
  if (b.role !== undefined && !['VOLUNTEER', 'ORGANIZER', 'ADMIN'].includes(String(b.role))) errors.role = ['The selected role is invalid.'];
  if (b.password !== undefined && !(typeof b.password === 'string' && b.password.length >= 10 && /[A-Za-z]/.test(b.password) && /\d/.test(b.password))) errors.password = ['The password must be at least 10 characters and contain letters and numbers.'];
  if (Object.keys(errors).length) return invalid(errors);
  const email = (b.email as string).trim();
  const existing = w.vomoByEmail(email);
  const fields = (v: VomoUserPlan) => {
    v.firstName = String(b.first_name).trim();
    v.lastName = String(b.last_name).trim();
    v.birthday = String(b.birthday);
    v.gender = b.gender as VomoUserPlan['gender'];
    if (typeof b.phone === 'string') v.phone = b.phone;
    if (b.role) v.role = b.role as VomoUserPlan['role'];
    v.updatedAt = w.now;
  };
  if (existing) {
    const v = w.touch(w.vomoOwner(existing.id)).vomo!;
    fields(v);
    w.log('vomo', 'users', v.id, 'updated', 'api');
    return json(200, { code: '200', message: 'User updated.', data: userDetail(v) });
  }
  const p = w.newOrphan();
  const v: VomoUserPlan = { id: w.counters.vomoUser++, firstName: '', lastName: '', email: normEmail(email) === email ? email : email, phone: null, birthday: null, gender: 'N', address: null, createdAt: w.now, updatedAt: w.now, role: 'VOLUNTEER', participations: [] };
  fields(v);
  p.vomo = v;
  w.owner.vomo.set(v.id, p.i);
  w.bump();
  w.log('vomo', 'users', v.id, 'created', 'api');
  return json(201, { code: '201', message: 'User created.', data: userDetail(v) });
}
