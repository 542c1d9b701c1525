/**
 * Match cards: in plain words, which key tied records together and what would break the tie.
 * Stored compactly on links ({k, v, via}) and rendered here, so wording can improve without a rebuild.
 */
import type { MatchCard } from '../../src-shared/domain/identity';

export interface CompactCard {
  k: MatchCard['key'];
  v?: string | null;
  via?: string | null;
}

const SOURCE_NAMES: Record<string, string> = {
  vomo: 'VOMO user',
  crm_individual: 'CRM+ individual',
  crm_contact: 'CRM+ contact',
  raise: 'Raise donor',
};

export function describeKey(key: string | null | undefined): string {
  if (!key) return 'another record';
  const i = key.indexOf(':');
  return `${SOURCE_NAMES[key.slice(0, i)] ?? key.slice(0, i)} ${key.slice(i + 1)}`;
}

export function renderCard(c: CompactCard): MatchCard {
  const v = c.v ?? null;
  const via = describeKey(c.via);
  switch (c.k) {
    case 'email':
      return {
        key: 'email',
        value: v,
        summary: c.via ? `Joined because the normalized email matched ${via}: ${v}` : `Holds the join email ${v}`,
        wouldBreak: 'An email change in either system, or a steward "not the same person" verdict.',
      };
    case 'crm_key':
      return {
        key: 'crm_key',
        value: v,
        summary: `Joined because the Raise donor's crmKey ${v} points at ${via}'s CRM+ contact`,
        wouldBreak: 'The crmKey being cleared or pointed at another contact in Raise, or the CRM+ contact being deleted or merged.',
      };
    case 'decision':
      return { key: 'decision', value: v, summary: `Joined because the steward decided these are the same person (${via})`, wouldBreak: 'Undoing the merge.' };
    case 'merge':
      return { key: 'merge', value: v, summary: `Joined by a steward merge with ${via}`, wouldBreak: 'Undoing the merge.' };
    case 'contact':
      return { key: 'contact', value: v, summary: `A CRM+ contact without individuals (${v})`, wouldBreak: 'Nothing: it stands alone.' };
    case 'reference':
      return { key: 'reference', value: v, summary: `A CRM+ contact reference ties this record: ${v}`, wouldBreak: 'The reference being removed in CRM+.' };
    case 'phone':
      return { key: 'phone', value: v, summary: `Both rows have the phone ${v} (compared in E.164)`, wouldBreak: 'A phone change in either system.' };
    case 'name':
      return { key: 'name', value: v, summary: `The names are similar: ${v}`, wouldBreak: 'A name change in either system.' };
    case 'postal':
      return { key: 'postal', value: v, summary: `Same postal code ${v} and a similar name`, wouldBreak: 'An address or name change.' };
    case 'email_history':
      return { key: 'email_history', value: v, summary: v ?? 'An address seen before on one row is now on the other', wouldBreak: 'Nothing at the sources: the history is kept.' };
    default:
      return { key: 'alone', value: v, summary: v ? `Alone under the email ${v}: no other system has it` : 'Alone: this record has no email to join on', wouldBreak: 'Another system showing the same email would join it.' };
  }
}

export function parseCard(json: string | null): MatchCard {
  if (!json) return renderCard({ k: 'alone' });
  try {
    return renderCard(JSON.parse(json) as CompactCard);
  } catch {
    return renderCard({ k: 'alone' });
  }
}
