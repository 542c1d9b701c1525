/**
 * What each person figure counts, in the words the person page, the list headers and the docs
 * use. The definitions themselves live in src-main/identity/measures.ts (giving, gift days,
 * hours, last participation) and src-main/identity/verifiedHours.ts; every list, export and the
 * CLI read the same columns.
 */
export const FIGURE_NOTES = {
  lifetimeGiving: 'CRM+ lifetime giving plus Raise gifts CRM+ does not have yet; a Raise gift that reached CRM+ counts once.',
  lastGift: 'The latest gift in CRM+ or Raise.',
  verifiedHours: "VOMO hours of participations VOMO marked verified; where VOMO sends no mark, those with both a check-in and a check-out.",
  lastParticipation: 'The latest VOMO participation attended (checked in or out).',
  emailOptIn: "The email's opt-in in CRM+, else in Raise. Outreach exports leave opted-out addresses out.",
} as const;
