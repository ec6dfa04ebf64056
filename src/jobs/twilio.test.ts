import { describe, expect, it } from 'vitest';
import { signedUrlForms, twilioBodyHash, twilioProvider, twilioSignature } from './twilio.ts';

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

  const provider = twilioProvider({
    accountSid: `AC${'0'.repeat(32)}`,
    authToken: '12345',
    from: '+15005550006',
    baseUrl: 'http://127.0.0.1:1',
  });
  const signedBy = (sig: string) => new Headers({ 'X-Twilio-Signature': sig });

  it('verifies a JSON body by the bodySHA256 of its URL, as Twilio signs one', () => {
    // The published vector of Twilio's request validators (twilio-python's
    // tests/unit/test_request_validator.py, test_validation_of_body_succeeds).
    const body = '{"property": "value", "boolean": true}';
    const hash = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
    const jsonUrl = `${url}&bodySHA256=${hash}`;
    const signature = 'a9nBmqA0ju/hNViExpshrM61xv4=';
    expect(twilioBodyHash(body)).toBe(hash);
    const fields = { property: 'value', boolean: 'true' };
    expect(
      provider.verifyCallback({ url: jsonUrl, params: fields, headers: signedBy(signature), body }),
    ).toBe(true);
    // An altered body no longer has the URL's hash; a URL without one is not a JSON signature.
    expect(
      provider.verifyCallback({
        url: jsonUrl,
        params: fields,
        headers: signedBy(signature),
        body: body.replace('value', 'other'),
      }),
    ).toBe(false);
    expect(
      provider.verifyCallback({
        url,
        params: fields,
        headers: signedBy(twilioSignature('12345', url, {})),
        body,
      }),
    ).toBe(false);
    // The body's fields are not signed as a form's would be.
    expect(
      provider.verifyCallback({
        url: jsonUrl,
        params: fields,
        headers: signedBy(twilioSignature('12345', jsonUrl, fields)),
        body,
      }),
    ).toBe(false);
  });

  it('accepts a signature over the URL with or without its scheme’s standard port, no other', () => {
    expect(signedUrlForms('https://clinic.example/api/sms/status?x=1')).toEqual([
      'https://clinic.example/api/sms/status?x=1',
      'https://clinic.example:443/api/sms/status?x=1',
    ]);
    expect(signedUrlForms('http://clinic.example:80/api/sms/status')).toEqual([
      'http://clinic.example:80/api/sms/status',
      'http://clinic.example/api/sms/status',
    ]);
    expect(signedUrlForms('https://clinic.example:8443/api/sms/status')).toEqual([
      'https://clinic.example:8443/api/sms/status',
    ]);
    const withPort = 'https://mycompany.com:443/myapp.php?foo=1&bar=2';
    expect(
      provider.verifyCallback({
        url,
        params,
        headers: signedBy(twilioSignature('12345', withPort, params)),
      }),
    ).toBe(true);
    expect(
      provider.verifyCallback({
        url: withPort,
        params,
        headers: signedBy('0/KCTR6DLpKmkAf8muzZqo1nDgQ='),
      }),
    ).toBe(true);
    expect(
      provider.verifyCallback({
        url,
        params,
        headers: signedBy(
          twilioSignature('12345', 'https://mycompany.com:8443/myapp.php?foo=1&bar=2', params),
        ),
      }),
    ).toBe(false);
  });
});
