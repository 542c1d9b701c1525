/**
 * Hand-made people, one per scenario, at fixed indexes (spread evenly over the population so
 * that even 120 people hold all of them). MANIFEST.md explains each; the manifest is computed
 * from the served data, so these only have to be realistic, not pre-counted.
 */
import type { GenCtx } from './build';
import { blank, crm, finish, raise, vomo } from './scenarioKit';
import type { PersonPlan } from './types';
import { vomoUserId } from './ids';

type Build = (ctx: GenCtx, p: PersonPlan) => void;

const recent = [{ daysAgo: 40, amount: 100 }, { daysAgo: 200, amount: 100 }, { daysAgo: 420, amount: 250 }];

export const SCENARIOS: [name: string, build: Build][] = [
  ['name_conflict', (c, p) => {
    vomo(c, p, { first: 'Bruce', last: 'Wayne', email: 'bruce@wayne.example', phone: '+15551234567' });
    crm(c, p, { individuals: [{ first: 'Bruce W.', last: 'Wayne-Kane', emails: [['Home Email', 'bruce@wayne.example']], phones: [['Mobile Phone', '555.123.4567']], gender: 'Male' }], gifts: recent });
  }],
  ['case_spacing_only', (c, p) => {
    vomo(c, p, { first: 'Clark ', last: 'KENT', email: 'Clark.Kent@DailyPlanet.example', phone: '(555) 201-0001' });
    crm(c, p, { individuals: [{ first: 'Clark', last: 'Kent', emails: [['Home Email', '  clark.kent@dailyplanet.example ']], phones: [['Home Phone', '+15552010001']] }], gifts: recent });
  }],
  ['work_email_in_vomo', (c, p) => {
    vomo(c, p, { first: 'Diana', last: 'Lane', email: 'dlane@acme-corp.example', phone: '+15552020002' });
    crm(c, p, { individuals: [{ first: 'Diana', last: 'Lane', emails: [['Home Email', 'diana.lane@home.example', true], ['Work Email', 'dlane@acme-corp.example', false]], phones: [['Mobile Phone', '(555) 202-0002']] }], gifts: recent });
  }],
  ['three_way_emails', (c, p) => {
    vomo(c, p, { first: 'Victor', last: 'Stone', email: 'vic.stone@inbox.example' });
    crm(c, p, { individuals: [{ first: 'Victor', last: 'Stone', emails: [['Work Email', 'victor.stone@star-labs.example', true], ['Other Email', 'vic.stone@inbox.example', false]] }], gifts: [{ daysAgo: 150, amount: 500 }] });
    raise(c, p, { first: 'Victor', last: 'Stone', email: 'victor.stone@star-labs.example', gifts: [{ daysAgo: 90, amount: 60, sync: false }] });
  }],
  ['shared_household_email_volunteer', (c, p) => {
    vomo(c, p, { first: 'Tom', last: 'Hagen', email: 'hagens@family.example' });
    crm(c, p, { individuals: [{ first: 'Tom', last: 'Hagen', emails: [['Home Email', 'hagens@family.example']] }, { first: 'Ann', last: 'Hagen', emails: [['Home Email', 'hagens@family.example']] }], gifts: recent });
  }],
  ['shared_household_email_donors', (c, p) => {
    crm(c, p, { individuals: [{ first: 'Peter', last: 'Parker', emails: [['Home Email', 'parkers@queens.example']] }, { first: 'Mary', last: 'Parker', emails: [['Home Email', 'parkers@queens.example']] }], gifts: recent });
  }],
  ['email_change', (c, p) => {
    // On day 1 VOMO changes this user's email to hal@greenlantern.example (see state/events.ts).
    vomo(c, p, { first: 'Hal', last: 'Jordan', email: 'hal.jordan@ferris.example', phone: '+15552030003' });
    crm(c, p, { individuals: [{ first: 'Hal', last: 'Jordan', emails: [['Home Email', 'hal.jordan@ferris.example']], phones: [['Mobile Phone', '(555) 203-0003']] }], gifts: recent });
  }],
  ['split_no_shared_email', (c, p) => {
    vomo(c, p, { first: 'Diana', last: 'Prince', email: 'diana.prince@personal.example', phone: '+15553330001' });
    crm(c, p, { individuals: [{ first: 'Diana', last: 'Prince', emails: [['Work Email', 'dprince@themyscira.example']], phones: [['Mobile Phone', '(555) 333-0001']] }], gifts: recent });
  }],
  ['lapsed_exactly_365', (c, p) => {
    vomo(c, p, { first: 'Arthur', last: 'Curry', email: 'arthur.curry@atlantis.example' });
    crm(c, p, { individuals: [{ first: 'Arthur', last: 'Curry', emails: [['Home Email', 'arthur.curry@atlantis.example']] }], gifts: [{ daysAgo: 365, amount: 200 }, { daysAgo: 700, amount: 150 }] });
  }],
  ['not_lapsed_364', (c, p) => {
    vomo(c, p, { first: 'Mera', last: 'Marin', email: 'mera.marin@atlantis.example' });
    crm(c, p, { individuals: [{ first: 'Mera', last: 'Marin', emails: [['Home Email', 'mera.marin@atlantis.example']] }], gifts: [{ daysAgo: 364, amount: 200 }, { daysAgo: 800, amount: 75 }] });
  }],
  ['lapsed_long_ago', (c, p) => {
    vomo(c, p, { first: 'Oliver', last: 'Queen', email: 'oliver.queen@starcity.example' });
    crm(c, p, { individuals: [{ first: 'Oliver', last: 'Queen', emails: [['Home Email', 'oliver.queen@starcity.example']] }], gifts: [{ daysAgo: 1100, amount: 5000 }, { daysAgo: 1400, amount: 2500 }, { daysAgo: 1800, amount: 2500 }] });
  }],
  ['lapsed_via_raise_sync', (c, p) => {
    vomo(c, p, { first: 'Dinah', last: 'Lance', email: 'dinah.lance@starcity.example' });
    raise(c, p, { first: 'Dinah', last: 'Lance', email: 'dinah.lance@starcity.example', gifts: [{ daysAgo: 760, amount: 100, sync: true }, { daysAgo: 730, amount: 120, sync: true }] });
  }],
  ['not_lapsed_because_of_unsynced_raise_gift', (c, p) => {
    vomo(c, p, { first: 'Barry', last: 'Allen', email: 'barry.allen@centralcity.example' });
    crm(c, p, { individuals: [{ first: 'Barry', last: 'Allen', emails: [['Home Email', 'barry.allen@centralcity.example']] }], gifts: [{ daysAgo: 800, amount: 300 }] });
    raise(c, p, { first: 'Barry', last: 'Allen', email: 'Barry.Allen@CentralCity.example', gifts: [{ daysAgo: 60, amount: 40, sync: false }] });
  }],
  ['heavy_volunteer_never_gave', (c, p) => {
    vomo(c, p, { first: 'Wally', last: 'West', email: 'wally.west@keystone.example', parts: { count: 150, hours: 4 } });
  }],
  ['heavy_volunteer_never_gave_unverified', (c, p) => {
    // 120 verified (118 × 4 + 2 × 4.25 = 480.5 h) and 20 without check-out (60 h that must not count).
    vomo(c, p, { first: 'Kara', last: 'Danvers', email: 'kara.danvers@catco.example', parts: { count: 140, hours: (k) => (k >= 120 ? 3 : k < 2 ? 4.25 : 4), status: (k) => (k >= 120 ? 'no_checkout' : 'verified') } });
  }],
  ['heavy_volunteer_never_gave_verified_flag', (c, p) => {
    // 100 × 4 h with check-in and check-out; 15 carry verified:false (340 h count), 10 verified:true.
    vomo(c, p, { first: "J'onn", last: 'Jonzz', email: 'jonn.jonzz@mars.example', parts: { count: 100, hours: 4, verified: (k) => (k < 15 ? false : k < 25 ? true : undefined) } });
  }],
  ['heavy_volunteer_contact_without_gifts', (c, p) => {
    vomo(c, p, { first: 'Billy', last: 'Batson', email: 'billy.batson@fawcett.example', parts: { count: 90, hours: 3.5 } });
    crm(c, p, { individuals: [{ first: 'Billy', last: 'Batson', emails: [['Home Email', 'billy.batson@fawcett.example']] }], createdDaysAgo: 400 });
  }],
  ['first_time_raise_gift_inside_lag', (c, p) => {
    vomo(c, p, { first: 'Kate', last: 'Kane', email: 'kate.kane@gotham.example' });
    raise(c, p, { first: 'Kate', last: 'Kane', email: 'kate.kane@gotham.example', gifts: [{ minutesAgo: 30, amount: 50, sync: true }] });
  }],
  ['first_time_raise_gift_synced', (c, p) => {
    vomo(c, p, { first: 'Cassie', last: 'Sandsmark', email: 'cassie.sandsmark@olympus.example' });
    raise(c, p, { first: 'Cassie', last: 'Sandsmark', email: 'cassie.sandsmark@olympus.example', gifts: [{ daysAgo: 20, amount: 35, sync: true }] });
  }],
  ['first_time_raise_gift_inside_lag_existing_contact', (c, p) => {
    vomo(c, p, { first: 'Jaime', last: 'Reyes', email: 'jaime.reyes@elpaso.example' });
    crm(c, p, { individuals: [{ first: 'Jaime', last: 'Reyes', emails: [['Home Email', 'jaime.reyes@elpaso.example']] }], createdDaysAgo: 365 });
    raise(c, p, { first: 'Jaime', last: 'Reyes', email: 'Jaime.Reyes@ElPaso.example', gifts: [{ minutesAgo: 90, amount: 75, sync: true }] });
  }],
  ['raise_sync_failed_only_gift', (c, p) => {
    raise(c, p, { first: 'Ted', last: 'Kord', email: 'ted.kord@kord-industries.example', gifts: [{ daysAgo: 10, amount: 250, sync: true, fails: true }] });
  }],
  ['raise_sync_failed_two_of_five', (c, p) => {
    raise(c, p, { first: 'Michael', last: 'Carter', email: 'michael.carter@gotham.example', gifts: [{ daysAgo: 300, amount: 20, sync: true }, { daysAgo: 200, amount: 20, sync: true, fails: true }, { daysAgo: 100, amount: 20, sync: true, fails: true }, { daysAgo: 40, amount: 20, sync: true }, { daysAgo: 5, amount: 20, sync: true }] });
  }],
  ['raise_held_back_by_cansync_false', (c, p) => {
    raise(c, p, { first: 'Zatanna', last: 'Zatara', email: 'zatanna@shadowcrest.example', gifts: [{ daysAgo: 400, amount: 45, sync: false }, { daysAgo: 30, amount: 45, sync: false }] });
  }],
  ['raise_held_back_volunteer', (c, p) => {
    vomo(c, p, { first: 'Ray', last: 'Palmer', email: 'ray.palmer@ivy.example' });
    raise(c, p, { first: 'Ray', last: 'Palmer', email: 'ray.palmer@ivy.example', gifts: [{ daysAgo: 45, amount: 30, sync: false }] });
  }],
  ['crm_gift_claims_raise_origin_missing', (c, p) => {
    crm(c, p, { individuals: [{ first: 'Lucius', last: 'Fox', emails: [['Work Email', 'lucius.fox@wayne-ent.example']] }], gifts: [{ daysAgo: 90, amount: 1000 }, { daysAgo: 60, amount: 500, type: 'Credit', source: 'Raise', txid: '999001' }] });
  }],
  ['crm_gift_claims_raise_origin_missing_2', (c, p) => {
    crm(c, p, { individuals: [{ first: 'Leslie', last: 'Thompkins', emails: [['Home Email', 'leslie.thompkins@clinic.example']] }], gifts: [{ daysAgo: 15, amount: 80, type: 'Credit', source: 'Raise', txid: '999002' }] });
  }],
  ['phone_formats_only', (c, p) => {
    vomo(c, p, { first: 'Selina', last: 'Kyle', email: 'selina.kyle@gotham.example', phone: '5559876543' });
    crm(c, p, { individuals: [{ first: 'Selina', last: 'Kyle', emails: [['Home Email', 'selina.kyle@gotham.example']], phones: [['Home Phone', '(555) 987-6543'], ['Mobile Phone', '+1 555 987 6543', false]] }], gifts: recent });
  }],
  ['phone_conflict', (c, p) => {
    vomo(c, p, { first: 'Harvey', last: 'Dent', email: 'harvey.dent@gotham-da.example', phone: '+15554440000' });
    crm(c, p, { individuals: [{ first: 'Harvey', last: 'Dent', emails: [['Work Email', 'harvey.dent@gotham-da.example']], phones: [['Work Phone', '(555) 444-1111']] }], gifts: recent });
  }],
  ['quirk_vomo_id_string', (c, p) => vomo(c, p, { first: 'Jason', last: 'Todd', email: 'jason.todd@gotham.example', quirk: { idAsString: true } })],
  ['quirk_vomo_hours_string', (c, p) => vomo(c, p, { first: 'Stephanie', last: 'Brown', email: 'stephanie.brown@gotham.example', parts: { count: 12, hours: (k) => [2.5, 3, 1.75][k % 3]!, hoursAsString: true } })],
  ['quirk_vomo_e_mail_key', (c, p) => vomo(c, p, { first: 'Tim', last: 'Drake', email: 'tim.drake@gotham.example', quirk: { emailKey: 'e_mail' } })],
  ['quirk_crm_pascal_first_name', (c, p) => {
    crm(c, p, { individuals: [{ first: 'Alfred', last: 'Pennyworth', emails: [['Home Email', 'alfred@wayne-manor.example']] }], gifts: recent });
    p.crm!.individuals[0]!.quirk = { pascalFirstName: true };
  }],
  ['quirk_raise_amount_string', (c, p) => raise(c, p, { first: 'Pamela', last: 'Isley', email: 'pamela.isley@greenhouse.example', gifts: [{ daysAgo: 50, amount: 125, sync: true, amountAsString: true }] })],
  ['quirk_vomo_missing_keys', (c, p) => vomo(c, p, { first: 'Garfield', last: 'Logan', email: 'gar.logan@doom-patrol.example', quirk: { omitKeys: ['phone', 'address', 'birthday'] } })],
  ['malformed_vomo_id_null', (c, p) => vomo(c, p, { first: 'Edward', last: 'Nygma', email: 'edward.nygma@riddles.example', malformed: { kind: 'id_null', why: 'VOMO user with "id": null: it cannot be identified or upserted.' } })],
  ['malformed_vomo_email_object', (c, p) => vomo(c, p, { first: 'Jonathan', last: 'Crane', email: 'jonathan.crane@arkham.example', malformed: { kind: 'email_object', why: 'VOMO user whose "email" is an object ({"address": ...}), not a string.' } })],
  ['malformed_crm_individuals_string', (c, p) => {
    crm(c, p, { individuals: [{ first: 'Oswald', last: 'Cobblepot', emails: [['Home Email', 'oswald@iceberg-lounge.example']] }], createdDaysAgo: 800 });
    p.crm!.malformed = { kind: 'individuals_string', why: 'CRM+ contact whose "contactIndividuals" is a string, not an array.' };
  }],
  ['twofold_reference_same_email', (c, p) => {
    vomo(c, p, { first: 'Helena', last: 'Bertinelli', email: 'helena.bertinelli@gotham.example' });
    crm(c, p, { individuals: [{ first: 'Helena', last: 'Bertinelli', emails: [['Home Email', 'helena.bertinelli@gotham.example']] }], gifts: recent, references: [{ source: 'Twofold/VOMO', id: String(vomoUserId(p.i)) }] });
  }],
  ['twofold_reference_email_differs', (c, p) => {
    vomo(c, p, { first: 'Renee', last: 'Montoya', email: 'renee.montoya@gcpd.example' });
    crm(c, p, { individuals: [{ first: 'Renee', last: 'Montoya', emails: [['Home Email', 'rmontoya@old-mail.example']] }], gifts: recent, references: [{ source: 'Twofold/VOMO', id: String(vomoUserId(p.i)) }] });
  }],
  ['organization_contact', (c, p) => {
    crm(c, p, { type: 'Organization', name: 'Wayne Enterprises Foundation', individuals: [{ first: 'Tam', last: 'Fox', emails: [['Work Email', 'tam.fox@wayne-ent.example']] }], gifts: [{ daysAgo: 120, amount: 25000, type: 'EFT' }, { daysAgo: 480, amount: 25000, type: 'EFT' }] });
  }],
];

export const SCENARIO_COUNT = SCENARIOS.length;
export const MIN_PEOPLE = 100;

/** Scenario j lives at index j * stride; everyone else is generic. */
export function scenarioStride(people: number): number {
  return Math.max(1, Math.floor(people / SCENARIO_COUNT));
}

export function scenarioAt(people: number, i: number): number {
  const s = scenarioStride(people);
  if (i % s !== 0) return -1;
  const j = i / s;
  return j < SCENARIO_COUNT ? j : -1;
}

export function scenarioIndex(people: number, name: string): number {
  const j = SCENARIOS.findIndex(([n]) => n === name);
  if (j < 0) throw new Error(`unknown scenario ${name}`);
  return j * scenarioStride(people);
}

export function planScenario(ctx: GenCtx, i: number, j: number): PersonPlan {
  const [name, build] = SCENARIOS[j]!;
  const p = blank(i, name);
  build(ctx, p);
  return finish(ctx, p);
}
