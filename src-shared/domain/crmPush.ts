/**
 * "Add to CRM+": volunteers become CRM+ contacts through Contact Transactions, previewed,
 * paced, audited and confirmed by our reference pair (`Twofold/VOMO` + the VOMO user id).
 */
import { z } from 'zod';

/** Our `referenceSource` on every contact we ask CRM+ to create. One stable string, forever. */
export const PUSH_REFERENCE_SOURCE = 'Twofold/VOMO';
/** The tag every pushed contact carries (Transaction `tags` is one semicolon-separated string). */
export const PUSH_DEFAULT_TAGS = 'Twofold volunteer';

/** The person lists "Add to CRM+" is offered on. */
export const PushListName = z.enum(['volunteer-only', 'top-volunteers']);
export type PushListName = z.infer<typeof PushListName>;

/**
 * The pre-create lookup's verdict for one person:
 * - by_reference: a contact already carries our reference pair → link it, send nothing.
 * - by_email: a contact has the volunteer's email → link it, send nothing (no duplicate).
 * - new: nothing found → a Contact Transaction would be sent.
 * - already_submitted: Twofold sent this person before and waits for the nightly batch.
 * - not_eligible: no VOMO user id or no name: nothing can be sent safely.
 */
export const PushClassification = z.enum(['by_reference', 'by_email', 'new', 'already_submitted', 'not_eligible']);
export type PushClassification = z.infer<typeof PushClassification>;

/** POST /api/Contact/Transaction body (flat, camelCase). Only fields we have are present. */
export const TransactionBody = z.object({
  referenceSource: z.string(),
  referenceId: z.string(),
  contactType: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  emailType: z.string().optional(),
  email: z.string().optional(),
  phoneType: z.string().optional(),
  phone: z.string().optional(),
  address1: z.string().optional(),
  address2: z.string().optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  postal: z.string().optional(),
  country: z.string().optional(),
  tags: z.string().optional(),
  originSegmentCode: z.string().optional(),
});
export type TransactionBody = z.infer<typeof TransactionBody>;

export const PushSubmissionStatus = z.enum(['preview', 'submitting', 'pending', 'confirmed', 'linked_existing', 'failed', 'needs_followup']);
export type PushSubmissionStatus = z.infer<typeof PushSubmissionStatus>;

export const PushPreviewItem = z.object({
  personId: z.string(),
  vomoUserId: z.string().nullable(),
  name: z.string(),
  email: z.string().nullable(),
  classification: PushClassification,
  /** The CRM+ contact found by the lookup (by_reference / by_email). */
  contactId: z.string().nullable(),
  contactName: z.string().nullable(),
  /** For the link into the join: the individual matched and the contact's emails. */
  contactIndividualId: z.string().nullable().optional(),
  contactEmails: z.array(z.string()).optional(),
  /** What would be sent (new) — exactly this JSON, nothing else. */
  body: TransactionBody.nullable(),
  /** Why: the lookup's evidence, or why the person cannot be sent. */
  reason: z.string(),
  /** The local submission state when Twofold has handled this person before. */
  submissionStatus: PushSubmissionStatus.nullable(),
});
export type PushPreviewItem = z.infer<typeof PushPreviewItem>;

export const PushCounts = z.object({
  byReference: z.number(),
  byEmail: z.number(),
  new: z.number(),
  alreadySubmitted: z.number(),
  notEligible: z.number(),
});
export type PushCounts = z.infer<typeof PushCounts>;

export const PushPreview = z.object({
  batchId: z.number(),
  profileId: z.number(),
  list: z.string().nullable(),
  createdAt: z.string(),
  items: z.array(PushPreviewItem),
  /** The list had more people than one preview takes; these are the first ones. */
  truncated: z.boolean(),
  counts: PushCounts,
  /** Requests the submit would make (one Transaction per new person). */
  callsNeeded: z.number(),
  /**
   * The CRM+ budget as the latest answer from CRM+ reported it (any answer: a sync, a preview),
   * the same figure the Sync view and the estimate show.
   */
  budget: z.object({ limit: z.number().nullable(), remaining: z.number().nullable(), resetAt: z.string().nullable(), observedAt: z.string().nullable().default(null) }),
  /** How the lookup was answered: the local CRM+ mirror (with CRM+'s changes since it synced), or CRM+ per person. */
  lookup: z.enum(['mirror', 'live']).default('live'),
  /** People the local CRM+ mirror settled without asking CRM+. */
  settledLocally: z.number().default(0),
  /** CRM+ requests the preview said it would spend before spending them, and what it spent. */
  requestsAnnounced: z.number().default(0),
  requestsSpent: z.number().default(0),
});
export type PushPreview = z.infer<typeof PushPreview>;

export const PushSubmitResult = z.object({
  batchId: z.number(),
  submitted: z.number(),
  /** Linked to a contact already in CRM+ (by reference or email): nothing sent. */
  linked: z.number(),
  /** Created at once through the direct create (one person, on request). */
  created: z.number(),
  /** Found already sent (pending/confirmed) and skipped: never sent twice. */
  skipped: z.number(),
  failed: z.number(),
  /** Interrupted submissions of an earlier run found in CRM+ and confirmed. */
  recovered: z.number(),
  /** Set when the run stopped before the end (a refused token, the rate limit, the network). */
  stopped: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type PushSubmitResult = z.infer<typeof PushSubmitResult>;

export const PushCheckResult = z.object({
  checked: z.number(),
  confirmed: z.number(),
  stillPending: z.number(),
  needsFollowup: z.number(),
  /** Rows skipped because they were checked less than the polite interval ago. */
  notDue: z.number(),
  stopped: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type PushCheckResult = z.infer<typeof PushCheckResult>;

export const PushSubmission = z.object({
  id: z.number(),
  personId: z.string().nullable(),
  vomoUserId: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  referenceSource: z.string(),
  referenceId: z.string(),
  status: PushSubmissionStatus,
  /** 'transaction' (nightly batch) | 'direct' (immediate create) | 'existing' (linked, nothing sent). */
  method: z.string(),
  body: z.unknown().nullable(),
  errorField: z.string().nullable(),
  errorMessage: z.string().nullable(),
  submittedAt: z.string().nullable(),
  confirmedContactId: z.string().nullable(),
  confirmedAt: z.string().nullable(),
  confirmedHow: z.string().nullable(),
  lastCheckedAt: z.string().nullable(),
  checkCount: z.number(),
  followupDueAt: z.string().nullable(),
  batchId: z.number().nullable(),
  updatedAt: z.string(),
});
export type PushSubmission = z.infer<typeof PushSubmission>;

export const PushSubmissionPage = z.object({
  rows: z.array(PushSubmission),
  total: z.number(),
  counts: z.record(z.string(), z.number()),
});
export type PushSubmissionPage = z.infer<typeof PushSubmissionPage>;

/** Per-profile settings (profile_settings key 'crmPush'). */
export const PushSettings = z
  .object({
    tags: z.string().default(PUSH_DEFAULT_TAGS),
    originSegmentCode: z.string().nullable().default(null),
    /** The nightly batch runs within this many hours of a submission. */
    nightlyBatchWindowHours: z.number().positive().default(24),
    /** Still not found this long past the nightly batch window → manual follow-up. */
    followupAfterHours: z.number().positive().default(48),
    /** Automatic checks (after a sync) look a pending row up at most this often. */
    pollIntervalHours: z.number().positive().default(4),
    /** Requests left untouched in the CRM+ hourly budget for syncs and other integrations. */
    budgetReserve: z.number().int().min(0).default(250),
    /**
     * How long the preview's answer about contacts changed in CRM+ since the last sync is reused
     * (a CRM+ sync replaces it sooner): opening the preview again within it spends nothing.
     */
    lookupMaxAgeMinutes: z.number().int().min(0).default(60),
  })
  .prefault({});
export type PushSettings = z.infer<typeof PushSettings>;
