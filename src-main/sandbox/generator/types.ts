/** Plans: the compact, JSON-free description of one person's records in the three systems. */

export interface Address {
  address1: string;
  city: string;
  state: string;
  postal: string;
}

export interface ParticipationPlan {
  id: number;
  projectId: number;
  projectDateId: number;
  startsAt: number;
  signedUpAt: number;
  checkedInAt: number | null;
  checkedOutAt: number | null;
  hours: number;
  /** Sent only on some participations, to exercise "use the flag when the API sends it". */
  verified?: boolean;
  hoursAsString?: boolean;
}

export interface VomoUserPlan {
  id: number;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  birthday: string | null;
  gender: 'M' | 'F' | 'N';
  address: string | null;
  createdAt: number;
  updatedAt: number;
  role: 'VOLUNTEER' | 'ORGANIZER' | 'ADMIN';
  participations: ParticipationPlan[];
  deleted?: boolean;
  quirk?: { idAsString?: boolean; emailKey?: 'e_mail'; omitKeys?: string[] };
  malformed?: { kind: 'id_null' | 'email_object'; why: string };
}

export interface ContactMethodPlan {
  id: number;
  type: string;
  value: string;
  isPrimary: boolean;
  isOptedIn: boolean;
}

export interface IndividualPlan {
  id: number;
  firstName: string;
  lastName: string;
  gender: 'Male' | 'Female' | null;
  isPrimary: boolean;
  birthYear: number | null;
  methods: ContactMethodPlan[];
  quirk?: { pascalFirstName?: boolean; omitMethods?: boolean };
}

export interface CrmGiftPlan {
  id: number;
  contactId: number;
  individualId: number | null;
  day: number;
  amountCents: number;
  giftType: string;
  transactionSource: string | null;
  transactionId: string | null;
  segment: string | null;
  createdAt: number;
  modifiedAt: number;
  deleted?: boolean;
}

export interface CrmContactPlan {
  id: number;
  contactType: 'Household' | 'Organization';
  name: string;
  createdAt: number;
  modifiedAt: number;
  individuals: IndividualPlan[];
  gifts: CrmGiftPlan[];
  address: Address | null;
  references: { source: string; id: string }[];
  tags: string[];
  deleted?: boolean;
  malformed?: { kind: 'individuals_string'; why: string };
}

export interface RaiseGiftPlan {
  id: number;
  donorId: number;
  createdAt: number;
  modifiedAt: number;
  amountCents: number;
  campaignId: number;
  /** A sync failure that never clears (a handful, deterministic). */
  fails: boolean;
  recurringGiftId: number | null;
  amountAsString?: boolean;
  deleted?: boolean;
}

export interface RecurringPlan {
  id: number;
  donorId: number;
  amountCents: number;
  startAt: number;
  cycles: number;
  active: boolean;
  campaignId: number;
  createdAt: number;
  modifiedAt: number;
}

export interface RaiseDonorPlan {
  id: number;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  extraEmails: string[];
  createdAt: number;
  modifiedAt: number;
  crmKey: number | null;
  address: Address | null;
  gifts: RaiseGiftPlan[];
  recurring: RecurringPlan | null;
  deleted?: boolean;
}

export interface PersonPlan {
  /** Person index; negative for contacts created in CRM+ with no known owner. */
  i: number;
  scenario: string | null;
  vomo: VomoUserPlan | null;
  crm: CrmContactPlan | null;
  raise: RaiseDonorPlan | null;
}
