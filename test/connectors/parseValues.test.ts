import { describe, expect, it } from 'vitest';
import {
  camelizeKeys,
  describeErrorBody,
  httpFailure,
  moneyToCents,
  normEmail,
  retryAfterMs,
  snakeKeys,
  toBoolInt,
  toDateOnly,
  toId,
  toIsoUtc,
  toNumber,
} from '../../src-main/connectors/shared/parseValues';

describe('parseValues', () => {
  it('reads money display strings as cents', () => {
    expect(moneyToCents('$1,250.00')).toBe(125000);
    expect(moneyToCents('$0')).toBe(0);
    expect(moneyToCents('$1,200')).toBe(120000);
    expect(moneyToCents('-$5.00')).toBe(-500);
    expect(moneyToCents('($5.25)')).toBe(-525);
    expect(moneyToCents('1.250,50 €')).toBe(125050);
    expect(moneyToCents('12,50')).toBe(1250);
    expect(moneyToCents('$10.50')).toBe(1050);
    expect(moneyToCents(10.5)).toBe(1050);
    expect(moneyToCents(0.1 + 0.2)).toBe(30);
    expect(moneyToCents('')).toBeNull();
    expect(moneyToCents('Unavailable')).toBeNull();
    expect(moneyToCents(null)).toBeNull();
    expect(moneyToCents('abc')).toBeUndefined();
    expect(moneyToCents({})).toBeUndefined();
  });

  it('reads timestamps with 0-7 fractional digits and no offset as UTC', () => {
    expect(toIsoUtc('2023-11-30T14:20:56.353')).toBe('2023-11-30T14:20:56.353Z');
    expect(toIsoUtc('2023-11-30T14:20:56.3533333')).toBe('2023-11-30T14:20:56.353Z');
    expect(toIsoUtc('2023-11-30T14:20:56')).toBe('2023-11-30T14:20:56.000Z');
    expect(toIsoUtc('2023-11-30T14:20:56.3')).toBe('2023-11-30T14:20:56.300Z');
    expect(toIsoUtc('2023-12-08T16:56:52.6126031Z')).toBe('2023-12-08T16:56:52.612Z');
    expect(toIsoUtc('2025-11-19T10:15:00+00:00')).toBe('2025-11-19T10:15:00.000Z');
    expect(toIsoUtc('2025-11-19T10:15:00-05:00')).toBe('2025-11-19T15:15:00.000Z');
    expect(toIsoUtc('2023-12-07')).toBe('2023-12-07T00:00:00.000Z');
    expect(toIsoUtc('12/7/2023')).toBe('2023-12-07T00:00:00.000Z');
    expect(toIsoUtc('Thu, 07 Dec 2023 10:00:00 GMT')).toBe('2023-12-07T10:00:00.000Z');
    expect(toIsoUtc('Unavailable')).toBeNull();
    expect(toIsoUtc('')).toBeNull();
    expect(toIsoUtc('2023-02-30T00:00:00')).toBeUndefined();
    expect(toIsoUtc('yesterday')).toBeUndefined();
  });

  it('reads calendar dates', () => {
    expect(toDateOnly('9/4/1998')).toBe('1998-09-04');
    expect(toDateOnly('1998-09-04')).toBe('1998-09-04');
    expect(toDateOnly('2023-12-07T00:00:00')).toBe('2023-12-07');
    expect(toDateOnly('Unavailable')).toBeNull();
    expect(toDateOnly('')).toBeNull();
    expect(toDateOnly('13/40/2020')).toBeUndefined();
  });

  it('reads ids, numbers, booleans and e-mails', () => {
    expect(toId(8205)).toBe('8205');
    expect(toId(' 8205 ')).toBe('8205');
    expect(toId(null)).toBeNull();
    expect(toId({})).toBeUndefined();
    expect(toNumber('2.5')).toBe(2.5);
    expect(toNumber('1,234')).toBe(1234);
    expect(toNumber('x')).toBeUndefined();
    expect(toBoolInt('True')).toBe(1);
    expect(toBoolInt(false)).toBe(0);
    expect(toBoolInt(undefined)).toBeNull();
    expect(normEmail('  Bruce@Wayne.Example ')).toBe('bruce@wayne.example');
    expect(normEmail('')).toBeNull();
  });

  it('normalises key casing without touching well-formed objects', () => {
    const camel = { id: 1, contactIndividuals: [{ isPrimary: true }] };
    expect(camelizeKeys(camel)).toBe(camel);
    expect(camelizeKeys({ Id: 1, ContactIndividuals: [{ IsPrimary: true, ID: 2 }] })).toEqual({ id: 1, contactIndividuals: [{ isPrimary: true, id: 2 }] });
    expect(snakeKeys({ firstName: 'a', UpdatedAt: 'b', email: 'c' })).toEqual({ first_name: 'a', updated_at: 'b', email: 'c' });
  });

  it('understands every documented error body', () => {
    expect(describeErrorBody('{"error":{"code":"BAD_REQUEST","message":"Bad thing","details":[{"field":"email","code":"X","message":"is invalid"}]}}')).toEqual({
      message: 'Bad thing; email: is invalid',
      code: 'BAD_REQUEST',
    });
    expect(describeErrorBody('{"message":"The request is invalid.","modelState":{"contact.name":["An error has occurred."]}}').message).toBe(
      'The request is invalid.; contact.name: An error has occurred.',
    );
    expect(describeErrorBody('{"message":"The given data was invalid.","errors":{"email":["taken"]}}').message).toContain('email: taken');
    expect(describeErrorBody('{"error":"invalid_grant","error_description":"bad password"}').message).toBe('bad password');
    expect(describeErrorBody('Authorization has been denied for this request.').message).toBe('Authorization has been denied for this request.');
    expect(describeErrorBody('').message).toBeNull();
    expect(httpFailure('CRM+', 401, 'Authorization has been denied for this request.', null).message).toMatch(/^CRM\+ rejected the token: replace it in Settings → Connections/);
    expect(httpFailure('CRM+', 404, '', null).code).toBe('NOT_FOUND');
    const r = httpFailure('VOMO', 429, '', '7');
    expect(r.rateLimited).toBe(true);
    expect(r.retryAfterMs).toBe(7000);
    expect(retryAfterMs(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1000);
  });
});

describe('toIsoUtc fast path', () => {
  it('agrees with the general parser on every common shape and rejects impossible dates', () => {
    const cases: [string, string | undefined][] = [
      ['2023-11-30T14:20:56', '2023-11-30T14:20:56.000Z'],
      ['2023-11-30T14:20:56.3', '2023-11-30T14:20:56.300Z'],
      ['2023-11-30T14:20:56.35', '2023-11-30T14:20:56.350Z'],
      ['2023-11-30T14:20:56.3533333', '2023-11-30T14:20:56.353Z'],
      ['2023-12-08T16:56:52.6126031Z', '2023-12-08T16:56:52.612Z'],
      ['2025-11-19T10:15:00+00:00', '2025-11-19T10:15:00.000Z'],
      ['2026-11-01T12:00:00.000Z', '2026-11-01T12:00:00.000Z'],
      ['2024-02-29T00:00:00', '2024-02-29T00:00:00.000Z'],
      ['2023-02-29T00:00:00', undefined],
      ['2023-04-31T00:00:00', undefined],
      ['2023-11-30T24:00:00', undefined],
      ['2023-11-30T14:20:56.', undefined],
      ['2025-11-19T10:15:00+02:00', '2025-11-19T08:15:00.000Z'],
    ];
    for (const [input, want] of cases) expect(toIsoUtc(input), input).toBe(want);
  });
});
