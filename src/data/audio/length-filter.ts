// Seed 003's duration filter (`--min_audio_len`, `--max_audio_len`).

/** Duration bounds in seconds (defaults 0.5 and 30, as seed 003's CLI). */
export interface AudioLengthLimits {
  minAudioLen?: number;
  maxAudioLen?: number;
}

/** Why a clip of `seconds` falls outside [min, max] (bounds inclusive), or null when it is kept. */
export function audioLengthProblem(seconds: number, { minAudioLen = 0.5, maxAudioLen = 30 }: AudioLengthLimits = {}): string | null {
  if (!(minAudioLen >= 0) || !(maxAudioLen > 0) || minAudioLen > maxAudioLen) {
    throw new Error(`invalid audio length limits: min_audio_len ${minAudioLen}, max_audio_len ${maxAudioLen}`);
  }
  if (!Number.isFinite(seconds) || seconds < 0) return `duration ${seconds} s is not a valid length`;
  if (seconds < minAudioLen) return `duration ${seconds.toFixed(3)} s is shorter than min_audio_len ${minAudioLen} s`;
  if (seconds > maxAudioLen) return `duration ${seconds.toFixed(3)} s is longer than max_audio_len ${maxAudioLen} s`;
  return null;
}
