import type { Migration } from '../migrate';

/**
 * CRM+ gifts that came from Raise, by the Raise gift id they carry: lifetime giving counts a
 * Raise gift only while CRM+ has no copy of it (store/giftOrigin.ts), a lookup per Raise gift.
 * Partial, so it holds only those gifts.
 */
export const migration: Migration = {
  id: 62,
  name: 'crm_gifts: Raise-origin gifts by transaction id',
  up(db) {
    db.exec(`CREATE INDEX IF NOT EXISTS crm_gifts_from_raise ON crm_gifts (profile_id, transaction_id) WHERE lower(substr(transaction_source, 1, 5)) = 'raise'`);
  },
};
