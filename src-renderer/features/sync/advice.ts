import { API_LABELS, type ApiName } from '../../../src-shared/domain/apis';

/** What to do about a failed collector, in the steward's words. */
export function advice(api: ApiName, code: string | null, isSandbox = false): string | null {
  const label = API_LABELS[api];
  switch (code) {
    case 'UNAUTHENTICATED':
      return `${label} rejected the token: replace it in Settings → Connections.`;
    case 'TOKEN_MISSING':
      return `There is no ${label} token yet: add one in Settings → Connections.`;
    case 'NETWORK':
      return isSandbox
        ? `The sandbox's ${label} server did not answer. Start the sandbox servers again in Settings → Connections, then sync again.`
        : `${label} could not be reached. Check the connection and the base URL, then sync again; what was saved is kept.`;
    case 'RATE_LIMITED':
      return `${label}'s request budget ran out. Sync again after it resets; the sync resumes where it stopped.`;
    case 'REMOTE_ERROR':
      return `${label} answered with an error. Try again later; if it persists, check the base URL.`;
    case 'DELETIONS_HELD':
      return `Nothing was marked deleted and nothing was lost. Check in ${label} that these records really were deleted; if so, sync again and mark them deleted. Until then, "Add to CRM+" waits.`;
    default:
      return null;
  }
}
