import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { median } from './measure.ts';

const USER = path.resolve(import.meta.dirname, '..', '..', '__tests__', 'fixtures', 'lock-user.ts');

/**
 * The file lock's hand-over, as deploys queued on one machine feel it: `users` processes take
 * tickets one after another; the first holds the lock until every other one waits, each of
 * those holds it `holdMs`, and the gap between one logging its end (just before it releases)
 * and the next logging its start is measured. Returns the median gap in ms. The waiters poll
 * only once a second here, so a gap shows how fast the wake is.
 */
export async function lockHandOffMs(users = 8, holdMs = 30): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-lock-'));
  const log = path.join(dir, 'log.jsonl');
  const exits: Promise<unknown>[] = [];
  for (let i = 0; i < users; i++) {
    const hold = i === 0 ? users * 1000 : holdMs; // long enough for every other one to queue
    const user = spawn(process.execPath, [USER, dir, String(i), String(hold), log, '1000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    exits.push(new Promise((resolve) => user.once('exit', resolve)));
    await firstLine(user); // queued (or holding): the next arrives behind it
  }
  await Promise.all(exits);
  const events = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { event: string; at: number });
  const gaps: number[] = [];
  for (let i = 1; i < events.length; i++)
    if (events[i - 1]!.event === 'end' && events[i]!.event === 'start')
      gaps.push(events[i]!.at - events[i - 1]!.at);
  return median(gaps);
}

const firstLine = (child: ChildProcess) =>
  new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
