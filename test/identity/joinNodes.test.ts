import { describe, expect, it } from 'vitest';
import { joinNode, packEmails } from '../../src-main/identity/joinNodes';
import type { JoinNode } from '../../src-main/identity/nodes';

// What the join reads of a node, as a plain object: the form JoinNode literals have.
const read = (n: JoinNode) => ({
  kind: n.kind,
  key: n.key,
  id: n.id,
  emails: n.emails,
  ...(n.kind === 'crm_contact' ? { contactId: n.contactId, contact: n.contact } : {}),
  ...(n.kind === 'crm_individual' ? { contactId: n.contactId, firstName: n.firstName, isPrimary: n.isPrimary } : {}),
  ...(n.kind === 'vomo' ? { firstName: n.firstName } : {}),
  ...(n.kind === 'raise' ? { firstName: n.firstName, crmKey: n.crmKey } : {}),
});

describe('the compact join nodes a rebuild holds', () => {
  it('read as the object literals they replace: key from kind and id, emails in order', () => {
    expect(read(joinNode.vomo('v1', 'ann@example.org', 'Ann'))).toEqual({ kind: 'vomo', key: 'vomo:v1', id: 'v1', emails: ['ann@example.org'], firstName: 'Ann' });
    expect(read(joinNode.individual('i1', ['b@x.org', 'a@x.org'], 'c1', null, 1))).toEqual({
      kind: 'crm_individual',
      key: 'crm_individual:i1',
      id: 'i1',
      emails: ['b@x.org', 'a@x.org'],
      contactId: 'c1',
      firstName: null,
      isPrimary: 1,
    });
    expect(read(joinNode.contact('c2', 'Acme Foundation'))).toEqual({ kind: 'crm_contact', key: 'crm_contact:c2', id: 'c2', emails: [], contactId: 'c2', contact: { name: 'Acme Foundation' } });
    expect(read(joinNode.raise('r1', null, 'Cy', 'c1'))).toEqual({ kind: 'raise', key: 'raise:r1', id: 'r1', emails: [], firstName: 'Cy', crmKey: 'c1' });
  });

  it('take emails packed as the node cache stores them (char(31) between) or as a list, the same either way', () => {
    const list = ['one@x.org', 'two@x.org', 'three@x.org'];
    expect(packEmails(list)).toBe(list.join('\u001f'));
    expect(joinNode.raise('r1', packEmails(list), null, null).emails).toEqual(list);
    expect(joinNode.raise('r1', list, null, null).emails).toEqual(list);
    // None: an empty list, null or an empty string.
    for (const none of [[], null, '']) expect(joinNode.vomo('v', none, null).emails).toEqual([]);
  });

  it('hand out a new list on every read, so a caller cannot change the node by changing it; setting emails replaces them', () => {
    const n = joinNode.individual('i1', 'a@x.org', 'c1', 'Ann', 0);
    n.emails.push('mallory@x.org');
    expect(n.emails).toEqual(['a@x.org']);
    expect(() => joinNode.vomo('v', null, null).emails.push('x@y.org')).toThrow(); // the shared empty list is frozen
    n.emails = ['b@x.org', 'c@x.org'];
    expect(n.emails).toEqual(['b@x.org', 'c@x.org']);
    n.emails = [];
    expect(n.emails).toEqual([]);
  });
});
