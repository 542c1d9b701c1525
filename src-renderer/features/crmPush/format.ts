import type { PushClassification, PushSubmissionStatus } from '../../../src-shared/domain/crmPush';

export const CLASS_LABEL: Record<PushClassification, string> = {
  by_reference: 'In CRM+ (our reference)',
  by_email: 'In CRM+ (same email)',
  new: 'New: will be sent',
  already_submitted: 'Already sent',
  not_eligible: 'Cannot be sent',
};

export const CLASS_COLOR: Record<PushClassification, string> = {
  by_reference: 'teal',
  by_email: 'cyan',
  new: 'indigo',
  already_submitted: 'gray',
  not_eligible: 'red',
};

export const STATUS_LABEL: Record<PushSubmissionStatus, string> = {
  preview: 'Previewed',
  submitting: 'Interrupted',
  pending: 'Pending',
  confirmed: 'Confirmed',
  linked_existing: 'Linked (already in CRM+)',
  failed: 'Failed',
  needs_followup: 'Needs follow-up',
};

export const STATUS_COLOR: Record<PushSubmissionStatus, string> = {
  preview: 'gray',
  submitting: 'orange',
  pending: 'yellow',
  confirmed: 'green',
  linked_existing: 'teal',
  failed: 'red',
  needs_followup: 'orange',
};

export { fmtDateTime as when } from '../../../src-shared/format';
