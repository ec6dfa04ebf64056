import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { twilioBodyHash, twilioSignature } from '../jobs/twilio.ts';

export const TWILIO_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const TWILIO_TOKEN = 'test-auth-token-0123456789';

export interface SentText {
  sid: string;
  to: string;
  from: string | undefined;
  body: string;
  statusCallback: string | undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A stand-in for Twilio's Messages API on 127.0.0.1: it checks basic auth and the form the
 * real API takes, answers as Twilio does (201 with the message's sid, or an error with its
 * code), and sends signed callbacks as Twilio does (form-encoded, X-Twilio-Signature).
 */
export async function startFakeTwilio() {
  const sent: SentText[] = [];
  const unsubscribed = new Set<string>();
  let failNext = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`)
        return reply(404, {
          code: 20404,
          message: 'The requested resource was not found',
          status: 404,
        });
      const auth = Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64');
      if (req.headers.authorization !== `Basic ${auth}`)
        return reply(401, { code: 20003, message: 'Authenticate', status: 401 });
      if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded'))
        return reply(400, { code: 20001, message: 'Expected a form', status: 400 });
      const form = new URLSearchParams(body);
      const to = form.get('To') ?? '';
      if (failNext > 0) {
        failNext--;
        return reply(503, { code: 20503, message: 'Service unavailable', status: 503 });
      }
      if (!form.get('From') && !form.get('MessagingServiceSid'))
        return reply(400, {
          code: 21603,
          message: "A 'From' phone number is required",
          status: 400,
        });
      if (!/^\+[1-9]\d{6,14}$/.test(to))
        return reply(400, {
          code: 21211,
          message: `The 'To' number ${to} is not valid`,
          status: 400,
        });
      if (unsubscribed.has(to))
        return reply(400, {
          code: 21610,
          message: 'Attempt to send to unsubscribed recipient',
          status: 400,
        });
      const sid = `SM${randomBytes(16).toString('hex')}`;
      sent.push({
        sid,
        to,
        from: form.get('From') ?? undefined,
        body: form.get('Body') ?? '',
        statusCallback: form.get('StatusCallback') ?? undefined,
      });
      return reply(201, {
        sid,
        account_sid: TWILIO_SID,
        to,
        from: form.get('From'),
        body: form.get('Body'),
        status: 'queued',
        num_segments: '1',
        direction: 'outbound-api',
        api_version: '2010-04-01',
        error_code: null,
      });
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  /** Posts a signed form to `url`, as Twilio posts callbacks; `token` forges with another key. */
  async function post(url: string, params: Record<string, string>, token = TWILIO_TOKEN) {
    return fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': twilioSignature(token, url, params),
        'User-Agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(params),
    });
  }

  /**
   * Posts a JSON body as Twilio signs one: the URL gains the body's `bodySHA256` and is signed
   * alone. `sent` replaces the body on the way (a tampered request).
   */
  async function postJson(url: string, body: string, sent = body, token = TWILIO_TOKEN) {
    const signed = `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${twilioBodyHash(body)}`;
    return fetch(signed, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Twilio-Signature': twilioSignature(token, signed, {}),
        'User-Agent': 'TwilioProxy/1.1',
      },
      body: sent,
    });
  }

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    postJson,
    sent,
    unsubscribed,
    failNextMessages(n: number) {
      failNext = n;
    },
    /** A delivery status callback for a sent text, to the StatusCallback it was given. */
    status(text: SentText, status: string, errorCode?: string, token?: string) {
      if (!text.statusCallback) throw new Error('the text had no StatusCallback');
      return post(
        text.statusCallback,
        {
          AccountSid: TWILIO_SID,
          From: text.from ?? '',
          MessageSid: text.sid,
          MessageStatus: status,
          SmsSid: text.sid,
          SmsStatus: status,
          To: text.to,
          ApiVersion: '2010-04-01',
          ...(errorCode ? { ErrorCode: errorCode } : {}),
        },
        token,
      );
    },
    /** A patient's reply to the clinic's number, to the inbound webhook URL. */
    reply(url: string, from: string, body: string, token?: string) {
      return post(
        url,
        {
          AccountSid: TWILIO_SID,
          ApiVersion: '2010-04-01',
          Body: body,
          From: from,
          MessageSid: `SM${randomBytes(16).toString('hex')}`,
          NumMedia: '0',
          NumSegments: '1',
          SmsMessageSid: `SM${randomBytes(16).toString('hex')}`,
          To: '+15005550006',
        },
        token,
      );
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
