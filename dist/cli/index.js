#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a as M,b as _,c as g,e as O,f as k,g as C,h,i as f,j as S,k as E,m as j,n as P,o as G,p as U}from"../chunks/chunk-4EAJ7FKW.js";var R=_((H,I)=>{I.exports=M("node:util")});var l=g(G(),1),b=g(U(),1),A=g(R(),1);var d=class{#r=new Set;#e;constructor(e){this.#e=e}debug(e){this.#e.verbose&&this.#e.err(this.#s("2",`debug: ${this.#t(e)}`))}info(e){this.#e.out(this.#t(e))}warning(e,t){this.#e.err(this.#s("33",`warning: ${this.#o(t)}${this.#t(e)}`))}error(e,t){this.#e.err(this.#s("31",`error: ${this.#o(t)}${this.#t(e)}`))}group(e,t){this.#e.verbose&&(this.#e.out(this.#s("1",`\u2500\u2500 ${this.#t(e)}`)),t())}untrusted(e){this.#e.out(this.#t(e))}mask(e){for(let t of e.split(/\r?\n/))t.trim()&&this.#r.add(t.trim())}#t(e){let t=e;for(let o of[...this.#r].sort((i,a)=>a.length-i.length))t=t.split(o).join("***");return t}#o(e){return e?.title?`${this.#t(e.title)}: `:""}#s(e,t){return this.#e.colour?`\x1B[${e}m${t}\x1B[0m`:t}};var n={ok:0,failed:1,badInput:2,interrupted:130},p={"health-check":{summary:"Probe a service (HTTP, TCP, command, PromQL) and judge it over several measurements.",inputs:E}},D={json:{type:"boolean",default:!1},verbose:{type:"boolean",default:!1},help:{type:"boolean",short:"h",default:!1}};function m(s){if(!s||!p[s])return["Usage: deploy-actions <command> [options]","","Commands:",...Object.entries(p).map(([o,{summary:i}])=>`  ${o.padEnd(14)} ${i}`),"","Run deploy-actions <command> --help for its options."].join(`
`);let e=Object.entries(p[s].inputs).map(([t,o])=>{let i=o.default?` (default: ${o.default})`:"";return`  --${t.padEnd(24)} ${o.description}${i}`});return[`Usage: deploy-actions ${s} [options]`,"",p[s].summary,"","Options (the same as the action inputs):",...e,`  --${"json".padEnd(24)} Print the JSON report on stdout instead of the summary.`,`  --${"verbose".padEnd(24)} Show each probe's measurements and debug lines.`].join(`
`)}async function F(s){let[e,...t]=s;if(!e||e==="--help"||e==="-h"||e==="help")return process.stdout.write(`${m()}
`),e?n.ok:n.badInput;let o=p[e];if(!o)return process.stderr.write(`Unknown command "${e}".

${m()}
`),n.badInput;let i=Object.fromEntries(Object.keys(o.inputs).map(r=>[r,{type:"string"}])),{values:a}=(0,A.parseArgs)({args:[...t],options:{...i,...D},strict:!0,allowPositionals:!1});if(a.help)return process.stdout.write(`${m(e)}
`),n.ok;let v=a.json===!0,u=new d({verbose:a.verbose===!0,colour:process.stdout.isTTY===!0&&!process.env.NO_COLOR,out:r=>(v?process.stderr:process.stdout).write(`${r}
`),err:r=>process.stderr.write(`${r}
`)}),y=new AbortController,w=r=>y.abort(new h(`interrupted by ${r}`));process.once("SIGINT",w),process.once("SIGTERM",w);let $=process.cwd(),T=a,L=Object.fromEntries(Object.keys(o.inputs).map(r=>[r,T[r]])),N=j(L,r=>(0,l.readFileSync)(b.default.resolve($,r),"utf8")),c=await P(N,{logger:u,clock:k,runner:new O({baseEnv:process.env}),redactor:new S(u),signal:y.signal,writeFile:(r,x)=>(0,l.writeFileSync)(b.default.resolve($,r),x)});return c.verdict!=="successful"&&u.error(c.message,{title:c.title}),v?process.stdout.write(`${JSON.stringify(c.report,null,2)}
`):process.stdout.write(`
${c.summary}
`),c.verdict==="successful"?n.ok:n.failed}try{process.exitCode=await F(process.argv.slice(2))}catch(s){s instanceof C||s.code?.startsWith("ERR_PARSE_ARGS")?(process.stderr.write(`error: ${f(s)}
`),process.exitCode=n.badInput):s instanceof h?(process.stderr.write(`${s.message}: stopped; nothing was left running.
`),process.exitCode=n.interrupted):(process.stderr.write(`error: ${f(s)}
`),process.env.DEPLOY_ACTIONS_DEBUG&&process.stderr.write(`${s.stack}
`),process.exitCode=n.failed)}
