import { describe, expect, it } from 'vitest';
import { redact, registerSecret } from '../../src-main/core/log';

describe('log redaction', () => {
  it('hides bearer tokens, secret-looking values and registered secrets', () => {
    expect(redact('GET /users Authorization: Bearer eyJhbGciOi.abc.def')).toBe('GET /users Authorization: Bearer [redacted]');
    expect(redact('{"token":"sbx_4f9a8b7c6d5e4f3a2b1c"}')).toBe('{"token":"[redacted]"}');
    registerSecret('plain-secret-value-99');
    expect(redact('failed with plain-secret-value-99 in the body')).toBe('failed with [redacted] in the body');
  });

  it('leaves the steward-facing prose readable', () => {
    const msg = 'CRM+ rejected the token: replace it in Settings → Connections';
    expect(redact(msg)).toBe(msg);
  });
});
