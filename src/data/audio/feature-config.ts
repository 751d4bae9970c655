// Whisper feature settings from an HF preprocessor_config.json (WhisperFeatureExtractor fields).
import { z } from 'zod';
import { AudioError } from './types';

/** Settings of the Whisper log-mel front end. */
export interface WhisperFeatureConfig {
  /** Mel bins (`feature_size`): 80, or 128 for large-v3. */
  featureSize: number;
  samplingRate: number;
  hopLength: number;
  nFft: number;
  /** Samples after padding/trimming (`chunk_length * sampling_rate`). */
  nSamples: number;
  /** Frames out (`n_samples / hop_length`); the STFT's extra last frame is dropped. */
  nbMaxFrames: number;
  paddingValue: number;
  /** Zero-mean unit-variance normalization of the waveform before padding (HF `do_normalize`). */
  doNormalize: boolean;
}

/** whisper-tiny's preprocessor_config.json: 80 mels, 30 s chunks. */
export const WHISPER_DEFAULTS: WhisperFeatureConfig = {
  featureSize: 80, samplingRate: 16000, hopLength: 160, nFft: 400, nSamples: 480000, nbMaxFrames: 3000,
  paddingValue: 0, doNormalize: false,
};

const posInt = z.number().int().positive();
const schema = z.object({
  feature_extractor_type: z.string().optional(),
  feature_size: posInt.optional(),
  sampling_rate: posInt.optional(),
  hop_length: posInt.optional(),
  n_fft: posInt.optional(),
  chunk_length: z.number().positive().optional(),
  n_samples: posInt.optional(),
  nb_max_frames: posInt.optional(),
  padding_value: z.number().optional(),
  do_normalize: z.boolean().optional(),
});

/**
 * Read the feature fields of a preprocessor_config.json (parsed JSON); unknown keys are ignored.
 * As WhisperFeatureExtractor, `n_samples = chunk_length * sampling_rate` and
 * `nb_max_frames = n_samples / hop_length`; stored values that disagree are an error.
 */
export function whisperFeatureConfigFromHf(json: unknown, name = 'preprocessor_config.json'): WhisperFeatureConfig {
  const r = schema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new AudioError(name, `invalid ${i.path.join('.') || 'config'}: ${i.message}`);
  }
  const c = r.data;
  if (c.feature_extractor_type !== undefined && c.feature_extractor_type !== 'WhisperFeatureExtractor') {
    throw new AudioError(name, `feature_extractor_type is ${c.feature_extractor_type}, expected WhisperFeatureExtractor`);
  }
  const d = WHISPER_DEFAULTS;
  const samplingRate = c.sampling_rate ?? d.samplingRate;
  const hopLength = c.hop_length ?? d.hopLength;
  const nFft = c.n_fft ?? d.nFft;
  let nSamples: number;
  if (c.chunk_length !== undefined) {
    nSamples = c.chunk_length * samplingRate;
    if (!Number.isInteger(nSamples)) throw new AudioError(name, `chunk_length ${c.chunk_length} s is not a whole number of samples at ${samplingRate} Hz`);
    if (c.n_samples !== undefined && c.n_samples !== nSamples) {
      throw new AudioError(name, `n_samples is ${c.n_samples} but chunk_length * sampling_rate is ${nSamples}`);
    }
  } else {
    nSamples = c.n_samples ?? d.nSamples;
  }
  const nbMaxFrames = Math.floor(nSamples / hopLength);
  if (c.nb_max_frames !== undefined && c.nb_max_frames !== nbMaxFrames) {
    throw new AudioError(name, `nb_max_frames is ${c.nb_max_frames} but n_samples / hop_length is ${nbMaxFrames}`);
  }
  if (nSamples < nFft) throw new AudioError(name, `n_samples ${nSamples} is shorter than n_fft ${nFft}`);
  return {
    featureSize: c.feature_size ?? d.featureSize, samplingRate, hopLength, nFft, nSamples, nbMaxFrames,
    paddingValue: c.padding_value ?? d.paddingValue, doNormalize: c.do_normalize ?? d.doNormalize,
  };
}
