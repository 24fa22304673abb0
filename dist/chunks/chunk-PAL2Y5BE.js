import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a as r,b as i}from"./chunk-IM7GNSPV.js";var o=i((p,e)=>{e.exports=r("node:util")});export{o as a};
