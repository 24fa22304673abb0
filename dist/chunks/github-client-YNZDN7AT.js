import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a}from"./chunk-JQ6KHPOC.js";import"./chunk-VMQJZCYH.js";import"./chunk-U6CYMMKT.js";import"./chunk-GQ4G65QZ.js";import"./chunk-5BPJX434.js";import"./chunk-RWLCVO3Z.js";import"./chunk-IM7GNSPV.js";export{a as createGitHubClient};
