/**
 * Id spaces. A base record's id is arithmetic on its person index, so an id maps back to the
 * person without any table; records created after the start take ids from counters that begin
 * right after the base range (see World). Ranges differ per resource so that a mix-up between
 * systems shows in tests.
 */
export const ID = {
  vomoUser: 8_000,
  participation: 2_000_000, // + 256 * i + k
  crmContact: 20_000,
  crmIndividual: 100_000, // + 4 * i + k
  crmGift: 500_000, // + 32 * i + k
  raiseDonor: 40_000,
  raiseGift: 1_000_000, // + 32 * i + k
  raiseRecurring: 300_000,
  contactMethod: 10_000_000, // + 8 * individualSlot + m
  address: 700_000,
} as const;

export const MAX_PEOPLE = 1_000_000;
export const MAX_GIFTS_PER_PERSON = 32;
export const MAX_PARTICIPATIONS = 256;

export const vomoUserId = (i: number): number => ID.vomoUser + i;
export const crmContactId = (i: number): number => ID.crmContact + i;
export const crmIndividualId = (i: number, k: number): number => ID.crmIndividual + 4 * i + k;
export const crmGiftId = (i: number, k: number): number => ID.crmGift + MAX_GIFTS_PER_PERSON * i + k;
export const raiseDonorId = (i: number): number => ID.raiseDonor + i;
export const raiseGiftId = (i: number, k: number): number => ID.raiseGift + MAX_GIFTS_PER_PERSON * i + k;
export const raiseRecurringId = (i: number): number => ID.raiseRecurring + i;
export const participationId = (i: number, k: number): number => ID.participation + MAX_PARTICIPATIONS * i + k;

/** First counter value of each resource for records created after the start. */
export function counterStarts(people: number) {
  return {
    vomoUser: ID.vomoUser + people,
    crmContact: ID.crmContact + people,
    crmIndividual: ID.crmIndividual + 4 * people,
    crmGift: ID.crmGift + MAX_GIFTS_PER_PERSON * people,
    raiseDonor: ID.raiseDonor + people,
    raiseGift: ID.raiseGift + MAX_GIFTS_PER_PERSON * people,
    raiseRecurring: ID.raiseRecurring + people,
    participation: ID.participation + MAX_PARTICIPATIONS * people,
  };
}
