/**
 * VOMO projects and project dates (api-shapes.md §3.4), built from the participations the
 * organization already has: a project date is one project on one day, and its participants are
 * the participations on it. `GET /projects` (Laravel paging, no dates), `GET /projects/{id}`
 * (`all_dates[]` and `next_date`), `GET /projects/date/{id}` (the date with its participants).
 *
 * The base population's dates are indexed once, on the first request (one pass generating every
 * volunteer's participations: a few seconds at 100,000 people); people changed since the start
 * are read from the overlay on every request, so a check-out recorded a minute ago shows.
 */
import { PROJECTS, projectDateId } from '../generator/catalog';
import { planPerson } from '../generator/index';
import type { ParticipationPlan, VomoUserPlan } from '../generator/types';
import type { World } from '../state/world';
import { DAY, HOUR, dayOf, vomoTimestamp } from '../time';
import { participationResource } from './render';

/** Days ahead every project has dates scheduled (sign-ups open). */
const SCHEDULED_AHEAD_DAYS = 7;
/** A project date runs 08:00-20:00 UTC. */
const DATE_STARTS_AT_HOUR = 8;

interface BaseIndex {
  /** Person indexes with a participation on each project date (base plans only). */
  byDate: Map<number, number[]>;
  /** Days with at least one participation, per project index. */
  daysByProject: Map<number, Set<number>>;
}

const cache = new WeakMap<World, BaseIndex>();

function baseIndex(w: World): BaseIndex {
  let idx = cache.get(w);
  if (idx) return idx;
  idx = { byDate: new Map(), daysByProject: new Map() };
  const b = w.base;
  for (let p = 0; p < b.vomoIdx.length; p++) {
    const i = b.vomoIdx[p]!;
    const v = planPerson(w.ctx, i).vomo;
    if (!v) continue;
    for (const part of v.participations) addPart(idx, i, part);
  }
  cache.set(w, idx);
  return idx;
}

function addPart(idx: BaseIndex, i: number, part: ParticipationPlan): void {
  const list = idx.byDate.get(part.projectDateId);
  if (list) {
    if (list[list.length - 1] !== i) list.push(i);
  } else idx.byDate.set(part.projectDateId, [i]);
  const k = part.projectId - PROJECTS[0]!.id;
  let days = idx.daysByProject.get(k);
  if (!days) idx.daysByProject.set(k, (days = new Set()));
  days.add(dayOf(part.startsAt));
}

function liveVomo(v: VomoUserPlan | null): v is VomoUserPlan {
  return !!v && !v.deleted && !v.malformed;
}

/** Project index and day of a project date id (the inverse of projectDateId within a 4,096-day span). */
function decodeDate(w: World, id: number): { k: number; day: number } | null {
  const off = id - 600_000;
  if (!Number.isInteger(off) || off < 0) return null;
  const k = off % 16;
  const slot = Math.floor(off / 16);
  if (k >= PROJECTS.length || slot >= 4096) return null;
  // The day in the 4,096-day span ending SCHEDULED_AHEAD_DAYS after today whose slot this is.
  const last = dayOf(w.now) + SCHEDULED_AHEAD_DAYS;
  const day = last - ((((last % 4096) - slot) % 4096) + 4096) % 4096;
  return { k, day };
}

function dateRef(k: number, day: number): Record<string, unknown> {
  const start = day * DAY + DATE_STARTS_AT_HOUR * HOUR;
  return { id: projectDateId(k, day), project_id: PROJECTS[k]!.id, starts_at: vomoTimestamp(start), ends_at: vomoTimestamp(start + 12 * HOUR) };
}

/** Every day project k has a date: days with participations, and the week ahead. */
function projectDays(w: World, k: number): number[] {
  const days = new Set(baseIndex(w).daysByProject.get(k) ?? []);
  for (const [, p] of w.overrides) {
    if (!liveVomo(p.vomo)) continue;
    for (const part of p.vomo.participations) if (part.projectId - PROJECTS[0]!.id === k) days.add(dayOf(part.startsAt));
  }
  const today = dayOf(w.now);
  for (let d = today; d <= today + SCHEDULED_AHEAD_DAYS; d++) days.add(d);
  return [...days].sort((a, b) => a - b);
}

export function projectResource(k: number): Record<string, unknown> {
  const p = PROJECTS[k]!;
  return { type: 'project', id: p.id, name: p.name, description: null, status: 'ACTIVE' };
}

export function projectDetail(w: World, k: number): Record<string, unknown> {
  const today = dayOf(w.now);
  const days = projectDays(w, k);
  const next = days.find((d) => d * DAY + DATE_STARTS_AT_HOUR * HOUR >= w.now) ?? null;
  return { ...projectResource(k), all_dates: days.map((d) => dateRef(k, d)), next_date: next === null ? null : dateRef(k, next), today: dateRef(k, today) };
}

/** The project index of a VOMO project id, or -1. */
export function projectIndex(id: number): number {
  return PROJECTS.findIndex((p) => p.id === id);
}

/** `GET /projects/date/{id}`: the date and every participation on it. */
export function projectDateDetail(w: World, id: number): Record<string, unknown> | null {
  const d = decodeDate(w, id);
  if (!d) return null;
  const entries: { v: VomoUserPlan; p: ParticipationPlan }[] = [];
  for (const i of baseIndex(w).byDate.get(id) ?? []) {
    if (w.isTouched(i)) continue;
    const v = w.plan(i).vomo;
    if (!liveVomo(v)) continue;
    for (const p of v.participations) if (p.projectDateId === id) entries.push({ v, p });
  }
  for (const [, person] of w.overrides) {
    if (!liveVomo(person.vomo)) continue;
    for (const p of person.vomo.participations) if (p.projectDateId === id) entries.push({ v: person.vomo, p });
  }
  if (!entries.length && !projectDays(w, d.k).includes(d.day)) return null;
  entries.sort((a, b) => a.p.id - b.p.id);
  return {
    ...dateRef(d.k, d.day),
    project: projectResource(d.k),
    // The participation as the user's detail shows it, with the user it belongs to.
    participants: entries.map(({ v, p }) => ({
      ...participationResource(p),
      user_id: v.quirk?.idAsString ? String(v.id) : v.id,
      user: { type: 'user', id: v.id, first_name: v.firstName, last_name: v.lastName },
    })),
  };
}
