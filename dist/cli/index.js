#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{C as j,a as G,b as M,c as g,d as O,e as f,f as h,i as C,p as E,q as U,r as D,u as S,v as k,x as A,y as R}from"../chunks/chunk-TDITWNBQ.js";var P=M((H,I)=>{I.exports=G("node:util")});var l=g(D(),1),b=g(U(),1),N=g(P(),1);var p=class{#s=new A;#e;constructor(e){this.#e=e}debug(e){this.#e.verbose&&this.#e.err(this.#r("2",`debug: ${this.#t(e)}`))}info(e){this.#e.out(this.#t(e))}warning(e,s){this.#e.err(this.#r("33",`warning: ${this.#o(s)}${this.#t(e)}`))}error(e,s){this.#e.err(this.#r("31",`error: ${this.#o(s)}${this.#t(e)}`))}group(e,s){this.#e.verbose&&(this.#e.out(this.#r("1",`\u2500\u2500 ${this.#t(e)}`)),s())}untrusted(e){this.#e.out(this.#t(e))}untrustedStream(){return{line:e=>this.untrusted(e),end:()=>{}}}mask(e){this.#s.add(e)}#t(e){return this.#s.redact(e)}#o(e){return e?.title?`${this.#t(e.title)}: `:""}#r(e,s){return this.#e.colour?`\x1B[${e}m${s}\x1B[0m`:s}};var n={ok:0,failed:1,badInput:2,interrupted:130},c=E,F={json:{type:"boolean",default:!1},verbose:{type:"boolean",default:!1},help:{type:"boolean",short:"h",default:!1}};function m(t){if(!t||!c[t])return["Usage: deploy-actions <command> [options]","","Commands:",...Object.entries(c).map(([o,{summary:a}])=>`  ${o.padEnd(14)} ${a}`),"","Run deploy-actions <command> --help for its options."].join(`
`);let e=Object.entries(c[t].inputs).map(([s,o])=>{let a=o.default?` (default: ${o.default})`:"";return`  --${s.padEnd(24)} ${o.description}${a}`});return[`Usage: deploy-actions ${t} [options]`,"",c[t].summary,"","Options (the same as the action inputs):",...e,`  --${"json".padEnd(24)} Print the JSON report on stdout instead of the summary.`,`  --${"verbose".padEnd(24)} Show each probe's measurements and debug lines.`].join(`
`)}async function J(t){let[e,...s]=t;if(!e||e==="--help"||e==="-h"||e==="help")return process.stdout.write(`${m()}
`),e?n.ok:n.badInput;let o=c[e];if(!o)return process.stderr.write(`Unknown command "${e}".

${m()}
`),n.badInput;let a=Object.fromEntries(Object.keys(o.inputs).map(r=>[r,{type:"string"}])),{values:d}=(0,N.parseArgs)({args:[...s],options:{...a,...F},strict:!0,allowPositionals:!1});if(d.help)return process.stdout.write(`${m(e)}
`),n.ok;let y=d.json===!0,u=new p({verbose:d.verbose===!0,colour:process.stdout.isTTY===!0&&!process.env.NO_COLOR,out:r=>(y?process.stderr:process.stdout).write(`${r}
`),err:r=>process.stderr.write(`${r}
`)}),v=new AbortController,w=r=>v.abort(new f(`interrupted by ${r}`));process.once("SIGINT",w),process.once("SIGTERM",w);let $=process.cwd(),x=d,L=Object.fromEntries(Object.keys(o.inputs).map(r=>[r,x[r]])),T=C(L,r=>(0,l.readFileSync)(b.default.resolve($,r),"utf8")),i=await j(T,{logger:u,clock:k,runner:new S({baseEnv:process.env}),redactor:new R(u),signal:v.signal,writeFile:(r,_)=>(0,l.writeFileSync)(b.default.resolve($,r),_)});return i.verdict!=="successful"&&u.error(i.message,{title:i.title}),y?process.stdout.write(`${JSON.stringify(i.report,null,2)}
`):process.stdout.write(`
${i.text}
`),i.verdict==="successful"?n.ok:n.failed}try{process.exitCode=await J(process.argv.slice(2))}catch(t){t instanceof O||t.code?.startsWith("ERR_PARSE_ARGS")?(process.stderr.write(`error: ${h(t)}
`),process.exitCode=n.badInput):t instanceof f?(process.stderr.write(`${t.message}: stopped; nothing was left running.
`),process.exitCode=n.interrupted):(process.stderr.write(`error: ${h(t)}
`),process.env.DEPLOY_ACTIONS_DEBUG&&process.stderr.write(`${t.stack}
`),process.exitCode=n.failed)}
