/**
 * The organization's fixed catalog: Raise campaigns (some never sync to CRM+) and VOMO projects.
 * Names follow the sandbox's start year so a custom start date still reads sensibly.
 */
import { DAY, dayOf } from '../time';
import { en } from '@faker-js/faker';

export interface CampaignDef {
  id: number;
  name: string;
  canSync: boolean;
  startDay: number;
  endDay: number;
  createdAt: number;
  recurring?: boolean;
}

export function buildCampaigns(startMs: number): CampaignDef[] {
  const y = new Date(startMs).getUTCFullYear();
  const d = (yy: number, m: number, dd: number) => dayOf(Date.UTC(yy, m - 1, dd));
  const list: [string, boolean, number, number, boolean?][] = [
    ['General Giving', true, d(y - 8, 1, 1), d(y + 4, 12, 31)],
    [`Annual Fund ${y - 2}`, true, d(y - 2, 1, 1), d(y - 2, 12, 31)],
    [`Spring Appeal ${y - 1}`, true, d(y - 1, 3, 1), d(y - 1, 5, 31)],
    [`Giving Tuesday ${y - 1}`, true, d(y - 1, 11, 15), d(y - 1, 12, 10)],
    [`Year-End ${y - 1}`, true, d(y - 1, 12, 1), d(y, 1, 15)],
    [`Emergency Relief ${y}`, true, d(y, 2, 1), d(y, 8, 31)],
    [`Fall Appeal ${y}`, true, d(y, 9, 1), d(y, 12, 31)],
    ['Monthly Partners', true, d(y - 7, 1, 1), d(y + 4, 12, 31), true],
    [`Gala ${y - 1} Tickets`, false, d(y - 1, 4, 1), d(y - 1, 10, 31)],
    ['Peer-to-Peer 5K', false, d(y - 8, 1, 1), d(y + 4, 12, 31)],
    ['Board Match (paused)', false, d(y - 3, 1, 1), d(y + 4, 12, 31)],
    ['Staff Test Campaign', false, d(y - 1, 1, 1), d(y + 1, 12, 31)],
  ];
  return list.map(([name, canSync, startDay, endDay, recurring], k) => ({
    id: 1101 + k,
    name,
    canSync,
    startDay,
    endDay,
    createdAt: (startDay - 20) * DAY + 9 * 3_600_000 + k * 61_000,
    recurring,
  }));
}

/** Campaign for a gift on `day`: an active one of the wanted sync kind, else the evergreen one. */
export function campaignFor(campaigns: CampaignDef[], day: number, canSync: boolean, roll: number): CampaignDef {
  const active = campaigns.filter((c) => c.canSync === canSync && !c.recurring && c.startDay <= day && day <= c.endDay);
  // The evergreen campaign of each kind is first in its list; dated appeals win when active.
  const dated = active.filter((c) => c.endDay - c.startDay < 3000);
  const pool = dated.length && roll < 0.7 ? dated : active;
  return pool[Math.floor(roll * 1000) % pool.length] ?? campaigns.find((c) => c.canSync === canSync)!;
}

export const PROJECTS = [
  'Food Pantry Shift',
  'Warehouse Sorting',
  'After-School Tutoring',
  'Park Cleanup',
  'Meal Delivery',
  'Front Desk',
  'Community Garden',
  'Clothing Drive',
  'Youth Mentoring',
  'Senior Visits',
  'Home Repair Build',
  'Event Setup Crew',
].map((name, k) => ({ id: 501 + k, name }));

export function projectDateId(projectIndex: number, day: number): number {
  return 600_000 + (((day % 4096) + 4096) % 4096) * 16 + projectIndex;
}

/** Name pools from faker's English locale, read once; picks use our own per-person PRNG (fast). */
const person = en.person as { first_name?: { female?: string[]; male?: string[] }; last_name?: { generic?: string[] } };
const location = en.location as { city_name?: string[]; street_suffix?: string[]; state_abbr?: string[] };
const clean = (xs: string[] | undefined, fallback: string[]) => {
  const out = (xs ?? []).filter((s) => /^[A-Za-z][A-Za-z' -]*$/.test(s));
  return out.length ? out : fallback;
};
export const FEMALE = clean(person.first_name?.female, ['Mary', 'Ann', 'Grace']);
export const MALE = clean(person.first_name?.male, ['John', 'Paul', 'Mark']);
export const LAST = clean(person.last_name?.generic, ['Smith', 'Jones', 'Brown']);
export const CITIES = clean(location.city_name, ['Springfield', 'Riverside']);
export const STREET_SUFFIX = clean(location.street_suffix, ['Street', 'Avenue']);
export const STATES = clean(location.state_abbr, ['CA', 'NY', 'TX']);
export const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example', 'inbox.example'];
export const WORK_DOMAINS = ['acme.example', 'globex.example', 'initech.example', 'umbrella.example', 'hooli.example'];
