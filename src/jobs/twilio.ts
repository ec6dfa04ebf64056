import { createHmac, timingSafeEqual } from 'node:crypto';
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
    verifyCallback({ url, params, headers }) {
      const given = Buffer.from(headers.get('x-twilio-signature') ?? '');
      const expected = Buffer.from(twilioSignature(settings.authToken, url, params));
      return given.length === expected.length && timingSafeEqual(given, expected);
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
