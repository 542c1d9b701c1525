/** Identity domain: persons, links, match cards, conflicts, split candidates, merges (zod + types). */
import { z } from 'zod';
import { InsightRow } from './insights';

export const IdentitySource = z.enum(['vomo', 'crm_individual', 'crm_contact', 'raise']);
export type IdentitySource = z.infer<typeof IdentitySource>;

export const AuthoritySource = z.enum(['vomo', 'crm', 'raise']);
export type AuthoritySource = z.infer<typeof AuthoritySource>;

export const ConflictField = z.enum(['email', 'first_name', 'last_name', 'phone']);
export type ConflictField = z.infer<typeof ConflictField>;

/** Which system's value is shown for each field (seed 000 defaults), and the phone region. */
export const IdentitySettings = z
  .object({
    fieldAuthority: z
      .object({
        email: AuthoritySource.default('vomo'),
        first_name: AuthoritySource.default('vomo'),
        last_name: AuthoritySource.default('vomo'),
        phone: AuthoritySource.default('crm'),
      })
      .default({ email: 'vomo', first_name: 'vomo', last_name: 'vomo', phone: 'crm' }),
    defaultPhoneRegion: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .default('US'),
  })
  .default({ fieldAuthority: { email: 'vomo', first_name: 'vomo', last_name: 'vomo', phone: 'crm' }, defaultPhoneRegion: 'US' });
export type IdentitySettings = z.infer<typeof IdentitySettings>;

/** In plain words: which key tied the records and what would break the tie. */
export const MatchCard = z.object({
  key: z.enum(['email', 'phone', 'name', 'crm_key', 'reference', 'decision', 'merge', 'contact', 'alone', 'email_history', 'postal']),
  value: z.string().nullable(),
  summary: z.string(),
  wouldBreak: z.string(),
});
export type MatchCard = z.infer<typeof MatchCard>;

const Rec = z.record(z.string(), z.unknown());

export const PersonLink = z.object({
  source: IdentitySource,
  sourceId: z.string(),
  sourceKey: z.string(),
  active: z.boolean(),
  how: z.string(),
  emailAtLink: z.string().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  matchCard: MatchCard,
});
export type PersonLink = z.infer<typeof PersonLink>;

export const LineageEntry = z.object({
  source: IdentitySource,
  sourceId: z.string(),
  email: z.string().nullable(),
  emailNorm: z.string(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  isCurrent: z.boolean(),
});

export const Conflict = z.object({
  id: z.number(),
  personId: z.string(),
  personName: z.string(),
  field: ConflictField,
  vomoValue: z.string().nullable(),
  crmValue: z.string().nullable(),
  authority: AuthoritySource,
  authorityValue: z.string().nullable(),
  status: z.enum(['open', 'resolved', 'dismissed']),
  resolution: z.string().nullable(),
  chosenValue: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  active: z.boolean(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  reopenedAt: z.string().nullable(),
});
export type Conflict = z.infer<typeof Conflict>;

export const Evidence = z.object({ kind: z.string(), points: z.number(), text: z.string(), matchCard: MatchCard });
export type Evidence = z.infer<typeof Evidence>;

export const PersonBrief = z.object({
  id: z.string(),
  displayName: z.string(),
  displayEmail: z.string().nullable(),
  displayPhone: z.string().nullable(),
  postal: z.string().nullable(),
  hasVomo: z.boolean(),
  hasCrm: z.boolean(),
  hasRaise: z.boolean(),
  vomoUserId: z.string().nullable(),
  crmContactId: z.string().nullable(),
  raiseDonorId: z.string().nullable(),
  lifetimeGivingCents: z.number(),
  vomoHoursVerified: z.number(),
});
export type PersonBrief = z.infer<typeof PersonBrief>;

export const SplitCandidate = z.object({
  id: z.number(),
  kind: z.string(),
  score: z.number(),
  status: z.enum(['open', 'merged', 'rejected']),
  evidence: z.array(Evidence),
  a: PersonBrief.nullable(),
  b: PersonBrief.nullable(),
  personA: z.string(),
  personB: z.string(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
});
export type SplitCandidate = z.infer<typeof SplitCandidate>;

export const MergeRecord = z.object({
  id: z.number(),
  survivorId: z.string(),
  mergedId: z.string(),
  survivorName: z.string().nullable(),
  mergedName: z.string().nullable(),
  candidateId: z.number().nullable(),
  reason: z.string().nullable(),
  mergedAt: z.string(),
  mergedBy: z.string(),
  undoneAt: z.string().nullable(),
  undoneBy: z.string().nullable(),
});
export type MergeRecord = z.infer<typeof MergeRecord>;

export const Finding = z.object({ kind: z.string(), source: z.string(), sourceId: z.string(), personId: z.string().nullable(), detail: Rec });

export const PersonDetail = z.object({
  person: Rec,
  displayName: z.string(),
  settings: IdentitySettings,
  sources: z.object({
    vomo: z.array(Rec),
    crmContacts: z.array(Rec),
    crmIndividuals: z.array(Rec),
    crmMethods: z.array(Rec),
    raise: z.array(Rec),
  }),
  fields: z.array(
    z.object({
      field: z.string(),
      vomo: z.string().nullable(),
      crm: z.string().nullable(),
      raise: z.string().nullable(),
      display: z.string().nullable(),
      authority: z.string().nullable(),
      disagree: z.boolean(),
    }),
  ),
  links: z.array(PersonLink),
  lineage: z.array(LineageEntry),
  gifts: z.array(
    z.object({
      system: z.enum(['crm', 'raise']),
      id: z.string(),
      date: z.string().nullable(),
      amountCents: z.number().nullable(),
      detail: z.string().nullable(),
      /** The same gift in the other system: a Raise gift's CRM+ copy, or the Raise gift a CRM+ gift copies. */
      sameAs: z.string().nullable(),
    }),
  ),
  participations: z.array(
    z.object({
      userId: z.string(),
      id: z.string(),
      projectName: z.string().nullable(),
      /** Attended (check-in, else check-out), else signed up. */
      date: z.string().nullable(),
      attended: z.boolean(),
      hours: z.number().nullable(),
      /** By the one verified rule (identity/verifiedHours.ts), and what decided it. */
      verified: z.boolean(),
      verifiedBy: z.enum(['flag', 'check-in-out', 'none']),
    }),
  ),
  /** What lifetime giving is made of, and where a household's CRM+ giving is counted. */
  giving: z.object({
    crmCents: z.number().nullable(),
    raiseNotInCrmCents: z.number(),
    householdOwner: z.object({ id: z.string(), name: z.string() }).nullable(),
  }),
  /** The person's figures exactly as every list, export and the CLI show them (one row of list "all"). */
  figures: InsightRow.nullable(),
  /** The figures are the last committed ones: the measures are being refreshed (after a rebuild). */
  figuresUpdating: z.boolean(),
  conflicts: z.array(Conflict),
  candidates: z.array(SplitCandidate),
  findings: z.array(Finding),
  merges: z.array(MergeRecord),
  audit: z.array(z.object({ at: z.string(), actor: z.string(), action: z.string(), detail: z.string().nullable() })),
});
export type PersonDetail = z.infer<typeof PersonDetail>;

export const RebuildSummary = z.object({
  persons: z.number(),
  links: z.number(),
  newPersons: z.number(),
  removedPersons: z.number(),
  conflictsOpen: z.number(),
  candidatesOpen: z.number(),
  findings: z.number(),
  ms: z.number(),
  timings: z.record(z.string(), z.number()),
});
export type RebuildSummary = z.infer<typeof RebuildSummary>;

export const Precision = z.object({
  decisions: z.number(),
  emailJoinedConfirmed: z.number(),
  emailJoinedRejected: z.number(),
  precision: z.number().nullable(),
  missedByEmailJoin: z.number(),
  candidatesRejected: z.number(),
  text: z.string(),
});
export type Precision = z.infer<typeof Precision>;

/** What made Twofold think two rows are one person, in the steward's words. */
export const SPLIT_KIND_LABELS: Record<string, string> = {
  email_change: 'Email changed in one system',
  reference: 'CRM+ reference to the VOMO user',
  crm_key: "Raise donor's CRM+ key",
  phone_name: 'Same phone, similar name',
  name_postal: 'Similar name, same postal code',
};

/** A merge's reason as stored ("approved candidate (phone_name)" from older versions included), in words. */
export function mergeReasonText(reason: string | null): string | null {
  if (!reason) return null;
  const m = /^approved candidate \((\w+)\)$/.exec(reason);
  return m ? `Approved in review: ${(SPLIT_KIND_LABELS[m[1]!] ?? m[1]!).toLowerCase()}` : reason;
}
