import type { Writable } from 'node:stream';

/** One wait per stream, shared by every producer behind it (thousands of probes log at once). */
const catchingUp = new WeakMap<Writable, Promise<void>>();

/**
 * Writes `text` to `stream` as one write. When the stream's reader is behind (its buffer is
 * full), returns a promise that settles once it caught up or the stream is gone; otherwise
 * nothing. A producer that waits on it never queues more than one write.
 */
export function writeOrWait(stream: Writable, text: string): Promise<void> | undefined {
  if (stream.write(text)) return undefined;
  const pending = catchingUp.get(stream);
  if (pending) return pending;
  const waiting = new Promise<void>((resolve) => {
    const done = () => {
      for (const event of ['drain', 'close', 'error']) stream.off(event, done);
      catchingUp.delete(stream);
      resolve();
    };
    for (const event of ['drain', 'close', 'error']) stream.once(event, done);
  });
  catchingUp.set(stream, waiting);
  return waiting;
}
