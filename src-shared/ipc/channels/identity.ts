import { z } from 'zod';
import { channel, OkOutput } from '../channel';
import {
  Conflict,
  ConflictField,
  Finding,
  IdentitySettings,
  MergeRecord,
  PersonDetail,
  Precision,
  RebuildSummary,
  SplitCandidate,
} from '../../domain/identity';

const Profile = z.object({ profileId: z.number().int().positive() });
const Ids = z.array(z.number().int().positive()).min(1).max(10_000);
const Choice = z.enum(['vomo', 'crm', 'custom', 'keep_both']);
const Note = z.string().trim().max(1000).nullish();
const Updated = z.object({ updated: z.number() });
const MergeResult = z.object({ mergeId: z.number(), survivorId: z.string(), mergedId: z.string() });

export const identityChannels = {
  /** Rebuild the joined store from the mirrors (also runs after every sync). */
  'identity.rebuild': channel(Profile, RebuildSummary),
  'identity.status': channel(
    Profile,
    z.object({
      lastRunAt: z.string().nullable(),
      persons: z.number(),
      openConflicts: z.number(),
      openCandidates: z.number(),
      findings: z.number(),
      summary: RebuildSummary.nullable(),
    }),
  ),
  'identity.settings.get': channel(Profile, IdentitySettings),
  'identity.settings.set': channel(Profile.extend({ settings: IdentitySettings }), IdentitySettings),
  /** How precise the automatic email join has been, from the steward's verdicts. */
  'identity.precision': channel(Profile, Precision),
  'identity.findings': channel(Profile, z.array(Finding)),

  'people.get': channel(Profile.extend({ personId: z.string().min(1).max(40) }), PersonDetail),
  /** Confirm, or split, two records the email join put in one person. */
  'people.linkVerdict': channel(
    Profile.extend({ personId: z.string().min(1), keyA: z.string().min(3), keyB: z.string().min(3), verdict: z.enum(['same', 'not_same']), reason: Note }),
    OkOutput,
  ),

  'conflicts.list': channel(
    Profile.extend({
      status: z.enum(['open', 'resolved', 'dismissed', 'all']).default('open'),
      field: ConflictField.nullish(),
      newSinceLastSync: z.boolean().default(false),
      personId: z.string().nullish(),
      /** A page's edge from the last reply (`nextCursor`, `prevCursor`); paging by it costs the same at any depth. */
      cursor: z.string().max(2000).nullish(),
      /** 'prev' walks back from the cursor; without one, it reads the last page. */
      direction: z.enum(['next', 'prev']).default('next'),
      /** Scripts' paging by position, used only without a cursor: slower the deeper it goes. */
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(100),
    }),
    z.object({
      total: z.number(),
      items: z.array(Conflict),
      counts: z.record(z.string(), z.number()),
      nextCursor: z.string().nullable(),
      prevCursor: z.string().nullable(),
    }),
  ),
  /** Choose a side (or a typed value), or keep both. */
  'conflicts.resolve': channel(Profile.extend({ ids: Ids, choice: Choice, value: z.string().max(500).nullish(), note: Note }), Updated),
  'conflicts.dismiss': channel(Profile.extend({ ids: Ids, note: Note }), Updated),
  'conflicts.reopen': channel(Profile.extend({ ids: Ids }), Updated),
  /** Every open conflict of one field (or the given ids) at once. */
  'conflicts.bulkResolve': channel(
    Profile.extend({ field: ConflictField, action: z.enum(['resolve', 'dismiss']).default('resolve'), choice: Choice.nullish(), ids: z.array(z.number().int()).nullish() }),
    Updated,
  ),
  /**
   * The CSV of corrections to make by hand in one system, written by a job: saved to `path` (the
   * CLI, tests), a save dialog's file (Electron) or a download (the web shell: `downloadId`).
   */
  'conflicts.exportFixList': channel(
    Profile.extend({ system: z.enum(['vomo', 'crm']), path: z.string().min(1).max(4096).nullish() }),
    /** cancelled: the steward closed Electron's save dialog or cancelled the job (nothing written or logged). */
    z.object({ rows: z.number(), fileName: z.string(), path: z.string().nullable(), downloadId: z.string().nullable(), cancelled: z.boolean() }),
  ),

  'splits.list': channel(
    Profile.extend({
      status: z.enum(['open', 'merged', 'rejected', 'all']).default('open'),
      kind: z.string().max(40).nullish(),
      personId: z.string().nullish(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(200).default(50),
    }),
    z.object({ total: z.number(), items: z.array(SplitCandidate) }),
  ),
  /** Approve a candidate: merge the pair (never touches the remote APIs). */
  'splits.approve': channel(Profile.extend({ candidateId: z.number().int().positive(), survivorId: z.string().nullish(), reason: Note }), MergeResult),
  /** "Not the same person": remembered, never proposed again. */
  'splits.reject': channel(Profile.extend({ candidateId: z.number().int().positive(), reason: Note }), OkOutput),
  'merges.list': channel(Profile, z.array(MergeRecord)),
  'merges.undo': channel(Profile.extend({ mergeId: z.number().int().positive() }), MergeResult),
};
