#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a as O,b as g,c as h,d as C,e as k,g as S,h as E,j,k as P,l as _,m as G}from"../chunks/chunk-BDNM3B56.js";import{a as x,b as M,d as u}from"../chunks/chunk-XY7QUVLB.js";var R=M((F,I)=>{I.exports=x("node:util")});var d=u(_(),1),m=u(G(),1),A=u(R(),1);var p=class{#r=new Set;#e;constructor(e){this.#e=e}debug(e){this.#e.verbose&&this.#e.err(this.#s("2",`debug: ${this.#t(e)}`))}info(e){this.#e.out(this.#t(e))}warning(e,t){this.#e.err(this.#s("33",`warning: ${this.#o(t)}${this.#t(e)}`))}error(e,t){this.#e.err(this.#s("31",`error: ${this.#o(t)}${this.#t(e)}`))}group(e,t){this.#e.verbose&&(this.#e.out(this.#s("1",`\u2500\u2500 ${this.#t(e)}`)),t())}untrusted(e){this.#e.out(this.#t(e))}mask(e){for(let t of e.split(/\r?\n/))t.trim()&&this.#r.add(t.trim())}#t(e){let t=e;for(let o of[...this.#r].sort((i,a)=>a.length-i.length))t=t.split(o).join("***");return t}#o(e){return e?.title?`${this.#t(e.title)}: `:""}#s(e,t){return this.#e.colour?`\x1B[${e}m${t}\x1B[0m`:t}};var n={ok:0,failed:1,badInput:2,interrupted:130},c={"health-check":{summary:"Probe a service (HTTP, TCP, command, PromQL) and judge it over several measurements.",inputs:E}},U={json:{type:"boolean",default:!1},verbose:{type:"boolean",default:!1},help:{type:"boolean",short:"h",default:!1}};function f(s){if(!s||!c[s])return["Usage: deploy-actions <command> [options]","","Commands:",...Object.entries(c).map(([o,{summary:i}])=>`  ${o.padEnd(14)} ${i}`),"","Run deploy-actions <command> --help for its options."].join(`
`);let e=Object.entries(c[s].inputs).map(([t,o])=>{let i=o.default?` (default: ${o.default})`:"";return`  --${t.padEnd(24)} ${o.description}${i}`});return[`Usage: deploy-actions ${s} [options]`,"",c[s].summary,"","Options (the same as the action inputs):",...e,`  --${"json".padEnd(24)} Print the JSON report on stdout instead of the summary.`,`  --${"verbose".padEnd(24)} Show each probe's measurements and debug lines.`].join(`
`)}async function D(s){let[e,...t]=s;if(!e||e==="--help"||e==="-h"||e==="help")return process.stdout.write(`${f()}
`),e?n.ok:n.badInput;let o=c[e];if(!o)return process.stderr.write(`Unknown command "${e}".

${f()}
`),n.badInput;let i=Object.fromEntries(Object.keys(o.inputs).map(r=>[r,{type:"string"}])),{values:a}=(0,A.parseArgs)({args:[...t],options:{...i,...U},strict:!0,allowPositionals:!1});if(a.help)return process.stdout.write(`${f(e)}
`),n.ok;let b=a.json===!0,y=new p({verbose:a.verbose===!0,colour:process.stdout.isTTY===!0&&!process.env.NO_COLOR,out:r=>(b?process.stderr:process.stdout).write(`${r}
`),err:r=>process.stderr.write(`${r}
`)}),$=new AbortController,v=r=>$.abort(new g(`interrupted by ${r}`));process.once("SIGINT",v),process.once("SIGTERM",v);let w=process.cwd(),T=Object.fromEntries(Object.keys(o.inputs).map(r=>[r,a[r]])),L=j(T,r=>(0,d.readFileSync)(m.default.resolve(w,r),"utf8")),l=await P(L,{logger:y,clock:k,runner:new S({baseEnv:process.env}),redactor:new C(y),signal:$.signal,writeFile:(r,N)=>(0,d.writeFileSync)(m.default.resolve(w,r),N)});return b?process.stdout.write(`${JSON.stringify(l.report,null,2)}
`):process.stdout.write(`
${l.summary}
`),l.verdict==="successful"?n.ok:n.failed}try{process.exitCode=await D(process.argv.slice(2))}catch(s){s instanceof O||s.code?.startsWith("ERR_PARSE_ARGS")?(process.stderr.write(`error: ${h(s)}
`),process.exitCode=n.badInput):s instanceof g?(process.stderr.write(`${s.message}: stopped; nothing was left running.
`),process.exitCode=n.interrupted):(process.stderr.write(`error: ${h(s)}
`),process.env.DEPLOY_ACTIONS_DEBUG&&process.stderr.write(`${s.stack}
`),process.exitCode=n.failed)}
