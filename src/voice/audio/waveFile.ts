// wavefile ships CommonJS with `export =` typings; Node's ESM loader exposes it as the default export.
import wavefile from 'wavefile';

/** wavefile's WaveFile class, re-exported so the CommonJS interop lives in one place. */
export const WaveFile = wavefile.WaveFile;
