/**
 * VOMO projects and project dates (api-shapes.md §3.4): `GET /projects?page=N` (Laravel paging),
 * `GET /projects/{id}` embedding `all_dates[]`, and `GET /projects/date/{id}`, one project date
 * with its participants. The participants are the only place a check-in or check-out shows
 * without the user record changing, so an incremental sync reads the recent dates here.
 *
 * The key names inside dates and participant entries are not public: every reader below accepts
 * the spellings a Laravel resource plausibly uses (a `pivot` or `participation` object, `user_id`
 * or a nested `user`, `starts_at`/`start_date`/`date`), and an entry it cannot place is reported,
 * never guessed at.
 */
import { toId, toIsoUtc, snakeKeys } from '../shared/parseValues';
import { readVomoPage } from './paging';
import type { VomoClient } from './client';
import { parseVomoParticipation, type VomoParticipationRow } from './schemas';

export interface ProjectDateRef {
  id: string;
  /** When the date starts (ISO UTC); null when the server gave nothing readable. */
  startsAt: string | null;
}

export interface ProjectSummary {
  id: string;
  name: string | null;
  /** The dates embedded in the list item itself, when the server embeds them. */
  dates: ProjectDateRef[] | null;
}

function obj(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** `{data: {...}}` (Laravel resource wrapping) or the object itself. */
function unwrap(json: unknown): Record<string, unknown> | null {
  const o = obj(json);
  if (!o) return null;
  const d = obj(o.data);
  return d && !Array.isArray(o.data) ? d : o;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

export function readDateRef(raw: unknown): ProjectDateRef | null {
  const o = obj(snakeKeys(raw));
  if (!o) return null;
  const id = toId(o.id ?? o.project_date_id ?? o.date_id);
  if (!id) return null;
  const start = o.starts_at ?? o.start_date ?? o.start_at ?? o.start ?? o.start_time ?? o.starts_on ?? o.date;
  return { id, startsAt: toIsoUtc(start) ?? null };
}

function datesOf(o: Record<string, unknown>): ProjectDateRef[] | null {
  const list = o.all_dates ?? o.dates ?? o.project_dates;
  if (!Array.isArray(list)) return null;
  return list.map(readDateRef).filter((d): d is ProjectDateRef => d !== null);
}

export function readProject(raw: unknown): ProjectSummary | null {
  const o = obj(snakeKeys(raw));
  if (!o) return null;
  const id = toId(o.id);
  if (!id) return null;
  return { id, name: text(o.name) ?? text(o.title), dates: datesOf(o) };
}

/** Every project, page by page (a list item whose shape is unreadable is skipped and counted). */
export async function listProjects(client: VomoClient, signal?: AbortSignal, maxPages = 10_000): Promise<{ projects: ProjectSummary[]; unreadable: number; calls: number }> {
  const projects: ProjectSummary[] = [];
  let unreadable = 0;
  let calls = 0;
  let url = client.url('projects', { page: 1 });
  for (let page = 1; page <= maxPages; page++) {
    const p = readVomoPage(await client.getJson(url, signal));
    calls++;
    for (const item of p.data) {
      const s = readProject(item);
      if (s) projects.push(s);
      else unreadable++;
    }
    if (!p.next || p.data.length === 0 || (p.lastPage !== null && (p.currentPage ?? page) >= p.lastPage)) break;
    const next = new URL(p.next, client.base);
    url = client.isOurs(next) ? next : client.url('projects', { page: page + 1 });
  }
  return { projects, unreadable, calls };
}

/** A project's dates: embedded in its list item, else from `GET /projects/{id}` (`all_dates[]`). */
export async function projectDates(client: VomoClient, p: ProjectSummary, signal?: AbortSignal): Promise<{ dates: ProjectDateRef[]; name: string | null; calls: number }> {
  if (p.dates) return { dates: p.dates, name: p.name, calls: 0 };
  const o = unwrap(snakeKeys(await client.getJson(client.url(`projects/${encodeURIComponent(p.id)}`), signal)));
  if (!o) return { dates: [], name: p.name, calls: 1 };
  const dates = datesOf(o) ?? [];
  // `next_date` alone (no all_dates) still names one date.
  if (!dates.length && o.next_date) {
    const d = readDateRef(o.next_date);
    if (d) dates.push(d);
  }
  return { dates, name: p.name ?? text(o.name) ?? text(o.title), calls: 1 };
}

export interface DateParticipant {
  userId: string;
  row: VomoParticipationRow;
  raw: string;
}

export interface ProjectDateRead {
  /** null: the answer had no list of participants (malformed; nothing is changed for this date). */
  participants: DateParticipant[] | null;
  /** Entries that could not be read (no user, unreadable values), with why. */
  rejected: { sourceId: string | null; reason: string; raw: string }[];
}

function looksLikeUser(o: Record<string, unknown>): boolean {
  return 'email' in o || 'first_name' in o || 'full_name' in o || o.type === 'user';
}

/**
 * One participant entry as a participation of a user. Accepted: a participation with `user_id`
 * (or `volunteer_id`, or a nested `user`/`volunteer`), or a user with its participation in a
 * `pivot` or `participation` object (how Laravel serializes a many-to-many).
 */
export function readParticipant(entry: unknown, dateId: string, projectName: string | null): { ok: true; value: DateParticipant } | { ok: false; sourceId: string | null; reason: string } {
  const o = obj(snakeKeys(entry));
  if (!o) return { ok: false, sourceId: null, reason: 'participant entry is not an object' };
  const nested = obj(o.pivot) ?? obj(o.participation) ?? obj(o.attendance);
  const user = obj(o.user) ?? obj(o.volunteer) ?? obj(o.member);
  const isUser = !nested ? false : looksLikeUser(o);
  const userId = toId(o.user_id ?? o.volunteer_id ?? o.member_id ?? nested?.user_id ?? user?.id ?? (isUser ? o.id : undefined));
  if (!userId) return { ok: false, sourceId: toId(o.id) ?? null, reason: 'participant entry names no user' };
  // The participation alone (stored as its raw JSON, like one read from the user's detail).
  const part: Record<string, unknown> = nested ? { ...nested } : { ...o };
  if (nested && nested.id === undefined && o.participation_id !== undefined) part.id = o.participation_id;
  for (const k of ['user', 'volunteer', 'member', 'user_id', 'volunteer_id', 'member_id']) delete part[k];
  part.project_date_id ??= dateId;
  if (projectName && part.project_name === undefined) part.project_name = projectName;
  const p = parseVomoParticipation(part);
  if (!p.ok) return { ok: false, sourceId: p.sourceId ? `${userId}/${p.sourceId}` : null, reason: `user ${userId}: ${p.reason}` };
  return { ok: true, value: { userId, row: p.value, raw: JSON.stringify(part) } };
}

/** `GET /projects/date/{id}`: the date's participants, read tolerantly. */
export async function readProjectDate(client: VomoClient, date: ProjectDateRef, projectName: string | null, signal?: AbortSignal): Promise<ProjectDateRead> {
  const o = unwrap(snakeKeys(await client.getJson(client.url(`projects/date/${encodeURIComponent(date.id)}`), signal)));
  const list = o ? (o.participants ?? o.participations ?? o.volunteers ?? o.attendees ?? o.users) : undefined;
  if (!Array.isArray(list)) return { participants: null, rejected: [] };
  const name = projectName ?? text(obj(o!.project)?.name) ?? text(o!.project_name);
  const participants: DateParticipant[] = [];
  const rejected: ProjectDateRead['rejected'] = [];
  for (const entry of list) {
    const r = readParticipant(entry, date.id, name);
    if (r.ok) participants.push(r.value);
    else rejected.push({ sourceId: r.sourceId, reason: r.reason, raw: JSON.stringify(entry) });
  }
  return { participants, rejected };
}
