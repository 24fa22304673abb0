import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a}from"./chunk-EC6CHG4P.js";import"./chunk-IM7GNSPV.js";export default a();
