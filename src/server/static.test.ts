import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { chosenEncoding, pageFor, serveWebApp } from './static.ts';

describe('which HTML page answers a path', () => {
  it('gives patients their own small pages and everything else the clinic app', () => {
    expect(pageFor('/s/abc_DEF-123')).toBe('survey.html');
    expect(pageFor('/unsubscribe/abc.def')).toBe('unsubscribe.html');
    expect(pageFor('/evidence')).toBe('evidence.html');
    expect(pageFor('/')).toBe('index.html');
    expect(pageFor('/outcomes')).toBe('index.html');
    expect(pageFor('/s/abc/extra')).toBe('index.html');
  });
});

describe('content coding', () => {
  it('prefers brotli, then gzip, and honours q=0', () => {
    expect(chosenEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chosenEncoding('gzip')).toBe('gzip');
    expect(chosenEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(chosenEncoding('identity')).toBeNull();
    expect(chosenEncoding(undefined)).toBeNull();
  });
});

describe('serving the built app', () => {
  const root = mkdtempSync(join(tmpdir(), 'stemtrack-static-'));
  mkdirSync(join(root, 'assets'));
  const js = 'export const a = 1;'.repeat(50);
  writeFileSync(join(root, 'assets', 'survey-abc.js'), js);
  writeFileSync(join(root, 'assets', 'survey-abc.js.gz'), gzipSync(js));
  writeFileSync(join(root, 'assets', 'survey-abc.js.br'), 'brotli bytes');
  writeFileSync(join(root, 'index.html'), '<p>clinic</p>');
  writeFileSync(join(root, 'survey.html'), '<p>survey</p>');
  const app = new Hono();
  app.get('*', serveWebApp(root));

  it('sends the compressed copy the browser takes, cached for a year, varying by coding', async () => {
    const br = await app.request('/assets/survey-abc.js', {
      headers: { 'Accept-Encoding': 'gzip, br' },
    });
    expect(br.headers.get('Content-Encoding')).toBe('br');
    expect(await br.text()).toBe('brotli bytes');
    expect(br.headers.get('Vary')).toBe('Accept-Encoding');
    expect(br.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    const gz = await app.request('/assets/survey-abc.js', {
      headers: { 'Accept-Encoding': 'gzip' },
    });
    expect(gz.headers.get('Content-Encoding')).toBe('gzip');
    const plain = await app.request('/assets/survey-abc.js');
    expect(plain.headers.get('Content-Encoding')).toBeNull();
    expect(await plain.text()).toBe(js);
  });

  it('answers a survey link with the survey page, never cached', async () => {
    const page = await app.request('/s/token123');
    expect(await page.text()).toBe('<p>survey</p>');
    expect(page.headers.get('Cache-Control')).toBe('no-cache');
    expect(await (await app.request('/patients/new')).text()).toBe('<p>clinic</p>');
  });

  it('answers a broken %-escape with 400, not a server error', async () => {
    expect((await app.request('/%E0%A4%A')).status).toBe(400);
  });
});
