/**
 * @file tjax-blas's entry: `{ addon, reason }`, the compiled Node-API addon (src/blas.c), or null
 * and why not (the install step's record in build/failure.txt, else the load error). Never throws,
 * so tjax can fall back to its portable GEMM.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

let addon = null;
let reason = null;
try {
  addon = require('./build/Release/tjax_blas.node');
} catch (e) {
  const record = path.join(__dirname, 'build', 'failure.txt');
  reason = fs.existsSync(record)
    ? fs.readFileSync(record, 'utf8').split('\n')[0]
    : `the addon did not load (${String(e && e.message).split('\n')[0]})`;
}
module.exports = { addon, reason };
