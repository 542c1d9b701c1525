/**
 * The join nodes a rebuild holds, one per live record for the whole join (1.44M at a million
 * persons): kept small. The key is derived from kind and id when asked, and the join emails are
 * kept as one string (addresses separated by char(31), as the node cache stores them) and split
 * when asked. A key string and an array per record were 162 MB of the 381 MB these nodes took as
 * plain objects on the bench's million-person store (219 MB as these), and three million objects
 * fewer for every major collection of the rebuild to walk.
 *
 * They read like the object literals they replace (JoinNode in nodes.ts); code that builds a
 * node of its own (tests) may still use a literal.
 */
import type { JoinNode } from './nodes';

const SEP = '\u001f';
const NO_EMAILS = Object.freeze([]) as unknown as string[];

/** Join emails as a node keeps them: null for none. Addresses never hold char(31) (they are normalized). */
export function packEmails(list: readonly string[]): string | null {
  return list.length === 0 ? null : list.length === 1 ? list[0] : list.join(SEP);
}

abstract class CompactNode {
  constructor(
    readonly id: string,
    private e: string | null,
  ) {}
  abstract readonly kind: JoinNode['kind'];
  get key(): string {
    return this.kind + ':' + this.id;
  }
  /** A new array on every read (the shared empty one for none): read it once per use. */
  get emails(): string[] {
    const e = this.e;
    return e === null ? NO_EMAILS : e.includes(SEP) ? e.split(SEP) : [e];
  }
  set emails(list: string[]) {
    this.e = packEmails(list);
  }
}

class VomoJoinNode extends CompactNode {
  readonly kind = 'vomo' as const;
  constructor(
    id: string,
    e: string | null,
    readonly firstName: string | null,
  ) {
    super(id, e);
  }
}

class IndividualJoinNode extends CompactNode {
  readonly kind = 'crm_individual' as const;
  constructor(
    id: string,
    e: string | null,
    readonly contactId: string,
    readonly firstName: string | null,
    readonly isPrimary: number,
  ) {
    super(id, e);
  }
}

class ContactJoinNode extends CompactNode {
  readonly kind = 'crm_contact' as const;
  constructor(
    id: string,
    private readonly name: string | null,
  ) {
    super(id, null);
  }
  get contactId(): string {
    return this.id;
  }
  get contact(): { name: string | null } {
    return { name: this.name };
  }
}

class RaiseJoinNode extends CompactNode {
  readonly kind = 'raise' as const;
  constructor(
    id: string,
    e: string | null,
    readonly firstName: string | null,
    readonly crmKey: string | null,
  ) {
    super(id, e);
  }
}

type Of<K extends JoinNode['kind']> = Extract<JoinNode, { kind: K }>;

// Emails come packed (packEmails' form, as the node cache stores them) or as a list.
const packed = (emails: string | null | readonly string[]) => (emails === null || typeof emails === 'string' ? emails || null : packEmails(emails));

export const joinNode = {
  vomo: (id: string, emails: string | null | readonly string[], firstName: string | null): Of<'vomo'> => new VomoJoinNode(id, packed(emails), firstName),
  individual: (id: string, emails: string | null | readonly string[], contactId: string, firstName: string | null, isPrimary: number): Of<'crm_individual'> =>
    new IndividualJoinNode(id, packed(emails), contactId, firstName, isPrimary),
  contact: (id: string, name: string | null): Of<'crm_contact'> => new ContactJoinNode(id, name),
  raise: (id: string, emails: string | null | readonly string[], firstName: string | null, crmKey: string | null): Of<'raise'> =>
    new RaiseJoinNode(id, packed(emails), firstName, crmKey),
};
