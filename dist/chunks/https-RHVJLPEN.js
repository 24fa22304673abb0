import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a as t}from"./chunk-IM7GNSPV.js";var e=t("node:https"),r=e,o=e.Agent,n=e.globalAgent,c=e.Server,s=e.createServer,g=e.get,p=e.request;export{o as Agent,c as Server,s as createServer,r as default,g as get,n as globalAgent,p as request};
