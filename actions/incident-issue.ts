import { incidentStep } from '../src/entries/incident.ts';
import { runStep } from './runtime/run-step.ts';

await runStep('incident-issue', incidentStep);
