import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigurationError } from '../../src/errors.ts';
import { Redactor } from '../../src/redactor.ts';
import type { RegistryCredentials } from '../../src/registry/registry-auth.ts';
import { createRegistryClient } from '../../src/registry/registry-client.ts';
import { recordingLogger } from '../fixtures/recording-logger.ts';
import { REGISTRY_PASSWORD, REGISTRY_USER, startRegistry, type TestRegistry } from '../fixtures/registry.ts';
import { freePort } from '../fixtures/test-service.ts';

function clientFor(registry: string, credentials?: RegistryCredentials) {
  const { logger, lines } = recordingLogger();
  const redactor = new Redactor(logger);
  if (credentials) redactor.add(credentials.password);
  const client = createRegistryClient({
    registry,
    logger,
    redactor,
    retryWaitMs: 20,
    ...(credentials ? { credentials } : {}),
  });
  return { client, lines };
}

const user = { username: REGISTRY_USER, password: REGISTRY_PASSWORD };

describe('the registry client against a real registry (distribution 2.8)', () => {
  const registries: TestRegistry[] = [];
  let anonymous: TestRegistry;
  let htpasswd: TestRegistry;
  let bearer: TestRegistry;
  before(async () => {
    [anonymous, htpasswd, bearer] = await Promise.all([
      startRegistry(),
      startRegistry({ auth: 'htpasswd' }),
      startRegistry({ auth: 'bearer' }),
    ]);
    registries.push(anonymous, htpasswd, bearer);
  });
  after(() => Promise.all(registries.map((registry) => registry.close())));

  it('resolves a tag to the digest of its exact bytes, for images and multi-arch indexes alike', async () => {
    const amd = await anonymous.admin.pushImage('shop', 'v1.0.0-amd64', { arch: 'amd64' });
    const arm = await anonymous.admin.pushImage('shop', 'v1.0.0-arm64', { arch: 'arm64', docker: true });
    const index = await anonymous.admin.pushIndex('shop', 'v1.0.0', [amd, arm]);
    const { client } = clientFor(anonymous.host);
    assert.deepEqual(await client.head('shop', 'v1.0.0-amd64'), {
      digest: amd.digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    assert.equal((await client.head('shop', 'v1.0.0-arm64'))?.digest, arm.digest);
    const head = await client.head('shop', 'v1.0.0');
    assert.deepEqual(head, { digest: index.digest, mediaType: 'application/vnd.oci.image.index.v1+json' });
    const manifest = await client.manifest('shop', index.digest);
    assert.ok(manifest.bytes.equals(index.bytes), 'the bytes as pushed');
    assert.deepEqual(manifest.children, [amd.digest, arm.digest]);
    assert.equal(await client.head('shop', 'v9.9.9'), undefined, 'no such tag');
    const list = await anonymous.admin.pushIndex('shop', 'v1.0.1', [arm, amd], { docker: true });
    assert.deepEqual(await client.head('shop', 'v1.0.1'), {
      digest: list.digest,
      mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
    });
    assert.deepEqual((await client.manifest('shop', 'v1.0.1')).children, [arm.digest, amd.digest]);
  });

  it('uses basic credentials when the registry asks, and names the input when it refuses them', async () => {
    const pushed = await htpasswd.admin.pushImage('shop', 'v2.0.0');
    assert.equal((await clientFor(htpasswd.host, user).client.head('shop', 'v2.0.0'))?.digest, pushed.digest);
    await assert.rejects(clientFor(htpasswd.host).client.head('shop', 'v2.0.0'), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError);
      assert.equal(error.input, 'registry-username');
      assert.match(error.problem, /asks for a username and password/);
      return true;
    });
    await assert.rejects(
      clientFor(htpasswd.host, { username: REGISTRY_USER, password: 'wrong' }).client.head('shop', 'v2.0.0'),
      (error: unknown) => error instanceof ConfigurationError && error.input === 'registry-password',
    );
    for (const request of htpasswd.requests) assert.ok(!request.includes(REGISTRY_PASSWORD));
  });

  it('meets a bearer challenge with a token for the scope each request needs, asked for once', async () => {
    await bearer.admin.pushImage('team/shop', 'v3.0.0');
    const pushed = await bearer.admin.pushImage('team/shop', 'v3.0.1');
    const { client } = clientFor(bearer.host, user);
    assert.equal((await client.head('team/shop', 'v3.0.1'))?.digest, pushed.digest);
    assert.deepEqual((await client.tags('team/shop')).sort(), ['v3.0.0', 'v3.0.1']);
    await client.putManifest('team/shop', 'staging', await client.manifest('team/shop', pushed.digest));
    // Each token asked for once per set of scopes: the request's own, and the one the challenge named.
    assert.deepEqual(bearer.scopes, [
      'repository:team/shop:pull',
      'repository:team/shop:pull,push',
      'repository:team/shop:push',
    ]);
    assert.equal((await bearer.admin.manifest('team/shop', 'staging'))?.digest, pushed.digest);
    await assert.rejects(
      clientFor(bearer.host, { username: REGISTRY_USER, password: 'wrong' }).client.head(
        'team/shop',
        'v3.0.1',
      ),
      (error: unknown) => error instanceof ConfigurationError && error.input === 'registry-password',
    );
    for (const request of bearer.requests) assert.ok(!request.includes(REGISTRY_PASSWORD));
  });

  it('waits out a 429 as asked and retries an outage; a damaged or HTML answer is refused', async () => {
    const pushed = await anonymous.admin.pushImage('faults', 'v1.0.0');
    const { client, lines } = clientFor(anonymous.host);
    anonymous.fault('HEAD /v2/faults/manifests/v1.0.0', '429');
    anonymous.fault('HEAD /v2/faults/manifests/v1.0.0', '503');
    anonymous.fault('HEAD /v2/faults/manifests/v1.0.0', 'reset');
    assert.equal((await client.head('faults', 'v1.0.0'))?.digest, pushed.digest);
    assert.ok(lines.some((line) => /rate limiting \(429\): waiting 1 s/.test(line)));
    assert.ok(lines.some((line) => /answered 503 .*retrying/.test(line)));

    anonymous.fault('GET /v2/faults/manifests/', 'truncate');
    await assert.rejects(client.manifest('faults', pushed.digest), /came back damaged .*nothing was changed/);
    anonymous.fault('GET /v2/faults/manifests/', 'html');
    await assert.rejects(
      client.manifest('faults', 'v1.0.0'),
      /not an image manifest: the answer is not JSON \(text\/html\)/,
    );
    await assert.rejects(
      client.manifest('faults', 'v7.0.0'),
      /faults:v7\.0\.0 does not exist \(MANIFEST_UNKNOWN\)/,
    );
    anonymous.fault('HEAD /v2/faults/manifests/v1.0.0', '503', 4);
    await assert.rejects(client.head('faults', 'v1.0.0'), /answered 503/);
  });

  it('never sends the password to a token realm on another host over plain HTTP', async () => {
    let asked = 0;
    const evil = http.createServer((_req, res) => {
      asked += 1;
      res.writeHead(401, {
        'www-authenticate': 'Bearer realm="http://auth.example.invalid/token",service="x"',
      });
      res.end();
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const { client } = clientFor(`127.0.0.1:${(evil.address() as AddressInfo).port}`, user);
      await assert.rejects(client.head('shop', 'v1.0.0'), /over plain HTTP: the credentials were not sent/);
      assert.ok(asked >= 1);
    } finally {
      evil.close();
    }
  });

  it('says a registry that is down could not be reached, after the retries', async () => {
    const { client, lines } = clientFor(`127.0.0.1:${await freePort()}`);
    await assert.rejects(client.head('shop', 'v1.0.0'), /could not be reached: ECONNREFUSED/);
    assert.equal(lines.filter((line) => /retrying/.test(line)).length, 3);
  });
});
