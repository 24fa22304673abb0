import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a as r,b as i}from"./chunk-XY7QUVLB.js";var o=i((p,e)=>{e.exports=r("node:http")});export default o();
