import type { Core } from './app';
import { identityService } from '../identity/identityService';
import { pushService } from '../crmPush/pushService';

/**
 * Services that react to events rather than to calls, created with the core so they listen from
 * the first moment whichever shell runs: the identity service refreshes the join after every
 * sync (and the insight measures follow the identity runs lazily).
 */
export function wireDomainServices(core: Core): void {
  identityService(core);
  // Pending CRM+ submissions are checked after each sync.
  pushService(core);
}
