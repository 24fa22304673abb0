import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { shellCommand, shellQuote } from '../../src/target/shell-quote.ts';

/** What a real sh hands a program for `line`: each argument, as printf sees it. */
function argvThroughSh(line: string): string[] {
  const result = spawnSync('sh', ['-c', `for a in ${line}; do printf '%s\\0' "$a"; done`], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split('\0').slice(0, -1);
}

/** Seeded, so a failure names a case that can be run again. */
function* hostileStrings(seed: number, count: number): Generator<string> {
  const pieces = [
    '$(touch /tmp/pwned)',
    '`id`',
    ';',
    '&&',
    '|',
    '\n',
    '\r',
    "'",
    '"',
    "\\'",
    '\\',
    '*',
    '?',
    '[a-z]',
    '~',
    '-rf',
    '--',
    '$HOME',
    `\${IFS}`,
    ' ',
    '\t',
    '#',
    '!',
    '{a,b}',
    '>',
    '<',
    '&',
    'é',
    '🙂',
    '%s',
    '\u2028',
  ];
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  for (let i = 0; i < count; i++) {
    const length = 1 + (next() % 6);
    yield Array.from({ length }, () => pieces[next() % pieces.length]!).join('');
  }
}

describe('shellQuote: a value reaches a remote shell as exactly one argument, whatever it holds', () => {
  it('hostile strings, each through a real sh, come out unchanged', () => {
    const values = [...hostileStrings(20261205, 300), '', "'", "''", "a'b'c", '-n', '-e \\n'];
    // One sh for all of them: the quoted values, joined, are one command line.
    const seen = argvThroughSh(values.map(shellQuote).join(' '));
    assert.deepEqual(seen, values);
  });
  it('nothing the value says is run', () => {
    const seen = argvThroughSh(shellQuote('$(echo ran) `echo ran`; echo ran'));
    assert.deepEqual(seen, ['$(echo ran) `echo ran`; echo ran']);
  });
  it('a NUL byte, which no argument can hold, is refused; an empty command too', () => {
    assert.throws(() => shellQuote('a\0b'), /NUL byte/);
    assert.throws(() => shellCommand([]), /empty command/);
  });
  it('an argv becomes a command line that runs that program with those arguments', () => {
    const result = spawnSync('sh', ['-c', shellCommand(['printf', '%s|', 'a b', "it's", '$x'])], {
      encoding: 'utf8',
    });
    assert.equal(result.stdout, "a b|it's|$x|");
  });
});
