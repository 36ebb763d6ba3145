/**
 * @file The batch rule of `threefry2x32`: the cipher is elementwise in its four uint32 operands
 * (keys and counters broadcast against each other), so vmap batches it as JAX does
 * (`batching.defbroadcasting`), moving batch axes to the front and padding unbatched operands
 * with size-1 dimensions. `iota_2x32_shape` has no operands and needs none. With this rule,
 * `vmap(k => normal(k, [3]))(split(key, 4))` is one threefry over u32[4,3] rather than a loop.
 */
import { threefry2x32 } from '../primitives/random.js';
import { broadcastBatcher, setBatch } from '../transforms/rules/common.js';

setBatch(threefry2x32, broadcastBatcher(threefry2x32));
