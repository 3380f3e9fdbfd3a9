import { type ParameterSupport, samplingParameters } from '../core/generation-options.js';

/** A model that takes every sampling hint, up to OpenAI's temperature of 2. */
export const takesEverySamplingHint: ParameterSupport = {
  accepts: new Set(samplingParameters),
  maxTemperature: 2,
  maxStopSequences: 4,
};
