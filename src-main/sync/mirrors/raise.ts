/** Raise mirrors: donors, gifts, recurring gifts, campaigns. */
import type { Db } from '../../store/db';
import type { RaiseCampaignRow, RaiseDonorRow, RaiseGiftRow, RaiseRecurringRow } from '../../connectors/raise/schemas';
import { MirrorTable } from './table';

export class RaiseMirror {
  readonly donors: MirrorTable<RaiseDonorRow>;
  readonly gifts: MirrorTable<RaiseGiftRow>;
  readonly recurring: MirrorTable<RaiseRecurringRow>;
  readonly campaigns: MirrorTable<RaiseCampaignRow>;
  constructor(db: Db) {
    this.donors = new MirrorTable<RaiseDonorRow>(db, 'raise_donors', [
      'id', 'first_name', 'last_name', 'name', 'email', 'email_norm', 'email_opted_in', 'phone', 'address1', 'city', 'state',
      'postal', 'is_organization', 'is_archived', 'is_test_mode', 'crm_key', 'crm_second_key', 'crm_url', 'created_at', 'modified_at',
    ]);
    this.gifts = new MirrorTable<RaiseGiftRow>(db, 'raise_gifts', [
      'id', 'donor_id', 'campaign_id', 'campaign_name', 'amount_cents', 'currency_code', 'gift_date', 'status_text',
      'transaction_id', 'recurring_gift_id', 'created_at', 'modified_at',
    ]);
    this.recurring = new MirrorTable<RaiseRecurringRow>(db, 'raise_recurring_gifts', [
      'id', 'donor_id', 'amount_cents', 'currency_code', 'frequency', 'status', 'start_date', 'next_charge_date', 'crm_key',
      'created_at', 'modified_at',
    ]);
    this.campaigns = new MirrorTable<RaiseCampaignRow>(db, 'raise_campaigns', [
      'id', 'name', 'can_sync', 'crm_key', 'start_date', 'end_date', 'created_at', 'modified_at',
    ]);
  }
}
