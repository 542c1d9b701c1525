import type { ApiName } from '../../src-shared/domain/apis';
import type { FindingKind } from '../../src-shared/domain/reconcile';

/** A finding as the checks produce it, before it is stored with its run. */
export interface FindingDraft {
  kind: FindingKind;
  api: ApiName;
  resource: string;
  sourceId: string;
  /** What the finding is about; unique within a run ('raise_gift:12', 'raise_gift:12#amount'). */
  subject: string;
  personId?: string | null;
  /** Where the person is found (first that resolves); resolved again when the report is read. */
  personRefs?: PersonRef[];
  label?: string | null;
  crmUrl?: string | null;
  occurredAt?: string | null;
  detail: Record<string, unknown>;
  /** What differs, when a change of it should count as a changed finding (amounts, dates). */
  fingerprintExtra?: string;
}

/** Where a finding's person is found: a person_links source and its id. */
export interface PersonRef {
  source: 'vomo' | 'crm_contact' | 'crm_individual' | 'raise';
  id: string;
}
