import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a}from"./chunk-LVZHFTZC.js";import"./chunk-4DNL2T23.js";import"./chunk-U6CYMMKT.js";import"./chunk-GQ4G65QZ.js";import"./chunk-2LZKLGM4.js";import"./chunk-RWLCVO3Z.js";import"./chunk-IM7GNSPV.js";export{a as createGitHubClient};
