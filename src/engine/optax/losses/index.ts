/**
 * @file optax.losses: the loss functions, by optax's names in camelCase (also re-exported at the top of the
 * optax namespace, as optax does).
 */
export {
  type ClassAxisOptions,
  hingeLoss,
  klDivergence,
  sigmoidBinaryCrossEntropy,
  softmaxCrossEntropy,
  softmaxCrossEntropyWithIntegerLabels,
} from './classification.js';
export {
  type CosineOptions,
  cosineDistance,
  cosineSimilarity,
  huberLoss,
  l2Loss,
  logCosh,
  squaredError,
} from './regression.js';
