import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSshEndpoint, parseSshEndpoint } from '../../src/model/ssh-endpoint.ts';
import { renderSshConfig } from '../../src/target/ssh-config.ts';

describe('ssh endpoints: user@host[:port], nothing ssh could read as an option', () => {
  const table: [string, string][] = [
    ['deploy@10.0.0.11', 'deploy@10.0.0.11:22'],
    ['deploy@web1.example.com:2222', 'deploy@web1.example.com:2222'],
    ['deploy@[2001:db8::1]:2200', 'deploy@[2001:db8::1]:2200'],
    ['deploy@[::1]', 'deploy@[::1]:22'],
    ['10.0.0.11', 'problem: "10.0.0.11" is not user@host[:port] (the deploy user is required)'],
    [
      'deploy@-oProxyCommand=x',
      'problem: "-oProxyCommand=x" is not host[:port] (an IPv6 host in brackets: [2001:db8::1]:22)',
    ],
    ['-o@host', 'problem: "-o" is not a user name (letters, digits, _ . -)'],
    [
      'deploy@host:99999',
      'problem: "host:99999" is not host[:port] (an IPv6 host in brackets: [2001:db8::1]:22)',
    ],
    [
      'deploy@2001:db8::1',
      'problem: "2001:db8::1" is not host[:port] (an IPv6 host in brackets: [2001:db8::1]:22)',
    ],
    [
      'deploy@host name',
      'problem: "host name" is not host[:port] (an IPv6 host in brackets: [2001:db8::1]:22)',
    ],
  ];
  for (const [text, expected] of table)
    it(`${text} → ${expected}`, () => {
      const parsed = parseSshEndpoint(text);
      assert.equal('problem' in parsed ? `problem: ${parsed.problem}` : formatSshEndpoint(parsed), expected);
    });
});

describe('the generated ssh_config: strict host keys, no prompts, one connection per host', () => {
  it('says every host by alias, the jump chain, and the rules for all', () => {
    const config = renderSshConfig({
      hosts: [{ alias: 'target-1', endpoint: { user: 'deploy', host: '2001:db8::1', port: 2200 } }],
      jump: [
        { user: 'hop', host: 'bastion.example.com', port: 22 },
        { user: 'hop', host: '10.0.0.1', port: 2222 },
      ],
      knownHostsFile: '/tmp/run dir/known_hosts',
      identityFile: '/tmp/run dir/id_deploy',
      controlDir: '/tmp/run dir',
      connectTimeoutSeconds: 10,
    });
    for (const line of [
      'Host target-1',
      '  HostName 2001:db8::1',
      '  Port 2200',
      '  User deploy',
      '  ProxyJump hop@bastion.example.com:22,hop@10.0.0.1:2222',
      '  BatchMode yes',
      '  StrictHostKeyChecking yes',
      '  UserKnownHostsFile "/tmp/run dir/known_hosts"',
      '  GlobalKnownHostsFile /dev/null',
      '  UpdateHostKeys no',
      '  IdentitiesOnly yes',
      '  IdentityFile "/tmp/run dir/id_deploy"',
      '  ControlPath "/tmp/run dir/%n"',
      '  ConnectTimeout 10',
    ])
      assert.ok(config.split('\n').includes(line), `${line}\n---\n${config}`);
  });
  it('without a key, the agent already running is used: no IdentityFile', () => {
    const config = renderSshConfig({
      hosts: [],
      jump: [],
      knownHostsFile: '/k',
      controlDir: '/c',
      connectTimeoutSeconds: 5,
    });
    assert.doesNotMatch(config, /IdentityFile/);
  });
});
