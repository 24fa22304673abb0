import type { ProbeDeclaration } from '../health/probe-schema.ts';
import type { Judgement } from '../health/verdict.ts';

/** A probe as declared, with the judgement (count, limits) it is measured under. */
export type ProbeSpec = ProbeDeclaration & { readonly judgement: Judgement };
