/** The manifest's own glossary: later tests assert exact equality, so every rule is spelled out. */
export const MANIFEST_DEFINITIONS = {
  person:
    'A join component over VOMO users, CRM+ individuals and Raise donors (malformed and deleted records excluded). Key: "V<vomo user id>" if it has a VOMO user, else "I<individual id>", else "R<donor id>" (smallest id).',
  joinRule:
    'Records of different systems are the same person when they share an email (trimmed, lowercased; every email method of every CRM+ individual counts; Raise donor email plus donorEmailAddresses). A Raise donor with crmKey joins the CRM+ contact with that id. When an email or a crmKey reaches several individuals of one contact, it joins one: the individual whose first name matches (trim, collapse spaces, case-insensitive), else the primary one. contactReferences do not join. Tolerated quirks: VOMO "e_mail" is the email, CRM+ "FirstName" is firstName, numeric strings are numbers.',
  volunteer: 'The person has a VOMO user.',
  donor: 'The person has a CRM+ individual (a contact) or a Raise donor, whether or not there are gifts.',
  counts: 'By the join rule over the current data. truthCounts merge the splits (records the generator knows are one human).',
  lastGift:
    'Latest gift date (UTC date) over the gifts of every CRM+ contact in the person and every Raise gift of its donors; a CRM+ gift with transactionSource "Raise" whose transactionId is one of those Raise gifts counts once. Household gifts count for every individual of the household.',
  lapsed: 'Volunteer with at least one gift and (today − lastGift) ≥ 365 days, in whole UTC days; 365 is lapsed, 364 is not.',
  topVolunteersNeverGave: 'Volunteers with no gift anywhere (a CRM+ contact with no gifts qualifies), by verified hours descending, then smallest VOMO user id; the top 25.',
  verifiedHours: 'Sum of participation hours where "verified" decides when the API sends it; otherwise verified means checked_in_at and checked_out_at are both set. Hours may arrive as strings.',
  recentFirstTimeRaiseDonorsWhoVolunteer: "Volunteers with a Raise donor whose earliest gift (CRM+ and Raise together) is a Raise gift dated within the last 90 days.",
  fieldConflicts: 'For a person with a VOMO user and a CRM+ individual (the smallest ids), firstName and lastName differ after trim/collapse/lowercase, or the VOMO phone matches none of the individual’s phones by digits (a leading US 1 dropped). Missing values never conflict. nonConflicts: raw values differ but normalize equal.',
  splits: 'Join components that are one human: email_change (a VOMO user id seen with a new email; flagged), twofold_reference (a CRM+ contact carries the Twofold/VOMO reference of the VOMO user), no_shared_email (same name and phone only).',
  reconciliation:
    'A Raise gift would sync when its campaign had canSync true when the gift was created. It is expected in CRM+ once created + lag ≤ now; raiseGiftsMissingInCrm lists those absent (sync_failed: the deterministic handful). raiseGiftsInsideLagWindow: would sync, lag not yet passed. donorsHeldBackByCanSyncFalse: donors without crmKey whose every gift is in a campaign that could not sync.',
  contactTransactions:
    'For each VOMO user: what the nightly batch does with a Contact Transaction carrying referenceSource "Twofold/VOMO", referenceId = VOMO user id and the VOMO email: "reference" (a contact already carries that reference), "email" (an individual has that email), else "new". Volunteers-only by the join are always "new" unless a contact carries their reference.',
  advances: 'Each POST /__sandbox/advance: the window (from, to] and the ids created, updated or deleted in it, per api.resource. Incremental filters with from as the bound (updated_after, Last Modified Date GreaterThan, ModifiedAfter) return exactly created ∪ updated.',
} as const;
