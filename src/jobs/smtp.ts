import nodemailer from 'nodemailer';

/** Sends plain-text e-mail over SMTP (smtp:// or smtps:// URL with any credentials in it). */
export function smtpSender(smtpUrl: string) {
  const transport = nodemailer.createTransport(smtpUrl);
  return async (message: { from: string; to: string; subject: string; text: string }) => {
    await transport.sendMail(message);
  };
}
