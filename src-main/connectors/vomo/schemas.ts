/**
 * VOMO records, parsed defensively: keys snake_cased first (camelCase/PascalCase tolerated),
 * unknown fields ignored (raw JSON keeps them), ids as numbers or strings, `hours` as number
 * or string, timestamps with or without offset (none → UTC).
 */
import { z } from 'zod';
import { issuesLine, normEmail, snakeKeys, syntheticId, toId, zv } from '../shared/parseValues';

export const VomoUserSchema = z.object({
  id: zv.intId,
  email: zv.text,
  /** Seen spellings of the same field. */
  e_mail: zv.text,
  email_address: zv.text,
  first_name: zv.text,
  last_name: zv.text,
  full_name: zv.text,
  phone: zv.text,
  address: z.unknown().optional(),
  birthday: zv.date,
  gender: zv.text,
  user_status: zv.text,
  membership_status: zv.text,
  membership_role: zv.text,
  created_at: zv.timestamp,
  updated_at: zv.timestamp,
});

const Nested = z.union([z.object({ id: zv.optId, name: zv.text, title: zv.text, project: z.unknown().optional() }), z.null(), z.string(), z.number()]).optional();

export const VomoParticipationSchema = z.object({
  id: zv.optId,
  project_date_id: zv.optId,
  date_id: zv.optId,
  project_date: Nested,
  project_name: zv.text,
  project: Nested,
  hours: zv.number,
  signed_up_at: zv.timestamp,
  checked_in_at: zv.timestamp,
  checked_out_at: zv.timestamp,
  verified: zv.bool,
  is_verified: zv.bool,
});

export interface VomoUserRow {
  id: string;
  email: string | null;
  email_norm: string | null;
  first_name: string | null;
  last_name: string | null;
  full_name: string | null;
  phone: string | null;
  address: string | null;
  birthday: string | null;
  gender: string | null;
  user_status: string | null;
  membership_status: string | null;
  membership_role: string | null;
  created_at: string | null;
  updated_at: string | null;
}

export interface VomoParticipationRow {
  id: string;
  project_date_id: string | null;
  project_name: string | null;
  hours: number | null;
  signed_up_at: string | null;
  checked_in_at: string | null;
  checked_out_at: string | null;
  verified: number | null;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; sourceId: string | null; reason: string };

function idOf(o: Record<string, unknown>): string | null {
  return toId(o.id) ?? null;
}

function addressText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.trim() || null;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const parts = ['address1', 'line1', 'street', 'address2', 'line2', 'city', 'state', 'zip', 'postal_code', 'postal', 'country']
      .map((k) => o[k])
      .filter((x): x is string | number => (typeof x === 'string' && x.trim() !== '') || typeof x === 'number')
      .map(String);
    return parts.length ? parts.join(', ') : JSON.stringify(v);
  }
  return String(v);
}

export function parseVomoUser(raw: unknown): ParseResult<VomoUserRow> {
  const src = snakeKeys(raw);
  if (!src || typeof src !== 'object' || Array.isArray(src)) return { ok: false, sourceId: null, reason: 'not an object' };
  const r = VomoUserSchema.safeParse(src);
  if (!r.success) return { ok: false, sourceId: idOf(src as Record<string, unknown>), reason: issuesLine(r.error.issues) };
  const u = r.data;
  const email = u.email ?? u.e_mail ?? u.email_address;
  return {
    ok: true,
    value: {
      id: u.id,
      email,
      email_norm: normEmail(email),
      first_name: u.first_name,
      last_name: u.last_name,
      full_name: u.full_name ?? ([u.first_name, u.last_name].filter(Boolean).join(' ') || null),
      phone: u.phone,
      address: addressText(u.address),
      birthday: u.birthday,
      gender: u.gender,
      user_status: u.user_status,
      membership_status: u.membership_status,
      membership_role: u.membership_role,
      created_at: u.created_at,
      updated_at: u.updated_at,
    },
  };
}

function nestedId(v: z.infer<typeof Nested>): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number') return toId(v) ?? null;
  return v.id ?? null;
}

function nestedName(v: z.infer<typeof Nested>): string | null {
  if (!v || typeof v !== 'object') return null;
  if (v.name || v.title) return v.name ?? v.title;
  const p = v.project;
  if (p && typeof p === 'object') {
    const po = p as Record<string, unknown>;
    const n = po.name ?? po.title;
    return typeof n === 'string' ? n : null;
  }
  return null;
}

export function parseVomoParticipation(raw: unknown): ParseResult<VomoParticipationRow> {
  const src = snakeKeys(raw);
  if (!src || typeof src !== 'object' || Array.isArray(src)) return { ok: false, sourceId: null, reason: 'not an object' };
  const r = VomoParticipationSchema.safeParse(src);
  if (!r.success) return { ok: false, sourceId: idOf(src as Record<string, unknown>), reason: issuesLine(r.error.issues) };
  const p = r.data;
  const projectDateId = p.project_date_id ?? nestedId(p.project_date) ?? p.date_id;
  const id = p.id ?? (projectDateId || p.signed_up_at ? `pd:${projectDateId ?? ''}:${p.signed_up_at ?? ''}` : `h:${syntheticId(src)}`);
  return {
    ok: true,
    value: {
      id,
      project_date_id: projectDateId,
      project_name: p.project_name ?? nestedName(p.project) ?? nestedName(p.project_date),
      hours: p.hours,
      signed_up_at: p.signed_up_at,
      checked_in_at: p.checked_in_at,
      checked_out_at: p.checked_out_at,
      verified: p.verified ?? p.is_verified,
    },
  };
}

/** The participations list inside a `/users/{id}` answer (`{data:{participations}}` or bare). */
export function participationsOf(json: unknown): { user: unknown; participations: unknown[] | null } {
  if (!json || typeof json !== 'object') return { user: null, participations: null };
  let o = json as Record<string, unknown>;
  if (o.data && typeof o.data === 'object' && !Array.isArray(o.data)) o = o.data as Record<string, unknown>;
  const list = o.participations ?? o.Participations;
  if (list === null || list === undefined) return { user: o, participations: [] };
  return { user: o, participations: Array.isArray(list) ? list : null };
}
