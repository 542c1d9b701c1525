import { describe, expect, it } from 'vitest';
import { buildTransactionBody, directCreateBody, ineligibleReason, splitAddress } from '../../src-main/crmPush/transactionBody';
import { errorField } from '../../src-main/crmPush/crmApi';
import { PushSettings } from '../../src-shared/domain/crmPush';

const settings = PushSettings.parse(undefined);

describe('the Contact Transaction body', () => {
  it('has our reference pair, Household, names, Home Email, tags, and nothing we do not have', () => {
    const body = buildTransactionBody(
      { personId: 'P1', vomoUserId: ' 4242 ', firstName: 'Bruce', lastName: 'Wayne', email: 'bruce@wayne.example', phone: null, address: null },
      settings,
    );
    expect(body).toEqual({
      referenceSource: 'Twofold/VOMO',
      referenceId: '4242',
      contactType: 'Household',
      firstName: 'Bruce',
      lastName: 'Wayne',
      emailType: 'Home Email',
      email: 'bruce@wayne.example',
      tags: 'Twofold volunteer',
    });
    expect(Object.keys(body)).not.toContain('originSegmentCode');
  });

  it('adds phone and split address when present, and originSegmentCode only when configured', () => {
    const body = buildTransactionBody(
      { personId: 'P1', vomoUserId: '7', firstName: 'Dick', lastName: 'Grayson', email: null, phone: '555-0100', address: '1007 Mountain Drive, Gotham, nj 07001' },
      { tags: 'Twofold volunteer; Gala 2026 ;Twofold volunteer', originSegmentCode: 'VOL-IMPORT' },
    );
    expect(body).toMatchObject({ phoneType: 'Mobile Phone', phone: '555-0100', address1: '1007 Mountain Drive', city: 'Gotham', state: 'NJ', postal: '07001', originSegmentCode: 'VOL-IMPORT', tags: 'Twofold volunteer;Gala 2026' });
    expect(body.email).toBeUndefined();
    expect(body.emailType).toBeUndefined();
  });

  it('keeps an address it cannot split as address1', () => {
    expect(splitAddress('Somewhere near the docks')).toEqual({ address1: 'Somewhere near the docks' });
    expect(splitAddress('  ')).toEqual({});
  });

  it('refuses people without a VOMO id or a full name', () => {
    expect(ineligibleReason({ personId: 'P', vomoUserId: null, firstName: 'A', lastName: 'B', email: null, phone: null, address: null })).toMatch(/VOMO/);
    expect(ineligibleReason({ personId: 'P', vomoUserId: '1', firstName: 'A', lastName: ' ', email: null, phone: null, address: null })).toMatch(/name/);
  });

  it('builds the direct-create body with the reference pair at top level', () => {
    const t = buildTransactionBody({ personId: 'P1', vomoUserId: '9', firstName: 'Kate', lastName: 'Kane', email: 'kate@kane.example', phone: null, address: '1 Park Row, Gotham, NY 10001' }, settings);
    const d = directCreateBody(t);
    expect(d).toMatchObject({ referenceSource: 'Twofold/VOMO', referenceId: '9', contactType: 'Household' });
    expect((d.contactIndividuals as { contactMethods: unknown[] }[])[0]!.contactMethods).toEqual([{ type: 'Home Email', value: 'kate@kane.example', isPrimary: true, isOptedIn: true }]);
    expect((d.contactAddresses as { stateCode: string }[])[0]!.stateCode).toBe('NY');
  });
});

describe('the field an error names', () => {
  it('reads canonical details, modelState and errors', () => {
    expect(errorField('{"error":{"code":"VALIDATION_ERROR","message":"bad","details":[{"field":"email","code":"INVALID","message":"x"}]}}')).toBe('email');
    expect(errorField('{"message":"The request is invalid.","modelState":{"contact.lastName":["An error has occurred."]}}')).toBe('lastName');
    expect(errorField('{"message":"The given data was invalid.","errors":{"phone":["bad"]}}')).toBe('phone');
    expect(errorField('Authorization has been denied')).toBeNull();
    expect(errorField('')).toBeNull();
  });
});
