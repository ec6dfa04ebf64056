import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountEmailHandler } from '../app/access/account-mail.ts';
import { totpAt } from '../app/access/two-factor-codes.ts';
import type { MailSettings } from '../app/follow-up/mail.ts';
import type { Db } from '../store/db.ts';
import type { Job } from '../store/jobs.repo.ts';
import { backends } from '../testing/databases.ts';
import { Client, PASSWORD, seedTwoSites, testApp } from '../testing/http.ts';
import { createHttpApp } from './app.ts';

/** A clock the test moves by seconds, to step through sign-in delays and TOTP periods. */
function movableClock(start = '2026-03-02T10:00:00Z') {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advanceDays(days: number) {
      now += days * 86_400_000;
    },
    advanceSeconds(seconds: number) {
      now += seconds * 1000;
    },
  };
}

describe.each(backends())('people and access on $name', (backend) => {
  let db: Db;
  let harness: ReturnType<typeof testApp>;
  let clock: ReturnType<typeof movableClock>;
  let admin: Client;
  let clinician: Client;
  let north: Client;
  const sent: { to: string; subject: string; text: string }[] = [];
  const mail: MailSettings = {
    key: Buffer.alloc(32, 7),
    from: 'registry@stemtrack.test',
    send: async (m) => {
      sent.push(m);
    },
    reminders: 0,
    reminderEveryDays: 7,
  };

  const client = (address = '192.0.2.10') => {
    const c = new Client(harness.app);
    c.address = address;
    return c;
  };
  const signIn = (c: Client, email: string, password = PASSWORD) =>
    c.call('POST', '/api/auth/login', { email, password });

  /** Runs the queued account e-mails as the job runner would. */
  async function deliverAccountEmails() {
    const jobs = await db.query<{ id: number; payload: Record<string, unknown> }>(
      `select id::int as id, payload from jobs where kind = 'account-email' and status = 'pending'`,
    );
    for (const job of jobs) {
      await accountEmailHandler(harness.ctx, mail)({ payload: job.payload } as Job);
      await db.query(`update jobs set status = 'done' where id = $1`, [job.id]);
    }
  }
  const linkToken = (text: string) => {
    const token = /\/set-password#([A-Za-z0-9_-]{43})/.exec(text)?.[1];
    if (!token) throw new Error(`no set-password link in ${text}`);
    return token;
  };

  beforeAll(async () => {
    db = await backend.open();
    await seedTwoSites(db, { admin: true });
    clock = movableClock();
    harness = testApp(db, clock);
    admin = client('192.0.2.1');
    await admin.signIn('admin@harbour.test');
    clinician = client('192.0.2.2');
    await clinician.signIn('clin@harbour.test');
    north = client('198.51.100.1');
    await north.signIn('clin@north.test');
  });
  afterAll(async () => {
    await db.close();
  });

  describe('sign-in throttling (issue 18)', () => {
    it('slows guesses progressively with 429 and Retry-After, and refuses even the right password meanwhile', async () => {
      const guesser = client('203.0.113.5');
      for (let i = 0; i < 3; i++)
        expect((await signIn(guesser, 'research@harbour.test', `guess-${i}`)).status).toBe(401);
      // Spaces and capitals name the same account: no fresh guesses for " Research@…".
      const slowed = await signIn(guesser, '  Research@Harbour.TEST', 'guess-3');
      expect(slowed.status).toBe(401);
      const refused = await signIn(guesser, 'research@harbour.test', PASSWORD);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('rate-limited');
      const wait = Number(refused.headers.get('retry-after'));
      expect(wait).toBeGreaterThanOrEqual(1);
      clock.advanceSeconds(wait);
      expect((await signIn(guesser, 'research@harbour.test', 'guess-4')).status).toBe(401);
      const next = await signIn(guesser, ' RESEARCH@harbour.test', PASSWORD);
      expect(next.status).toBe(429);
      // Doubled: each recent failure doubles the wait.
      expect(Number(next.headers.get('retry-after'))).toBe(wait * 2);
      clock.advanceSeconds(wait * 2);
      expect((await signIn(guesser, 'research@harbour.test', PASSWORD)).status).toBe(200);
      // A success from this address clears this address's count for the account.
      const [pair] = await db.query<{ n: number }>(
        `select count(*)::int as n from sign_in_throttle where key like 'pair:research@harbour.test|203.0.113.5'`,
      );
      expect(pair?.n).toBe(0);
      clock.advanceSeconds(3600);
    });

    it("keeps the real user from another address to a bounded delay, whatever an attacker's failures", async () => {
      const attacker = client('203.0.113.66');
      for (let i = 0; i < 60; i++) {
        const reply = await signIn(attacker, 'clin@north.test', `guess-${i}`);
        if (reply.status === 429) clock.advanceSeconds(Number(reply.headers.get('retry-after')));
        else expect(reply.status).toBe(401);
      }
      const realUser = client('198.51.100.9');
      const first = await signIn(realUser, 'clin@north.test', PASSWORD);
      if (first.status === 429) {
        const wait = Number(first.headers.get('retry-after'));
        expect(wait).toBeLessThanOrEqual(60);
        clock.advanceSeconds(wait);
        expect((await signIn(realUser, 'clin@north.test', PASSWORD)).status).toBe(200);
      } else {
        expect(first.status).toBe(200);
      }
      // The attacker's own address is slowed far more than the account as a whole.
      const again = await signIn(attacker, 'clin@north.test', 'one-more');
      expect(again.status).toBe(429);
      expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(60);
      clock.advanceSeconds(86_400);
    });

    it('does not lock a whole clinic out behind one address when one account is guessed at', async () => {
      const nat = '192.0.2.200';
      const guesser = client(nat);
      for (let i = 0; i < 120; i++) {
        const reply = await signIn(guesser, 'nobody@harbour.test', `guess-${i}`);
        if (reply.status === 429) clock.advanceSeconds(Number(reply.headers.get('retry-after')));
      }
      // Colleagues behind the same address sign in at once.
      expect((await signIn(client(nat), 'clin@harbour.test')).status).toBe(200);
      expect((await signIn(client(nat), 'admin@harbour.test')).status).toBe(200);
      clock.advanceSeconds(86_400);
    });

    it('holds across processes: the count is in the database, not in one server', async () => {
      const other = createHttpApp(harness.ctx, { tls: false });
      const first = client('203.0.113.77');
      const second = new Client(other);
      second.address = '203.0.113.77';
      for (let i = 0; i < 2; i++)
        expect((await signIn(first, 'research@harbour.test', `x-${i}`)).status).toBe(401);
      expect((await signIn(second, 'research@harbour.test', 'x-2')).status).toBe(401);
      expect((await signIn(second, 'research@harbour.test', 'x-3')).status).toBe(401);
      expect((await signIn(first, 'research@harbour.test', PASSWORD)).status).toBe(429);
      clock.advanceSeconds(86_400);
    });
  });

  describe('users, invitations and roles', () => {
    // The throttling tests moved the clock past the sessions' 12 hours.
    beforeAll(async () => {
      for (const [c, email] of [
        [admin, 'admin@harbour.test'],
        [clinician, 'clin@harbour.test'],
        [north, 'clin@north.test'],
      ] as const)
        expect((await c.signIn(email)).status).toBe(200);
    });

    it('invites with a link shown to the admin when e-mail is off; the link works once', async () => {
      const invited = await admin.call('POST', '/api/users/invitations', {
        email: ' New.Nurse@Harbour.test ',
        name: 'New Nurse',
        role: 'clinician',
      });
      expect(invited.status).toBe(201);
      expect(invited.body.mailed).toBe(false);
      expect(invited.body.message).toMatch(/E-mail is off/);
      expect(invited.body.user).toMatchObject({
        email: 'new.nurse@harbour.test',
        status: 'invited',
      });
      const token = linkToken(invited.body.link);
      // Only the digest is stored.
      const stored = await db.query<{ token_digest: string }>(
        'select token_digest from account_tokens',
      );
      expect(JSON.stringify(stored)).not.toContain(token);
      // Not yet able to sign in.
      expect((await signIn(client(), 'new.nurse@harbour.test', 'anything-at-all')).status).toBe(
        401,
      );
      const weak = await client().call('POST', '/api/auth/set-password', {
        token,
        password: 'password1',
      });
      expect(weak.status).toBe(400);
      expect(weak.body.error.fields[0].field).toBe('password');
      const short = await client().call('POST', '/api/auth/set-password', {
        token,
        password: 'abc',
      });
      expect(short.body.error.fields[0].field).toBe('password');
      // NIST SP 800-63B: at least 64 characters allowed, no composition rules.
      const long = 'the quiet harbour clinic keeps its registry safe all year round ok';
      expect(long.length).toBeGreaterThan(64);
      const set = await client().call('POST', '/api/auth/set-password', { token, password: long });
      expect(set.status).toBe(200);
      const again = await client().call('POST', '/api/auth/set-password', {
        token,
        password: long,
      });
      expect(again.status).toBe(410);
      expect((await signIn(client(), 'new.nurse@harbour.test', long)).status).toBe(200);
      const list = await admin.call('GET', '/api/users');
      const nurse = list.body.users.find(
        (u: { email: string }) => u.email === 'new.nurse@harbour.test',
      );
      expect(nurse.status).toBe('active');
      expect(nurse.lastSignInAt).toBeTruthy();
      // Another site's users are not listed.
      expect(JSON.stringify(list.body)).not.toContain('north.test');
    });

    it('sends the invitation by e-mail when mail is on, and the admin sees no link', async () => {
      harness.ctx.mail = mail;
      try {
        const invited = await admin.call('POST', '/api/users/invitations', {
          email: 'mailed@harbour.test',
          name: 'Mailed Person',
          role: 'researcher',
        });
        expect(invited.status).toBe(201);
        expect(invited.body.mailed).toBe(true);
        expect(invited.body.link).toBeUndefined();
        await deliverAccountEmails();
        const message = sent.find((m) => m.to === 'mailed@harbour.test');
        expect(message?.text).toContain('http://stemtrack.test/set-password#');
        const token = linkToken(message?.text ?? '');
        const set = await client().call('POST', '/api/auth/set-password', {
          token,
          password: 'a long enough passphrase',
        });
        expect(set.status).toBe(200);
      } finally {
        delete harness.ctx.mail;
      }
    });

    it('refuses an expired invitation', async () => {
      const invited = await admin.call('POST', '/api/users/invitations', {
        email: 'late@harbour.test',
        name: 'Late',
        role: 'researcher',
      });
      clock.advanceSeconds(73 * 3600);
      expect((await admin.signIn('admin@harbour.test')).status).toBe(200);
      expect((await clinician.signIn('clin@harbour.test')).status).toBe(200);
      expect((await north.signIn('clin@north.test')).status).toBe(200);
      const set = await client().call('POST', '/api/auth/set-password', {
        token: linkToken(invited.body.link),
        password: 'a long enough passphrase',
      });
      expect(set.status).toBe(410);
      // A fresh link can be issued by the admin.
      const fresh = await admin.call('POST', `/api/users/${invited.body.user.id}/sign-in-link`, {});
      expect(fresh.status).toBe(200);
      expect(fresh.body.link).toContain('/set-password#');
    });

    it('changes a role and deactivates a user, ending every session of theirs at once', async () => {
      const target = client('192.0.2.50');
      await admin
        .call('POST', '/api/users/invitations', {
          email: 'temp@harbour.test',
          name: 'Temp',
          role: 'researcher',
        })
        .then(async (r) => {
          await client().call('POST', '/api/auth/set-password', {
            token: linkToken(r.body.link),
            password: 'temporary passphrase',
          });
        });
      expect((await target.signIn('temp@harbour.test', 'temporary passphrase')).status).toBe(200);
      const second = client('192.0.2.51');
      await second.signIn('temp@harbour.test', 'temporary passphrase');
      const users = (await admin.call('GET', '/api/users')).body.users;
      const temp = users.find((u: { email: string }) => u.email === 'temp@harbour.test');
      const bad = await admin.call('PUT', `/api/users/${temp.id}/role`, { role: 'owner' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.fields[0].field).toBe('role');
      const promoted = await admin.call('PUT', `/api/users/${temp.id}/role`, { role: 'clinician' });
      expect(promoted.body.role).toBe('clinician');
      expect((await target.call('GET', '/api/auth/me')).body.user.role).toBe('clinician');
      // Only admins, and only at their own site.
      expect((await clinician.call('GET', '/api/users')).status).toBe(403);
      expect((await north.call('POST', `/api/users/${temp.id}/deactivate`, {})).status).toBe(403);
      const off = await admin.call('POST', `/api/users/${temp.id}/deactivate`, {});
      expect(off.body.status).toBe('deactivated');
      expect((await target.call('GET', '/api/auth/me')).status).toBe(401);
      expect((await second.call('GET', '/api/patients')).status).toBe(401);
      expect(
        (await signIn(client('192.0.2.52'), 'temp@harbour.test', 'temporary passphrase')).status,
      ).toBe(401);
      // An admin cannot lock themselves out.
      const me = (await admin.call('GET', '/api/auth/me')).body.user.id;
      expect((await admin.call('POST', `/api/users/${me}/deactivate`, {})).status).toBe(403);
      expect(
        (await admin.call('PUT', `/api/users/${me}/role`, { role: 'researcher' })).status,
      ).toBe(403);
    });
  });

  describe('passwords', () => {
    beforeAll(async () => {
      expect((await admin.signIn('admin@harbour.test')).status).toBe(200);
      expect((await clinician.signIn('clin@harbour.test')).status).toBe(200);
    });

    it('answers a reset request the same whether or not the address exists, and the link ends other sessions', async () => {
      harness.ctx.mail = mail;
      try {
        const elsewhere = client('192.0.2.60');
        await elsewhere.signIn('clin@harbour.test');
        const known = await client().call('POST', '/api/auth/password-reset', {
          email: 'clin@harbour.test',
        });
        const unknown = await client().call('POST', '/api/auth/password-reset', {
          email: 'ghost@harbour.test',
        });
        expect(known.status).toBe(200);
        expect(unknown.status).toBe(200);
        expect(unknown.body.message.replace('ghost', 'clin')).toBe(known.body.message);
        await deliverAccountEmails();
        expect(sent.some((m) => m.to === 'ghost@harbour.test')).toBe(false);
        const message = sent.filter((m) => m.to === 'clin@harbour.test').at(-1);
        const token = linkToken(message?.text ?? '');
        const set = await client().call('POST', '/api/auth/set-password', {
          token,
          password: 'a brand new passphrase',
        });
        expect(set.status).toBe(200);
        expect((await elsewhere.call('GET', '/api/patients')).status).toBe(401);
        expect((await clinician.call('GET', '/api/patients')).status).toBe(401);
        expect(
          (
            await client().call('POST', '/api/auth/set-password', {
              token,
              password: 'another passphrase',
            })
          ).status,
        ).toBe(410);
        expect((await clinician.signIn('clin@harbour.test', 'a brand new passphrase')).status).toBe(
          200,
        );
        // Bad input names the field.
        const bad = await client().call('POST', '/api/auth/password-reset', {
          email: 'not an address',
        });
        expect(bad.status).toBe(400);
        expect(bad.body.error.fields[0].field).toBe('email');
      } finally {
        delete harness.ctx.mail;
      }
    });

    it('throttles reset requests from one address', async () => {
      const spammer = client('203.0.113.99');
      let status = 200;
      for (let i = 0; i < 30 && status === 200; i++)
        status = (await spammer.call('POST', '/api/auth/password-reset', { email: `x${i}@y.test` }))
          .status;
      expect(status).toBe(429);
      clock.advanceSeconds(86_400);
    });

    it('changes the password only with the current one, and ends the other sessions', async () => {
      const other = client('192.0.2.70');
      await other.signIn('research@harbour.test');
      const me = client('192.0.2.71');
      await me.signIn('research@harbour.test');
      const wrong = await me.call('POST', '/api/auth/password', {
        currentPassword: 'not it',
        newPassword: 'a different passphrase',
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.fields[0].field).toBe('currentPassword');
      const common = await me.call('POST', '/api/auth/password', {
        currentPassword: PASSWORD,
        newPassword: 'Password123',
      });
      expect(common.body.error.fields[0].field).toBe('newPassword');
      const ok = await me.call('POST', '/api/auth/password', {
        currentPassword: PASSWORD,
        newPassword: 'a different passphrase',
      });
      expect(ok.status).toBe(200);
      expect(ok.body.endedSessions).toBeGreaterThanOrEqual(1);
      expect((await me.call('GET', '/api/auth/me')).status).toBe(200);
      expect((await other.call('GET', '/api/auth/me')).status).toBe(401);
    });
  });

  describe('two-factor sign-in and sessions', () => {
    let clinicianTwoFactor = { secret: '', codes: [] as string[] };
    it('enrols with a TOTP app, signs in with a code once, and with each recovery code once', async () => {
      const phone = client('192.0.2.80');
      expect((await phone.signIn('admin@harbour.test')).status).toBe(200);
      const setup = await phone.call('POST', '/api/auth/two-factor/setup', {});
      expect(setup.body.secret).toMatch(/^[A-Z2-7]+$/);
      expect(setup.body.uri).toMatch(/^otpauth:\/\/totp\//);
      expect(setup.body.qrSvg).toContain('<svg');
      const wrong = await phone.call('POST', '/api/auth/two-factor/confirm', { code: '12345' });
      expect(wrong.body.error.fields[0].field).toBe('code');
      const confirmed = await phone.call('POST', '/api/auth/two-factor/confirm', {
        code: totpAt(setup.body.secret, clock.now()),
      });
      expect(confirmed.status).toBe(200);
      const codes: string[] = confirmed.body.recoveryCodes;
      expect(codes).toHaveLength(10);
      const stored = await db.query('select code_digest from recovery_codes');
      expect(JSON.stringify(stored)).not.toContain(codes[0]);

      clock.advanceSeconds(30);
      const laptop = client('192.0.2.81');
      const step1 = await signIn(laptop, 'admin@harbour.test');
      expect(step1.body.secondFactor).toBe(true);
      expect((await laptop.call('GET', '/api/auth/me')).status).toBe(401);
      const code = totpAt(setup.body.secret, clock.now());
      const step2 = await laptop.call('POST', '/api/auth/login/second-factor', {
        challenge: step1.body.challenge,
        code,
      });
      expect(step2.status).toBe(200);
      laptop.csrf = step2.body.csrfToken;
      expect((await laptop.call('GET', '/api/auth/me')).status).toBe(200);
      // The same code again is a replay.
      const tablet = client('192.0.2.82');
      const again = await signIn(tablet, 'admin@harbour.test');
      const replay = await tablet.call('POST', '/api/auth/login/second-factor', {
        challenge: again.body.challenge,
        code,
      });
      expect(replay.status).toBe(401);
      const recovery = await tablet.call('POST', '/api/auth/login/second-factor', {
        challenge: again.body.challenge,
        code: (codes[0] ?? '').toUpperCase(),
      });
      expect(recovery.status).toBe(200);
      const third = client('192.0.2.83');
      const step = await signIn(third, 'admin@harbour.test');
      expect(
        (
          await third.call('POST', '/api/auth/login/second-factor', {
            challenge: step.body.challenge,
            code: codes[0],
          })
        ).status,
      ).toBe(401);
      const status = await laptop.call('GET', '/api/auth/two-factor');
      expect(status.body).toMatchObject({ enabled: true, recoveryCodesLeft: 9 });

      // Sessions list, and sign out everywhere else.
      const sessions = await laptop.call('GET', '/api/auth/sessions');
      expect(sessions.body.sessions.length).toBeGreaterThanOrEqual(3);
      expect(sessions.body.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
      expect(JSON.stringify(sessions.body)).not.toMatch(/[0-9a-f]{64}/);
      const ended = await laptop.call('POST', '/api/auth/sessions/end-others', {});
      expect(ended.body.ended).toBeGreaterThanOrEqual(2);
      expect((await phone.call('GET', '/api/auth/me')).status).toBe(401);
      expect((await tablet.call('GET', '/api/auth/me')).status).toBe(401);
      expect((await laptop.call('GET', '/api/auth/me')).status).toBe(200);
      admin = laptop;
    });

    it('leads admins and clinicians to enrol at next sign-in when the site requires it', async () => {
      const bad = await admin.call('PUT', '/api/access-settings', { requireTwoFactor: 'yes' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.fields[0].field).toBe('requireTwoFactor');
      const researcherNow = client('192.0.2.92');
      await researcherNow.signIn('research@harbour.test', 'a different passphrase');
      expect(
        (await researcherNow.call('PUT', '/api/access-settings', { requireTwoFactor: true }))
          .status,
      ).toBe(403);
      const on = await admin.call('PUT', '/api/access-settings', { requireTwoFactor: true });
      expect(on.body.requireTwoFactor).toBe(true);
      const c = client('192.0.2.90');
      const signedIn = await c.signIn('clin@harbour.test', 'a brand new passphrase');
      expect(signedIn.body.mustEnrolTwoFactor).toBe(true);
      const blocked = await c.call('GET', '/api/patients');
      expect(blocked.status).toBe(403);
      expect(blocked.body.error.message).toMatch(/two-factor/);
      const setup = await c.call('POST', '/api/auth/two-factor/setup', {});
      const confirmed = await c.call('POST', '/api/auth/two-factor/confirm', {
        code: totpAt(setup.body.secret, clock.now()),
      });
      clinicianTwoFactor = { secret: setup.body.secret, codes: confirmed.body.recoveryCodes };
      expect((await c.call('GET', '/api/patients')).status).toBe(200);
      // Researchers are not asked.
      const r = client('192.0.2.91');
      const researcher = await r.signIn('research@harbour.test', 'a different passphrase');
      expect(researcher.body.mustEnrolTwoFactor).toBe(false);
      // The other site is unaffected.
      const n = client('198.51.100.2');
      expect((await n.signIn('clin@north.test')).body.mustEnrolTwoFactor).toBe(false);
      await admin.call('PUT', '/api/access-settings', { requireTwoFactor: false });
    });

    it('regenerates recovery codes (the old ones stop working) and turns two-factor off', async () => {
      const { secret, codes: oldCodes } = clinicianTwoFactor;
      const email = 'clin@harbour.test';
      const password = 'a brand new passphrase';
      /** Signs in with the password and then `code`; returns the second step's reply. */
      const twoStep = async (c: Client, code: string) => {
        const first = await signIn(c, email, password);
        expect(first.body.secondFactor).toBe(true);
        const second = await c.call('POST', '/api/auth/login/second-factor', {
          challenge: first.body.challenge,
          code,
        });
        if (second.status === 200) c.csrf = second.body.csrfToken;
        return second;
      };
      const c = client('192.0.2.100');
      clock.advanceSeconds(30);
      expect((await twoStep(c, totpAt(secret, clock.now()))).status).toBe(200);

      // New recovery codes need a fresh code from the app.
      const missing = await c.call('POST', '/api/auth/two-factor/recovery-codes', {});
      expect(missing.status).toBe(400);
      expect(missing.body.error.fields[0].field).toBe('code');
      const replayed = await c.call('POST', '/api/auth/two-factor/recovery-codes', {
        code: totpAt(secret, clock.now()),
      });
      expect(replayed.status).toBe(400);
      expect(replayed.body.error.fields[0].field).toBe('code');
      clock.advanceSeconds(30);
      const fresh = await c.call('POST', '/api/auth/two-factor/recovery-codes', {
        code: totpAt(secret, clock.now()),
      });
      expect(fresh.status).toBe(200);
      const newCodes: string[] = fresh.body.recoveryCodes;
      expect(newCodes).toHaveLength(10);
      expect(newCodes.some((code) => oldCodes.includes(code))).toBe(false);
      expect((await c.call('GET', '/api/auth/two-factor')).body.recoveryCodesLeft).toBe(10);
      expect((await twoStep(client('192.0.2.101'), oldCodes[1] ?? '')).status).toBe(401);
      expect((await twoStep(client('192.0.2.102'), newCodes[0] ?? '')).status).toBe(200);

      // Refused while the clinic requires two-factor sign-in for clinicians.
      await admin.call('PUT', '/api/access-settings', { requireTwoFactor: true });
      clock.advanceSeconds(30);
      const required = await c.call('POST', '/api/auth/two-factor/disable', {
        currentPassword: password,
        code: totpAt(secret, clock.now()),
      });
      expect(required.status).toBe(403);
      expect(required.body.error.message).toMatch(/requires two-factor/);
      await admin.call('PUT', '/api/access-settings', { requireTwoFactor: false });

      const wrongPassword = await c.call('POST', '/api/auth/two-factor/disable', {
        currentPassword: 'not my password',
        code: totpAt(secret, clock.now()),
      });
      expect(wrongPassword.status).toBe(400);
      expect(wrongPassword.body.error.fields[0].field).toBe('currentPassword');
      const wrongCode = await c.call('POST', '/api/auth/two-factor/disable', {
        currentPassword: password,
        code: '000000',
      });
      expect(wrongCode.status).toBe(400);
      expect(wrongCode.body.error.fields[0].field).toBe('code');
      expect((await c.call('GET', '/api/auth/two-factor')).body.enabled).toBe(true);
      const off = await c.call('POST', '/api/auth/two-factor/disable', {
        currentPassword: password,
        code: totpAt(secret, clock.now()),
      });
      expect(off.status).toBe(200);
      expect((await c.call('GET', '/api/auth/two-factor')).body).toMatchObject({
        enabled: false,
        recoveryCodesLeft: 0,
      });
      const again = await c.call('POST', '/api/auth/two-factor/disable', {
        currentPassword: password,
        code: newCodes[1],
      });
      expect(again.status).toBe(409);
      // The password alone signs in now.
      const plain = await signIn(client('192.0.2.103'), email, password);
      expect(plain.status).toBe(200);
      expect(plain.body.secondFactor).toBeUndefined();
      const actions = await db.query<{ action: string }>(
        `select action from audit_log where action in ('regenerate-recovery-codes', 'disable-two-factor')
         order by id`,
      );
      expect(actions.map((a) => a.action)).toEqual([
        'regenerate-recovery-codes',
        'disable-two-factor',
      ]);
      // Without two-factor sign-in there are no recovery codes to renew.
      const none = await c.call('POST', '/api/auth/two-factor/recovery-codes', {
        code: '123456',
      });
      expect(none.status).toBe(409);
    });
  });
});
