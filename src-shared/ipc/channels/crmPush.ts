import { z } from 'zod';
import { channel } from '../channel';
import { PushCheckResult, PushPreview, PushSubmissionPage, PushSubmissionStatus, PushSubmitResult } from '../../domain/crmPush';
import { ListFilters, ListName } from '../../domain/insights';

const ProfileRef = z.object({ profileId: z.number().int().positive() });
const PersonId = z.string().trim().min(1).max(64);

export const crmPushChannels = {
  /**
   * "Add to CRM+" preview: the pre-create lookup for each person of a list (as filtered and
   * searched on screen) or of a hand-picked selection, and the exact Transaction body per new
   * person. Writes nothing to CRM+; the preview is kept as a batch for `push.submit`.
   */
  'push.preview': channel(
    ProfileRef.extend({
      list: ListName.optional(),
      personIds: z.array(PersonId).min(1).max(1000).optional(),
      filters: ListFilters.optional(),
      search: z.string().trim().max(200).optional(),
    }).refine((v) => !!v.list !== !!v.personIds, { message: 'give either a list or personIds', path: ['list'] }),
    PushPreview,
  ),
  /**
   * Send a previewed batch (optionally only some of its people): new ones as Contact
   * Transactions, found ones linked. `immediatePersonId`: create that one person now with the
   * direct create, after a fresh lookup (only when the steward asks for it).
   */
  'push.submit': channel(
    ProfileRef.extend({ batchId: z.number().int().positive(), personIds: z.array(PersonId).min(1).max(1000).optional(), immediatePersonId: PersonId.optional() }),
    PushSubmitResult,
  ),
  /** Stops a running preview (it writes nothing to CRM+; what it looked up is dropped). */
  'push.cancelPreview': channel(ProfileRef, z.object({ cancelled: z.boolean() })),
  /** "Check pending": look every waiting submission up by our reference pair once. */
  'push.checkPending': channel(ProfileRef, PushCheckResult),
  /** The submissions view: pending, confirmed, failed, needs follow-up. 'waiting' = pending + interrupted. */
  'push.submissions': channel(
    ProfileRef.extend({
      status: z.union([PushSubmissionStatus, z.literal('waiting')]).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(50),
    }),
    PushSubmissionPage,
  ),
};
