import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a as u}from"../chunks/chunk-FXQ2DV6P.js";import{O as a,j as l,k as t,m as o,y as n}from"../chunks/chunk-EDH5YTTW.js";await u("rollback",async r=>{let s=o(r.readInputs(l),r.deps.readFile),e=await a(s,{...r.deps,...n(r.expandHome(s.stateDir),r.deps.clock,r.run.host),run:r.run});r.setOutputs(t,{result:e.result,"from-version":e.from,"to-version":e.to,report:JSON.stringify(e)});let m=e.result==="failed"?"\u274C":e.result==="dry-run"?"\u{1F4DD}":"\u21A9\uFE0F";await r.appendSummary(`### ${m} Rollback of ${s.environment}: ${e.from} \u2192 ${e.to}

${e.message}`),e.result==="failed"?r.fail(e.message,`rollback: ${s.environment} failed`):r.deps.logger.info(e.message)});
