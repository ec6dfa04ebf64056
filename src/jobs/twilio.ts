import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type SmsDelivery, type SmsProvider, SmsRefused } from './sms.ts';

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  /** The sending number (E.164) or, instead, a Messaging Service SID (MG…). */
  from?: string;
  messagingServiceSid?: string;
  /** https://api.twilio.com in production; a local server in tests. */
  baseUrl: string;
}

/**
 * Twilio's request signature (X-Twilio-Signature, "Webhooks security" in Twilio's docs): the
 * full URL Twilio called, then each POST parameter's name and value sorted by name, with no
 * separators, HMAC-SHA1 under the Auth Token, base64.
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
): string {
  const text =
    url +
    Object.keys(params)
      .sort()
      .map((k) => `${k}${params[k]}`)
      .join('');
  return createHmac('sha1', authToken).update(text, 'utf8').digest('base64');
}

/**
 * The hex SHA-256 of a callback's raw body: for a JSON body Twilio signs the URL alone, with
 * this hash as its `bodySHA256` query parameter (Twilio error 57012, "Webhooks security").
 */
export function twilioBodyHash(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/**
 * The URL as Twilio may have signed it: as called, and with the scheme's standard port (443,
 * 80) taken out or put in. Twilio's own validators try both, since its signing is not
 * consistent about the port.
 */
export function signedUrlForms(url: string): string[] {
  const m = /^(https?):\/\/([^/?#]*?)(?::(\d+))?([/?#].*)?$/i.exec(url);
  if (!m) return [url];
  const [, scheme = '', host = '', port, rest = ''] = m;
  const standard = scheme.toLowerCase() === 'https' ? '443' : '80';
  if (port !== undefined && port !== standard) return [url];
  return [url, `${scheme}://${host}${rest}`, `${scheme}://${host}:${standard}${rest}`].filter(
    (u, i, all) => all.indexOf(u) === i,
  );
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// Twilio's error 21610: the recipient replied STOP, so Twilio will not send to them.
const UNSUBSCRIBED_RECIPIENT = '21610';
const DELIVERIES: readonly string[] = ['queued', 'sent', 'delivered', 'undelivered', 'failed'];

/** Texts over Twilio's Messages REST API (2010-04-01), with basic auth. */
export function twilioProvider(settings: TwilioSettings): SmsProvider {
  const endpoint = `${settings.baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
  return {
    name: 'twilio',
    async send({ to, body, statusCallback }) {
      const form = new URLSearchParams({ To: to, Body: body });
      if (settings.messagingServiceSid)
        form.set('MessagingServiceSid', settings.messagingServiceSid);
      else if (settings.from) form.set('From', settings.from);
      if (statusCallback) form.set('StatusCallback', statusCallback);
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          Authorization: auth,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: form,
        signal: AbortSignal.timeout(20_000),
      });
      const reply = (await response.json().catch(() => ({}))) as {
        sid?: string;
        status?: string;
        code?: number;
        message?: string;
      };
      if (response.ok && reply.sid) {
        const delivery = DELIVERIES.includes(reply.status ?? '')
          ? (reply.status as SmsDelivery)
          : 'queued';
        return { providerId: reply.sid, delivery };
      }
      const code = String(reply.code ?? response.status);
      // 4xx but 429 is Twilio refusing this message (bad number, opted out): retrying cannot help.
      if (response.status >= 400 && response.status < 500 && response.status !== 429)
        throw new SmsRefused(
          `Twilio refused the text (${code}): ${reply.message ?? response.statusText}`,
          code,
          code === UNSUBSCRIBED_RECIPIENT,
        );
      throw new Error(`Twilio answered ${response.status} (${code}); the text will be retried`);
    },
    verifyCallback({ url, params, headers, body }) {
      const given = headers.get('x-twilio-signature') ?? '';
      if (given === '') return false;
      if (body !== undefined) {
        // A JSON body: the URL is signed alone and carries the body's hash.
        let hash: string | null = null;
        try {
          hash = new URL(url).searchParams.get('bodySHA256');
        } catch {
          return false;
        }
        if (hash === null || !sameText(hash, twilioBodyHash(body))) return false;
      }
      const signed = body === undefined ? params : {};
      return signedUrlForms(url).some((u) =>
        sameText(given, twilioSignature(settings.authToken, u, signed)),
      );
    },
    readStatus(params) {
      const providerId = params.MessageSid ?? params.SmsSid;
      if (!providerId || !params.MessageStatus) return undefined;
      return {
        providerId,
        delivery: DELIVERIES.includes(params.MessageStatus)
          ? (params.MessageStatus as SmsDelivery)
          : null,
        errorCode: params.ErrorCode ? params.ErrorCode : null,
      };
    },
    readInbound(params) {
      if (!params.From || params.Body === undefined) return undefined;
      return { from: params.From, body: params.Body };
    },
    // Empty TwiML: Twilio itself answers STOP and START with the carriers' confirmations.
    inboundReply: {
      contentType: 'text/xml',
      body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>',
    },
  };
}
