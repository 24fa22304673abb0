#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a as _,b as G,c as g,d as O,e as f,f as h,i as C,j as E,l as k,m as S,n as A,o as j,p as M,q as U}from"../chunks/chunk-YX6ASYBG.js";var I=G((J,R)=>{R.exports=_("node:util")});var p=g(M(),1),b=g(U(),1),P=g(I(),1);var l=class{#r=new Set;#e;constructor(e){this.#e=e}debug(e){this.#e.verbose&&this.#e.err(this.#s("2",`debug: ${this.#t(e)}`))}info(e){this.#e.out(this.#t(e))}warning(e,t){this.#e.err(this.#s("33",`warning: ${this.#o(t)}${this.#t(e)}`))}error(e,t){this.#e.err(this.#s("31",`error: ${this.#o(t)}${this.#t(e)}`))}group(e,t){this.#e.verbose&&(this.#e.out(this.#s("1",`\u2500\u2500 ${this.#t(e)}`)),t())}untrusted(e){this.#e.out(this.#t(e))}mask(e){for(let t of e.split(/\r?\n/))t.trim()&&this.#r.add(t.trim())}#t(e){let t=e;for(let o of[...this.#r].sort((i,a)=>a.length-i.length))t=t.split(o).join("***");return t}#o(e){return e?.title?`${this.#t(e.title)}: `:""}#s(e,t){return this.#e.colour?`\x1B[${e}m${t}\x1B[0m`:t}};var n={ok:0,failed:1,badInput:2,interrupted:130},d=E,D={json:{type:"boolean",default:!1},verbose:{type:"boolean",default:!1},help:{type:"boolean",short:"h",default:!1}};function m(s){if(!s||!d[s])return["Usage: deploy-actions <command> [options]","","Commands:",...Object.entries(d).map(([o,{summary:i}])=>`  ${o.padEnd(14)} ${i}`),"","Run deploy-actions <command> --help for its options."].join(`
`);let e=Object.entries(d[s].inputs).map(([t,o])=>{let i=o.default?` (default: ${o.default})`:"";return`  --${t.padEnd(24)} ${o.description}${i}`});return[`Usage: deploy-actions ${s} [options]`,"",d[s].summary,"","Options (the same as the action inputs):",...e,`  --${"json".padEnd(24)} Print the JSON report on stdout instead of the summary.`,`  --${"verbose".padEnd(24)} Show each probe's measurements and debug lines.`].join(`
`)}async function F(s){let[e,...t]=s;if(!e||e==="--help"||e==="-h"||e==="help")return process.stdout.write(`${m()}
`),e?n.ok:n.badInput;let o=d[e];if(!o)return process.stderr.write(`Unknown command "${e}".

${m()}
`),n.badInput;let i=Object.fromEntries(Object.keys(o.inputs).map(r=>[r,{type:"string"}])),{values:a}=(0,P.parseArgs)({args:[...t],options:{...i,...D},strict:!0,allowPositionals:!1});if(a.help)return process.stdout.write(`${m(e)}
`),n.ok;let w=a.json===!0,u=new l({verbose:a.verbose===!0,colour:process.stdout.isTTY===!0&&!process.env.NO_COLOR,out:r=>(w?process.stderr:process.stdout).write(`${r}
`),err:r=>process.stderr.write(`${r}
`)}),y=new AbortController,$=r=>y.abort(new f(`interrupted by ${r}`));process.once("SIGINT",$),process.once("SIGTERM",$);let v=process.cwd(),N=a,x=Object.fromEntries(Object.keys(o.inputs).map(r=>[r,N[r]])),L=C(x,r=>(0,p.readFileSync)(b.default.resolve(v,r),"utf8")),c=await j(L,{logger:u,clock:S,runner:new k({baseEnv:process.env}),redactor:new A(u),signal:y.signal,writeFile:(r,T)=>(0,p.writeFileSync)(b.default.resolve(v,r),T)});return c.verdict!=="successful"&&u.error(c.message,{title:c.title}),w?process.stdout.write(`${JSON.stringify(c.report,null,2)}
`):process.stdout.write(`
${c.text}
`),c.verdict==="successful"?n.ok:n.failed}try{process.exitCode=await F(process.argv.slice(2))}catch(s){s instanceof O||s.code?.startsWith("ERR_PARSE_ARGS")?(process.stderr.write(`error: ${h(s)}
`),process.exitCode=n.badInput):s instanceof f?(process.stderr.write(`${s.message}: stopped; nothing was left running.
`),process.exitCode=n.interrupted):(process.stderr.write(`error: ${h(s)}
`),process.env.DEPLOY_ACTIONS_DEBUG&&process.stderr.write(`${s.stack}
`),process.exitCode=n.failed)}
