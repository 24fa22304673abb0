import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a as r}from"./chunk-ZSQID5BR.js";async function c(e,t,i){let{backend:n}=t,o=n.kind==="github"?await e.github(n.github.token):void 0;return r(t,i,{stateDir:e.expandHome(t.stateDir),clock:e.deps.clock,logger:e.deps.logger,run:e.run,...o?{api:o}:{}})}export{c as a};
