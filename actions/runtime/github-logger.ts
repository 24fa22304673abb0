import { randomUUID } from 'node:crypto';
import { EOL } from 'node:os';
import * as core from '@actions/core';
import { type AnnotationProperties, type Logger, writeOrWait } from '../../src/entries/runtime.ts';

/** The core's Logger as workflow commands on the runner's log. */
export const githubLogger: Logger = {
  debug: (message) => core.debug(message),
  info: (message) => core.info(message),
  warning: (message, properties) => core.warning(message, toAnnotation(properties)),
  error: (message, properties) => core.error(message, toAnnotation(properties)),
  group(title, body) {
    core.startGroup(title);
    try {
      body();
    } finally {
      core.endGroup();
    }
  },
  untrusted(text) {
    const stream = githubLogger.untrustedStream();
    stream.write([text]);
    stream.end();
  },
  untrustedStream() {
    // Between stop-commands markers the runner reads no workflow command, so output that says
    // `::add-mask::` or `::error::` stays text. The token is random so the text cannot end it.
    const token = `untrusted-${randomUUID()}`;
    core.info(`::stop-commands::${token}`);
    // One write per piece, as core.info would write each line, and no more until the runner read it.
    return {
      write: (lines) => writeOrWait(process.stdout, lines.map((line) => `${line}${EOL}`).join('')),
      end: () => core.info(`::${token}::`),
    };
  },
  mask: (secret) => core.setSecret(secret),
};

function toAnnotation(properties: AnnotationProperties | undefined): core.AnnotationProperties | undefined {
  if (!properties) return undefined;
  return {
    ...(properties.title ? { title: properties.title } : {}),
    ...(properties.file ? { file: properties.file } : {}),
    ...(properties.line ? { startLine: properties.line } : {}),
  };
}
