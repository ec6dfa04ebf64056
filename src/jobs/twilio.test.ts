import { describe, expect, it } from 'vitest';
import { twilioProvider, twilioSignature } from './twilio.ts';

describe("Twilio's request signature", () => {
  // The worked example of Twilio's "Webhooks security" page: URL, POST parameters, Auth Token.
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  };
  it('matches the documented example', () => {
    expect(twilioSignature('12345', url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });
  it('accepts the right signature and refuses a forged or altered one', () => {
    const provider = twilioProvider({
      accountSid: `AC${'0'.repeat(32)}`,
      authToken: '12345',
      from: '+15005550006',
      baseUrl: 'http://127.0.0.1:1',
    });
    const headers = (sig: string) => new Headers({ 'X-Twilio-Signature': sig });
    expect(
      provider.verifyCallback({ url, params, headers: headers('0/KCTR6DLpKmkAf8muzZqo1nDgQ=') }),
    ).toBe(true);
    expect(
      provider.verifyCallback({
        url,
        params: { ...params, Digits: '9999' },
        headers: headers('0/KCTR6DLpKmkAf8muzZqo1nDgQ='),
      }),
    ).toBe(false);
    expect(provider.verifyCallback({ url, params, headers: new Headers() })).toBe(false);
  });
});
