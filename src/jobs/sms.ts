/**
 * A text message provider: sends texts and reads the provider's callbacks (delivery status,
 * replies). Twilio is the one implementation; another provider implements the same four parts.
 */
export interface SmsProvider {
  readonly name: string;
  /** Sends one text; resolves with the provider's id for it, or throws SmsRefused / any error. */
  send(message: { to: string; body: string; statusCallback?: string }): Promise<{
    providerId: string;
    delivery: SmsDelivery;
  }>;
  /** Whether a callback really comes from the provider (its request signature). */
  verifyCallback(request: {
    url: string;
    params: Record<string, string>;
    headers: Headers;
    /** The raw body when it was JSON rather than a form; `params` then holds its fields. */
    body?: string;
  }): boolean;
  /** A delivery status callback, read; undefined when the body is not one. */
  readStatus(
    params: Record<string, string>,
  ): { providerId: string; delivery: SmsDelivery | null; errorCode: string | null } | undefined;
  /** A reply from a patient, read; undefined when the body is not one. */
  readInbound(params: Record<string, string>): { from: string; body: string } | undefined;
  /** What the provider expects in answer to an inbound message (no reply of our own). */
  readonly inboundReply: { contentType: string; body: string };
}

export type SmsDelivery = 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed';

/**
 * The provider refused a text for good (a retry would fail the same way): an invalid number,
 * or a recipient who has opted out with the provider (`optedOut`).
 */
export class SmsRefused extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly optedOut: boolean,
  ) {
    super(message);
    this.name = 'SmsRefused';
  }
}
