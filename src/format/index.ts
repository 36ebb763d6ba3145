/**
 * @file Public entry point of src/format: array file readers and writers. Number and array printing
 * (formatScalar, formatRepr) comes from the engine's src/engine/core/print.
 */

export { writeFileAtomic } from './atomic.js';
export { type CsvOptions, type CsvResult, readCsv, sniffDelimiter } from './csv.js';
export {
  allocData,
  checkHostArray,
  DTYPE_NAMES,
  type DTypeName,
  elementAt,
  FormatError,
  floatToHalf,
  type HostArray,
  type HostData,
  halfToFloat,
  itemSize,
  shapeRepr,
  shapeSize,
} from './host-array.js';
export { isHostArray, type JsonTree, parseJsonValue, toJson } from './json.js';
export { readNpy, writeNpy } from './npy.js';
export { npzGet, readNpz, writeNpz } from './npz.js';
export { type SniffedFormat, sniffFormat } from './sniff.js';
export { formatCsv, formatRepr, formatScalar, formatText } from './text.js';
