import type { Writable } from 'node:stream';

/**
 * Writes `text` to `stream` as one write. When the stream's reader is behind (its buffer is
 * full), returns a promise that settles once it caught up or the stream is gone; otherwise
 * nothing. A producer that waits on it never queues more than one write.
 */
export function writeOrWait(stream: Writable, text: string): Promise<void> | undefined {
  if (stream.write(text)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      for (const event of ['drain', 'close', 'error']) stream.off(event, done);
      resolve();
    };
    for (const event of ['drain', 'close', 'error']) stream.once(event, done);
  });
}
