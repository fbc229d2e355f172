// A real OpenID Connect provider for the tests of EcoHub's OIDC login: npm's
// oidc-provider (a devDependency in web/package.json), on loopback, with one client.
//
//   node tests/oidc/provider.mjs --port 0 --redirect-uri URI [--client-id ecohub]
//                                [--secret S] [--claims FILE]
//
// Prints ONE line of JSON on stdout once it listens, {"issuer":"http://127.0.0.1:PORT"},
// and runs until killed. Port 0 takes a free port. Everything else it says goes to stderr.
//
// The client: `client_id` (default "ecohub"), the one redirect URI, the authorization
// code flow. Without --secret it is public (token_endpoint_auth_method none) and PKCE is
// required; with --secret it authenticates with client_secret_basic.
//
// Logging in goes through oidc-provider's development interactions, plain HTML forms
// that a test can also drive without a browser: the authorization request redirects to
// /interaction/UID, a login form that POSTs `prompt=login&login=NAME&password=ANY` there
// (any name is accepted; the account id is the name), then the same page as a consent
// form that POSTs `prompt=consent`; each POST redirects back to /auth/UID, which ends
// at the redirect URI with `code` and `state`.
//
// Claims of account NAME: sub = preferred_username = name = NAME, plus the object
// FILE[NAME] when --claims FILE (a JSON object: login -> extra claims, e.g.
// {"wang": {"ecohub_role": "staff", "ecohub_district": "110105"}}). They all belong to
// the `profile` scope and are put in the ID token as well as served by userinfo. FILE
// is read again at each login, so that a test may change someone's claims meanwhile;
// the claims' names are those FILE has at start.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'redirect-uri': { type: 'string' },
    'client-id': { type: 'string', default: 'ecohub' },
    secret: { type: 'string' },
    claims: { type: 'string' },
  },
});
if (!opts['redirect-uri']) {
  console.error('provider.mjs: --redirect-uri is required');
  process.exit(2);
}
const readClaims = () => (opts.claims ? JSON.parse(fs.readFileSync(opts.claims, 'utf8')) : {});

// oidc-provider prints its notices with console.info; stdout carries only the JSON line.
console.info = console.error;

// oidc-provider lives in web/node_modules (this file is outside web/), and is ESM only:
// resolve its path from web/ and import that.
let Provider;
try {
  const entry = createRequire(path.join(REPO, 'web/package.json')).resolve('oidc-provider');
  ({ Provider } = await import(pathToFileURL(entry).href));
} catch (e) {
  console.error(`oidc-provider is not installed in web/node_modules: run scripts/setup.sh (${e.message})`);
  process.exit(3);
}

// The issuer names the port, so listen first and hand the requests over afterwards.
let handler = (_req, res) => res.writeHead(503).end();
const server = http.createServer((req, res) => handler(req, res));
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(opts.port), '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

// Every claim a login may carry, declared under `profile` so that the scope releases it.
const claimNames = new Set(['preferred_username', 'name']);
for (const claims of Object.values(readClaims())) {
  for (const name of Object.keys(claims)) claimNames.add(name);
}

const publicClient = opts.secret === undefined;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const provider = new Provider(issuer, {
  clients: [{
    client_id: opts['client-id'],
    ...(publicClient ? { token_endpoint_auth_method: 'none' }
      : { client_secret: opts.secret, token_endpoint_auth_method: 'client_secret_basic' }),
    redirect_uris: [opts['redirect-uri']],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
  claims: { openid: ['sub'], profile: [...claimNames] },
  conformIdTokenClaims: false,
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, name: id, ...(readClaims()[id] || {}) };
      },
    };
  },
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), use: 'sig', kid: 'test-rs256' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: { devInteractions: { enabled: true } },
  ttl: {
    AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600,
    Grant: 3600,
  },
});
handler = provider.callback();

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
