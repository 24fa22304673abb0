import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../../src/errors.ts';
import { parseImageReference, reportsRelease } from '../../src/model/image.ts';
import { parseDeploySettings, parseRollbackSettings } from '../../src/settings/deploy.ts';
import { parsePipelineSettings } from '../../src/settings/pipeline.ts';
import { parsePromoteImageSettings, parseRetentionSettings } from '../../src/settings/registry.ts';

const noFile = () => {
  throw new Error('no file');
};
const deploy = (inputs: Record<string, string>) =>
  parseDeploySettings({ environment: 'production', command: 'true', ...inputs }, noFile);
const problem = (parse: () => unknown) => {
  try {
    parse();
  } catch (error) {
    if (error instanceof ConfigurationError) return `${error.input}: ${error.problem}`;
    throw error;
  }
  return 'accepted';
};
const DIGEST = `sha256:${'c'.repeat(64)}`;

describe('image references as Docker reads them', () => {
  const rows: [string, string][] = [
    ['registry.example.com/shop:v1.4.2', 'registry.example.com shop v1.4.2 -'],
    ['127.0.0.1:5000/team/shop:v1', '127.0.0.1:5000 team/shop v1 -'],
    ['localhost/shop:v1', 'localhost shop v1 -'],
    ['shop:v1', 'docker.io library/shop v1 -'],
    ['acme/shop:v1', 'docker.io acme/shop v1 -'],
    [`ghcr.io/acme/shop@${DIGEST}`, `ghcr.io acme/shop - ${DIGEST}`],
    [`ghcr.io/acme/shop:v1@${DIGEST}`, `ghcr.io acme/shop v1 ${DIGEST}`],
  ];
  for (const [text, expected] of rows)
    it(text, () => {
      const image = parseImageReference(text);
      assert.ok(!('problem' in image));
      assert.equal(
        `${image.registry} ${image.repository} ${image.tag ?? '-'} ${image.digest ?? '-'}`,
        expected,
      );
    });
  for (const bad of ['Shop:v1', 'shop:', 'shop@sha256:abc', 'a//b:v1', 'shop:v1;rm', '../shop:v1', ''])
    it(`refuses ${JSON.stringify(bad)}`, () => assert.ok('problem' in parseImageReference(bad)));

  it('a service may report the digest alone, or another name of it; never a tag', () => {
    const version = `r.example/shop@${DIGEST}`;
    assert.ok(reportsRelease(DIGEST, version));
    assert.ok(reportsRelease(`mirror.example/shop@${DIGEST}`, version));
    assert.ok(!reportsRelease('r.example/shop:v1', version));
    assert.ok(!reportsRelease(`sha256:${'d'.repeat(64)}`, version));
  });
});

describe('deploy inputs for images and the container drivers', () => {
  const rows: [string, Record<string, string>, RegExp][] = [
    ['a pointer tag', { image: 'r.example/shop:latest' }, /^image: "latest" is a moving name/],
    ['an environment tag', { image: 'r.example/shop:prod' }, /^image: "prod" has no version number/],
    ['no tag or digest', { image: 'r.example/shop' }, /^image: .* names no tag or digest/],
    [
      'image and version',
      { image: 'r.example/shop:v1', version: 'v1' },
      /^version: leave it empty with image/,
    ],
    ['neither', {}, /^version: is required \(or give image\)/],
    [
      'a user without password',
      { image: 'r.example/shop:v1', 'registry-username': 'u' },
      /^registry-password: is required/,
    ],
    [
      'docker without an image',
      { driver: 'docker', version: 'v1' },
      /^image: is required with driver: docker/,
    ],
    [
      'docker slots without container-port',
      {
        driver: 'docker',
        image: 'r.example/shop:v1',
        strategy: 'blue-green',
        slots: '{ blue: "127.0.0.1:1", green: "127.0.0.1:2" }',
        'haproxy-socket': '/s',
        'haproxy-backend': 'app',
      },
      /^container-port: is required with driver: docker and slots/,
    ],
    [
      'docker-args as a string',
      { driver: 'docker', image: 'r.example/shop:v1', 'docker-args': '--rm' },
      /^docker-args:/,
    ],
    [
      'a DEPLOY_ variable',
      { driver: 'docker', image: 'r.example/shop:v1', 'container-env': '{ DEPLOY_SLOT: x }' },
      /^container-env: DEPLOY_SLOT: DEPLOY_ variables are the driver's own/,
    ],
    [
      'a bad restart policy',
      { driver: 'docker', image: 'r.example/shop:v1', 'restart-policy': 'sometimes' },
      /^restart-policy:/,
    ],
    [
      'a bad docker-host',
      { driver: 'docker', image: 'r.example/shop:v1', 'docker-host': '/var/run/docker.sock' },
      /^docker-host:/,
    ],
    [
      'docker with hosts',
      { driver: 'docker', image: 'r.example/shop:v1', hosts: 'deploy@10.0.0.1', 'known-hosts': 'x' },
      /^hosts: is not used with driver: docker: it reaches a remote Docker daemon through docker-host/,
    ],
    [
      'compose without a service',
      { driver: 'compose', image: 'r.example/shop:v1', 'compose-file': 'c.yml' },
      /^compose-service: is required/,
    ],
    [
      'compose-command as a shell line',
      {
        driver: 'compose',
        image: 'r.example/shop:v1',
        'compose-file': 'c.yml',
        'compose-service': 'web',
        'compose-command': 'docker compose; rm -rf /',
      },
      /^compose-command:/,
    ],
  ];
  for (const [name, inputs, expected] of rows)
    it(name, () =>
      assert.match(
        problem(() => deploy(inputs)),
        expected,
      ),
    );

  it("rollback takes an image or a to-version, not both; the pipeline's own rollback neither", () => {
    const rollback = (inputs: Record<string, string>) =>
      parseRollbackSettings({ environment: 'production', command: 'true', ...inputs }, noFile);
    assert.equal(rollback({ image: 'r.example/shop:v1' }).image?.tag, 'v1');
    assert.match(
      problem(() => rollback({ image: 'r.example/shop:v1', 'to-version': 'v1' })),
      /^image: give image or to-version, not both/,
    );
    assert.match(
      problem(() => rollback({ image: 'r.example/shop:latest' })),
      /^image: "latest" is a moving name/,
    );
    const pipeline = parsePipelineSettings(
      { environment: 'production', command: 'true', image: 'r.example/shop:v2', incident: 'none' },
      noFile,
    );
    assert.equal(
      pipeline.rollback?.image,
      undefined,
      'the pipeline rolls back to the last good version, not to its own image',
    );
  });

  it('GHCR takes the github-token when no registry credentials are given', () => {
    const ghcr = deploy({ image: 'ghcr.io/acme/shop:v1', 'github-token': 'ghs_token' });
    assert.deepEqual(ghcr.registry, { username: 'x-access-token', password: 'ghs_token' });
    assert.equal(deploy({ image: 'r.example/shop:v1', 'github-token': 'ghs_token' }).registry, undefined);
    const given = deploy({
      image: 'ghcr.io/acme/shop:v1',
      'registry-username': 'bot',
      'registry-password': 'pat',
    });
    assert.deepEqual(given.registry, { username: 'bot', password: 'pat' });
  });

  it('the docker driver stops a slot itself, by argv, when no stop-command is given', () => {
    const settings = deploy({
      driver: 'docker',
      image: 'r.example/shop:v1',
      'container-name': 'shop',
      'container-port': '8080',
      strategy: 'blue-green',
      slots: '{ blue: "127.0.0.1:1", green: "127.0.0.1:2" }',
      'haproxy-socket': '/s',
      'haproxy-backend': 'app',
      'docker-host': 'ssh://deploy@app1',
    });
    assert.ok(settings.strategy.kind === 'blue-green' && settings.strategy.scaleDown);
    const stop = settings.strategy.scaleDown.stop;
    assert.ok('argv' in stop);
    assert.deepEqual(stop.argv('blue'), ['docker', 'rm', '--force', 'shop-blue']);
    assert.deepEqual(stop.env, { DOCKER_HOST: 'ssh://deploy@app1' });
  });
});

describe('promote-image and registry-retention inputs', () => {
  const promote = (inputs: Record<string, string>) =>
    parsePromoteImageSettings({
      image: 'r.example/shop:v1',
      'from-environment': 'staging',
      'to-environment': 'production',
      ...inputs,
    });
  const retention = (inputs: Record<string, string>) =>
    parseRetentionSettings({ repository: 'r.example/shop', ...inputs });
  const rows: [string, () => unknown, RegExp][] = [
    ['the default tag is the target environment', () => promote({}), /^accepted$/],
    [
      'a tag in another registry',
      () => promote({ tag: 'other.example/shop:prod' }),
      /^tag: other\.example is not r\.example/,
    ],
    [
      'promote to itself',
      () => promote({ 'to-environment': 'staging' }),
      /^to-environment: is the from-environment/,
    ],
    [
      'a repository with a tag',
      () => retention({ repository: 'r.example/shop:v1' }),
      /^repository: .* names a tag or digest/,
    ],
    [
      'an age that is a wait',
      () => retention({ 'keep-rc': '{ count: 5, age: 30s }' }),
      /^keep-rc: field "age": "30s" is not an age/,
    ],
    [
      'a negative count',
      () => retention({ 'keep-rc': '{ count: -1, age: 30d }' }),
      /^keep-rc: field "count"/,
    ],
    ['a glob with a slash', () => retention({ remove: '[a/b]' }), /^remove: .*is not a tag glob/],
    [
      'an environment that is no name',
      () => retention({ environments: 'prod, ../x' }),
      /^environments: "\.\.\/x" is not an environment name/,
    ],
  ];
  for (const [name, parse, expected] of rows) it(name, () => assert.match(problem(parse), expected));

  it('retention reads its rules', () => {
    const settings = retention({
      'keep-rc': '{ count: 2, age: 2w }',
      environments: 'staging,production',
      'keep-tags': '[prod]',
    });
    assert.equal(settings.rules.rc.count, 2);
    assert.equal(settings.rules.rc.ageMs, 14 * 86_400_000);
    assert.ok(settings.rules.rc.pattern.test('v1.2.0-rc.3'));
    assert.deepEqual(
      settings.rules.pointers.map((rule) => rule.glob),
      ['staging', 'production', 'prod'],
    );
    assert.equal(settings.delete, false, 'a dry run unless asked');
    assert.equal(promote({}).target.tag, 'production');
  });
});
