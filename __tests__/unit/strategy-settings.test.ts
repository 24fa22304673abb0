import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../../src/errors.ts';
import { parseDeploySettings } from '../../src/settings/deploy.ts';

const blueGreen = {
  environment: 'production',
  version: 'v2.0.0',
  command: 'start-slot',
  strategy: 'blue-green',
  slots: 'blue: 127.0.0.1:8081\ngreen: 127.0.0.1:8082',
  'haproxy-socket': '/run/haproxy/admin.sock',
  'haproxy-backend': 'app',
  'verify-probes':
    '- { name: slot, type: http, url: "{slot_url}/health" }\n- { name: public, type: http, url: "https://shop.example.com/health" }',
  'version-url': 'http://{slot_host}:{slot_port}/version',
};
const parse = (inputs: Record<string, string>) => parseDeploySettings(inputs, () => '');
const refused = (inputs: Record<string, string>, input: string, problem: RegExp) =>
  assert.throws(
    () => parse(inputs),
    (error: unknown) =>
      error instanceof ConfigurationError && error.input === input && problem.test(error.problem),
  );

describe('strategy settings: blue-green asks for two slots, a traffic switch, and probes that name the slot', () => {
  it('splits the probes: those naming the slot check each slot before traffic, the others what users reach after', () => {
    const settings = parse(blueGreen);
    assert.equal(settings.strategy.kind, 'blue-green');
    if (settings.strategy.kind !== 'blue-green') return;
    assert.deepEqual(
      settings.strategy.slots.map((s) => `${s.name}@${s.host}:${s.port}`),
      ['blue@127.0.0.1:8081', 'green@127.0.0.1:8082'],
    );
    assert.deepEqual(settings.strategy.traffic, {
      kind: 'haproxy',
      socket: '/run/haproxy/admin.sock',
      backend: 'app',
    });
    const green = settings.strategy.slotVerify.green!;
    assert.equal((green.probes[0] as { url: URL }).url.href, 'http://127.0.0.1:8082/health');
    assert.equal(green.versionUrl?.href, 'http://127.0.0.1:8082/version');
    assert.deepEqual(
      settings.verify.probes.map((p) => p.name),
      ['public'],
    );
    assert.equal(
      settings.verify.versionUrl,
      undefined,
      'the version is read from the slot, not the public address',
    );
  });

  it('in place is the default, and a probe naming a slot there is bad input that says blue-green has slots', () => {
    assert.deepEqual(parse({ environment: 'production', version: 'v1', command: 'true' }).strategy, {
      kind: 'in-place',
    });
    assert.throws(
      () => parse({ ...blueGreen, strategy: 'in-place' }),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        error.input === 'verify-probes' &&
        /names a slot \(\{slot_url\}, \{slot_host\}, \{slot_port\}\), which only blue-green has/.test(
          error.problem,
        ) &&
        error.remedy?.input === 'strategy' &&
        error.remedy.value === 'blue-green',
    );
  });

  it('the probes are one list, whichever part they check: names unique across, one counted probe in all, positions as written', () => {
    const probes = (...lines: string[]) => ({ ...blueGreen, 'verify-probes': lines.join('\n') });
    const settings = parse(
      probes(
        '- { name: slot, type: http, url: "{slot_url}/health" }',
        '- { name: trial, type: http, url: "https://shop.example.com/new-health", dry-run: true }',
      ),
    );
    assert.deepEqual(
      settings.verify.probes.map((p) => [p.name, p.judgement.dryRun]),
      [['trial', true]],
      'a dry run after the switch, while the slot probe decides: accepted',
    );
    refused(
      probes(
        '- { name: web, type: http, url: "{slot_url}/health" }',
        '- { name: web, type: http, url: "https://shop.example.com/health" }',
      ),
      'verify-probes',
      /^probe 2 \("web"\): the name is used twice; names must be unique/,
    );
    refused(
      probes(
        '- { name: slot, type: http, url: "{slot_url}/health", dry-run: true }',
        '- { name: public, type: http, url: "https://shop.example.com/health", dry-run: true }',
      ),
      'verify-probes',
      /every probe is a dry run, so nothing could fail the check/,
    );
    refused(
      probes(
        '- { name: public, type: http, url: "https://shop.example.com/health" }',
        '- { name: other, type: http, url: "https://shop.example.com/" }',
        '- { name: slot, type: http, url: "{slot_url}/health", count: 0 }',
      ),
      'verify-probes',
      /^probe 3 \("slot"\), field "count"/,
    );
  });

  it('refuses what cannot work, naming the input', () => {
    refused(
      { ...blueGreen, strategy: 'kubernetes' },
      'strategy',
      /use in-place, blue-green, rolling or canary/,
    );
    refused({ ...blueGreen, strategy: 'canary' }, 'canary-steps', /is required with strategy: canary/);
    refused({ ...blueGreen, slots: '' }, 'slots', /is required with strategy: blue-green/);
    refused({ ...blueGreen, slots: 'blue: 127.0.0.1:8081' }, 'slots', /exactly two slots/);
    refused(
      { ...blueGreen, slots: 'blue: 127.0.0.1:8081\ngreen: here' },
      'slots',
      /green: "here" is not host:port/,
    );
    refused(
      { ...blueGreen, slots: 'blue: 127.0.0.1:8081\ngreen: 127.0.0.1:70000' },
      'slots',
      /is not host:port/,
    );
    refused(
      { ...blueGreen, slots: '"blue; rm": 127.0.0.1:8081\ngreen: 127.0.0.1:8082' },
      'slots',
      /is not a slot name/,
    );
    refused({ ...blueGreen, 'haproxy-socket': '' }, 'haproxy-socket', /is required with traffic: haproxy/);
    refused(
      { ...blueGreen, 'haproxy-backend': 'app; disable server' },
      'haproxy-backend',
      /is not a backend name/,
    );
    refused({ ...blueGreen, traffic: 'envoy' }, 'traffic', /use haproxy, nginx or command/);
    refused({ ...blueGreen, traffic: 'command' }, 'switch-command', /is required with traffic: command/);
    refused({ ...blueGreen, traffic: 'nginx' }, 'nginx-upstream-file', /is required with traffic: nginx/);
    refused({ ...blueGreen, 'drain-timeout': 'soon' }, 'drain-timeout', /./);
  });

  it('refuses an input the strategy or the traffic switch would ignore, naming it and what uses it', () => {
    const inPlace = { environment: 'production', version: 'v1', command: 'true' };
    const strays: [string, string, string][] = [
      ['slots', 'blue: 127.0.0.1:8081\ngreen: 127.0.0.1:8082', 'blue-green or canary'],
      ['traffic', 'nginx', 'blue-green, rolling or canary'],
      ['haproxy-socket', '/run/haproxy/admin.sock', 'blue-green, rolling or canary'],
      ['nginx-upstream-file', '/etc/nginx/app-upstream.conf', 'blue-green, rolling or canary'],
      ['stop-command', 'systemctl stop app', 'blue-green or canary'],
      ['drain-timeout', '5s', 'blue-green, rolling or canary'],
      ['promotion', 'manual', 'blue-green'],
      ['batch-size', '2', 'rolling or canary'],
      ['min-healthy', '50%', 'rolling or canary'],
      ['on-host-failure', 'stop', 'rolling'],
    ];
    for (const [input, value, users] of strays)
      refused(
        { ...inPlace, [input]: value },
        input,
        new RegExp(`^is only used with strategy: ${users}, and this release is in-place: remove it$`),
      );
    refused(
      { ...blueGreen, 'batch-size': '2' },
      'batch-size',
      /^is only used with strategy: rolling or canary, and this release is blue-green/,
    );
    // Defaults are not choices: the in-place deploy with every default passes.
    assert.equal(
      parse({ ...inPlace, traffic: 'haproxy', 'nginx-test-command': 'nginx -t' }).strategy.kind,
      'in-place',
    );
    refused(
      { ...blueGreen, 'nginx-upstream-file': '/etc/nginx/app-upstream.conf' },
      'nginx-upstream-file',
      /^is only used with traffic: nginx, and traffic is haproxy: remove it$/,
    );
    refused(
      { ...blueGreen, 'switch-command': './switch.sh' },
      'switch-command',
      /^is only used with traffic: command, and traffic is haproxy/,
    );
    refused({ ...blueGreen, promotion: 'by-hand' }, 'promotion', /use auto or manual/);
    const onHosts = { ...blueGreen, 'known-hosts': '10.0.0.11 ssh-ed25519 AAAA', 'run-on': 'host' };
    refused(
      {
        ...onHosts,
        hosts: '- { name: web1, ssh: deploy@10.0.0.11 }\n- { name: web2, ssh: deploy@10.0.0.12 }',
      },
      'hosts',
      /names the one host both slots run on, or a host per slot named like it \(blue, green\); it names web1, web2/,
    );
    assert.equal(
      parse({
        ...onHosts,
        hosts: '- { name: blue, ssh: deploy@10.0.0.11 }\n- { name: green, ssh: deploy@10.0.0.12 }',
      }).hosts?.hosts.length,
      2,
    );
    refused(
      { ...blueGreen, 'scale-down-delay': '5m' },
      'scale-down-delay',
      /does nothing without stop-command/,
    );
  });

  it('IPv6 addresses in brackets, for slots and the runtime API', () => {
    const settings = parse({
      ...blueGreen,
      slots: 'blue: "[::1]:8081"\ngreen: "[::1]:8082"',
      'haproxy-socket': '[::1]:9999',
    });
    assert.equal(settings.strategy.kind, 'blue-green');
    const { slots } = settings.strategy as Extract<typeof settings.strategy, { kind: 'blue-green' }>;
    assert.deepEqual(
      slots.map((slot) => [slot.host, slot.port]),
      [
        ['::1', 8081],
        ['::1', 8082],
      ],
    );
  });
});

const rolling = {
  environment: 'production',
  version: 'v2.0.0',
  command: 'systemctl restart app',
  'run-on': 'host',
  strategy: 'rolling',
  hosts:
    '- { name: web1, ssh: deploy@10.0.0.11, address: 10.0.0.11:8080 }\n- { name: web2, ssh: deploy@10.0.0.12, address: 10.0.0.12:8080 }',
  'known-hosts': '10.0.0.11 ssh-ed25519 AAAA\n10.0.0.12 ssh-ed25519 AAAA',
  'haproxy-socket': '/run/haproxy/admin.sock',
  'haproxy-backend': 'app',
  'verify-probes': '- { name: host, type: http, url: "{host_url}/health" }',
};

describe('strategy settings: rolling asks for hosts, a load balancer, and probes that name the host', () => {
  it('reads batch-size and min-healthy as counts or percentages; min-healthy defaults to every host but the batch', () => {
    const settings = parse({
      ...rolling,
      'batch-size': '50%',
      'min-healthy': '1',
      'on-host-failure': 'stop',
    });
    assert.deepEqual(settings.strategy, {
      kind: 'rolling',
      batchSize: { percent: 50 },
      minHealthy: { count: 1 },
      onFailure: 'stop',
      gate: { kind: 'haproxy', socket: '/run/haproxy/admin.sock', backend: 'app' },
      drainTimeoutMs: 30_000,
    });
    const defaults = parse(rolling).strategy;
    assert.deepEqual(
      defaults.kind === 'rolling' && [defaults.batchSize, defaults.minHealthy, defaults.onFailure],
      [{ count: 1 }, undefined, 'stop-and-revert'],
    );
    assert.match(
      JSON.stringify(parse(rolling).hosts?.verify.web2?.probes[0]),
      /"url":"http:\/\/10\.0\.0\.12:8080\/health"/,
    );
  });

  it('refuses what cannot work, naming the input', () => {
    refused(
      { ...rolling, hosts: '', 'known-hosts': '', 'run-on': '' },
      'hosts',
      /is required with strategy: rolling/,
    );
    refused(
      {
        ...rolling,
        'verify-probes': '- { name: public, type: http, url: "https://shop.example.com/health" }',
      },
      'verify-probes',
      /checks each host on its own address before it gets traffic back/,
    );
    for (const bad of ['0', 'two', '150%', '-1', '1.5', '2 hosts'])
      refused(
        { ...rolling, 'batch-size': bad },
        'batch-size',
        /is not a count of hosts \(1 or more\) or a percentage/,
      );
    refused({ ...rolling, 'min-healthy': '101%' }, 'min-healthy', /is not a count of hosts \(0 or more\)/);
    refused({ ...rolling, 'on-host-failure': 'continue' }, 'on-host-failure', /use stop-and-revert or stop/);
    refused(
      { ...rolling, slots: 'blue: 127.0.0.1:8081\ngreen: 127.0.0.1:8082' },
      'slots',
      /only used with strategy: blue-green/,
    );
    refused({ ...rolling, promotion: 'manual' }, 'promotion', /only used with strategy: blue-green/);
    refused(
      { ...rolling, 'ssh-key-passphrase': 'x' },
      'ssh-key-passphrase',
      /unlocks ssh-private-key, which is not given/,
    );
    refused(
      { ...rolling, hosts: '- { name: "web1;disable", ssh: deploy@10.0.0.11 }' },
      'hosts',
      /"web1;disable" is not a host name/,
    );
    const ansible = {
      environment: 'production',
      version: 'v2',
      strategy: 'rolling',
      driver: 'ansible',
      playbook: 'site.yml',
      inventory: 'hosts.ini',
      'haproxy-socket': '/run/haproxy/admin.sock',
      'haproxy-backend': 'app',
      'verify-probes': '- { name: host, type: http, url: "{host_url}/health" }',
    };
    refused(
      { ...ansible, hosts: rolling.hosts },
      'hosts',
      /is not used with driver: ansible \(its inventory names the hosts\)/,
    );
    refused({ ...ansible, 'verify-probes': '' }, 'verify-probes', /checks each host on its own address/);
  });

  it("with the ansible driver the hosts are the inventory's, each checked by the probes that name it", () => {
    const settings = parse({
      environment: 'production',
      version: 'v2',
      strategy: 'rolling',
      driver: 'ansible',
      playbook: 'site.yml',
      inventory: 'hosts.ini',
      'haproxy-socket': '/run/haproxy/admin.sock',
      'haproxy-backend': 'app',
      'verify-probes': '- { name: host, type: http, url: "{host_url}/health" }',
    });
    assert.equal(settings.hosts, undefined);
    assert.equal(settings.inventoryHosts?.needsAddress, true);
    const web2 = settings.inventoryHosts?.verifyFor({
      name: 'web2',
      address: { host: '10.0.0.12', port: 8080 },
    });
    assert.match(JSON.stringify(web2?.probes[0]), /"url":"http:\/\/10\.0\.0\.12:8080\/health"/);
  });
});

describe('strategy settings: canary reads its steps and analysis in Argo Rollouts words', () => {
  const canary = {
    ...blueGreen,
    strategy: 'canary',
    'canary-steps': '- set-weight: 10\n- pause: 2m\n- analysis: { count: 5 }\n- set-weight: 50\n- pause: {}',
    'canary-analysis': [
      'prometheus: http://127.0.0.1:9090',
      'window: 1m',
      'min-requests: 50',
      'metrics:',
      '  - { template: error-ratio, max: 1% }',
      '  - { name: vs stable, template: error-ratio, max-over-stable: 0.5% }',
      '  - { template: app-latency, max-times-stable: 1.2, quantile: 0.99 }',
      '  - { name: checkout, type: promql, prometheus: "http://127.0.0.1:9090", query: "up", expect: { value: "== 1" } }',
    ].join('\n'),
  };

  it('with slots: blue-green slots and switch, the steps, a background analysis, the defaults', () => {
    const { strategy } = parse(canary);
    assert.equal(strategy.kind, 'blue-green');
    if (strategy.kind !== 'blue-green' || !strategy.canary) return assert.fail('a canary on slots');
    const { steps, background, timeoutMs } = strategy.canary;
    assert.deepEqual(
      steps.map((step) => (step.kind === 'analysis' ? `analysis ×${step.analysis.judgement.count}` : step)),
      [
        { kind: 'set-weight', weight: 10 },
        { kind: 'pause', ms: 120_000 },
        'analysis ×5',
        { kind: 'set-weight', weight: 50 },
        { kind: 'pause' },
      ],
    );
    assert.equal(timeoutMs, 3_600_000);
    assert.deepEqual(
      background?.templates.map((t) => [t.name, t.bound]),
      [
        ['error-ratio max', { kind: 'max', value: 0.01 }],
        ['vs stable', { kind: 'max-over-stable', value: 0.005 }],
        ['app-latency max-times-stable', { kind: 'max-times-stable', value: 1.2 }],
      ],
    );
    assert.equal(background?.templates[2]?.app?.quantile, 0.99);
    assert.equal(background?.probes[0]?.name, 'checkout');
    // Measured until promotion, the first time one window after the first weight.
    assert.deepEqual(
      [background?.judgement.count, background?.judgement.initialDelayMs, background?.minRequests],
      [Number.POSITIVE_INFINITY, 60_000, 50],
    );
    // A step's analysis measures where the background does, with its own count.
    const step = steps[2]!;
    assert.equal(step.kind === 'analysis' && step.analysis.templates.length, 3);
  });

  it('with hosts and no slots: a share of the hosts, moved by the gate', () => {
    const { strategy } = parse({
      environment: 'production',
      version: 'v2',
      command: 'deploy',
      strategy: 'canary',
      hosts:
        '- { name: web1, ssh: deploy@10.0.0.11, address: 10.0.0.11:8080 }\n- { name: web2, ssh: deploy@10.0.0.12, address: 10.0.0.12:8080 }',
      'known-hosts': '10.0.0.11 ssh-ed25519 AAAA\n10.0.0.12 ssh-ed25519 AAAA',
      'haproxy-socket': '/run/haproxy/admin.sock',
      'haproxy-backend': 'app',
      'verify-probes': '- { name: host, type: http, url: "{host_url}/health" }',
      'canary-steps': '[{set-weight: 50}, {pause: 1m}]',
    });
    assert.equal(strategy.kind, 'rolling');
    assert.deepEqual(strategy.kind === 'rolling' && strategy.canary?.steps[0], {
      kind: 'set-weight',
      weight: 50,
    });
  });

  it('refuses what cannot work, naming the input and what it accepts', () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ 'canary-steps': '' }, 'canary-steps', /is required with strategy: canary/],
      [{ 'canary-steps': 'set-weight: 10' }, 'canary-steps', /expected a non-empty list of steps/],
      [{ 'canary-steps': '[{pause: 1m}]' }, 'canary-steps', /no step gives the canary traffic/],
      [
        { 'canary-steps': '[{set-weight: 120}]' },
        'canary-steps',
        /^step 1: set-weight 120 is not a whole percentage, 0 to 100/,
      ],
      [{ 'canary-steps': '[{set-weight: "ten"}]' }, 'canary-steps', /is not a whole percentage/],
      [{ 'canary-steps': '[{set-weight: 10, pause: 1m}]' }, 'canary-steps', /each alone in its step/],
      [
        { 'canary-steps': '[{setWeight: 10}]' },
        'canary-steps',
        /expected one of set-weight, pause or analysis/,
      ],
      [
        { 'canary-steps': '[{set-weight: 10}, {pause: soon}]' },
        'canary-steps',
        /^step 2: pause "soon" is not a duration/,
      ],
      [
        { 'canary-steps': '[{set-weight: 10}, {analysis: {count: 2}}]', 'canary-analysis': '' },
        'canary-steps',
        /^step 2 \(analysis\): no metrics/,
      ],
      [
        { 'canary-analysis': 'metrics: [{template: error-ratio, max: 1%}]' },
        'canary-analysis',
        /give prometheus/,
      ],
      [
        { 'canary-analysis': 'prometheus: x\nmetrics: [{template: error-ratio, max: 1%}]' },
        'canary-analysis',
        /"x" is not a valid http\(s\) URL/,
      ],
      [
        { 'canary-analysis': 'prometheus: http://p:9090\nmetrics: [{template: error-rate, max: 1%}]' },
        'canary-analysis',
        /use one of error-ratio, latency, app-error-ratio, app-latency/,
      ],
      [
        { 'canary-analysis': 'prometheus: http://p:9090\nmetrics: [{template: error-ratio}]' },
        'canary-analysis',
        /give exactly one bound/,
      ],
      [
        {
          'canary-analysis':
            'prometheus: http://p:9090\nmetrics: [{template: error-ratio, max: 1%, max-over-stable: 1%}]',
        },
        'canary-analysis',
        /give exactly one bound/,
      ],
      [
        { 'canary-analysis': 'prometheus: http://p:9090\nmetrics: [{template: error-ratio, max: 150%}]' },
        'canary-analysis',
        /"150%" is not a ratio: use 1% or 0\.01/,
      ],
      [
        { 'canary-analysis': 'prometheus: http://p:9090\nmetrics: [{template: latency, max: fast}]' },
        'canary-analysis',
        /"fast" is not a duration/,
      ],
      [
        {
          'canary-analysis':
            'prometheus: http://p:9090\nmetrics: [{template: app-latency, max-times-stable: 0}]',
        },
        'canary-analysis',
        /factor above 0/,
      ],
      [
        {
          'canary-analysis':
            'prometheus: http://p:9090\nmetrics: [{template: app-error-ratio, max: 1%, version-label: "bad label"}]',
        },
        'canary-analysis',
        /not a Prometheus label name/,
      ],
      [
        {
          'canary-analysis':
            'prometheus: http://p:9090\nwindows: 1m\nmetrics: [{template: error-ratio, max: 1%}]',
        },
        'canary-analysis',
        /windows/,
      ],
      [
        {
          'canary-analysis':
            'prometheus: http://p:9090\nmetrics: [{template: error-ratio, max: 1%}, {template: error-ratio, max: 2%}]',
        },
        'canary-analysis',
        /two metrics are named "error-ratio max"/,
      ],
      [{ 'canary-timeout': 'forever' }, 'canary-timeout', /is not a duration/],
      [
        { promotion: 'manual' },
        'promotion',
        /is only used with strategy: blue-green, and this release is canary/,
      ],
      [{ 'batch-size': '2' }, 'batch-size', /is only used by a canary across hosts, and this one has slots/],
      [
        {
          traffic: 'nginx',
          'haproxy-socket': '',
          'haproxy-backend': '',
          'nginx-upstream-file': '/etc/nginx/u.conf',
          'canary-analysis': 'prometheus: http://p:9090\nmetrics: [{template: error-ratio, max: 1%}]',
        },
        'canary-analysis',
        /template error-ratio reads HAProxy's exporter, and traffic is nginx: use app-error-ratio/,
      ],
    ];
    for (const [change, input, problem] of cases) refused({ ...canary, ...change }, input, problem);
  });
});
