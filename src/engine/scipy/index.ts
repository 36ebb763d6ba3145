/**
 * @file tjax's scipy namespace (`import { scipy } from 'tjax'`): scipy.special, scipy.stats and
 * the divergences (scipy.divergences, with wasserstein_distance also under scipy.stats as in SciPy),
 * scipy.signal's convolutions.
 */

import * as divergences from './divergences.js';
import * as signal from './signal.js';
import * as specialMore from './special/index.js';
import * as specialBase from './special.js';
import * as statsBase from './stats/index.js';

export const stats = {
  ...statsBase,
  wasserstein_distance: divergences.wasserstein_distance,
  wassersteinDistance: divergences.wasserstein_distance,
};
/** scipy.special: special.ts's functions and those of special/ (gamma family, Bessel, ...). */
export const special = { ...specialBase, ...specialMore };
export { divergences, signal };
