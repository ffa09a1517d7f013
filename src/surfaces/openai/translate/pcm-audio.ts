/**
 * Gemini speaks raw 16-bit little-endian PCM (`audio/L16;codec=pcm;rate=24000`, mono). OpenAI
 * clients ask for `wav` or `pcm`; WAV is the same samples behind a 44-byte RIFF header.
 */
export type PcmFormat = { sampleRate: number; channels: number };

const defaultFormat: PcmFormat = { sampleRate: 24_000, channels: 1 };

/** Reads the rate (and channels) from a Gemini audio mime type; 24 kHz mono when it says nothing. */
export function readPcmFormat(mimeType: string): PcmFormat {
  const rate = /rate=(\d+)/i.exec(mimeType)?.[1];
  const channels = /channels=(\d+)/i.exec(mimeType)?.[1];
  return {
    sampleRate: rate === undefined ? defaultFormat.sampleRate : Number(rate),
    channels: channels === undefined ? defaultFormat.channels : Number(channels),
  };
}

/** Whether a Gemini inline part is raw PCM (L16 or audio/pcm) rather than an encoded file. */
export function isRawPcm(mimeType: string): boolean {
  return /^audio\/(l16|pcm)\b/i.test(mimeType);
}

/** PCM samples → a WAV file (RIFF, PCM format 1, 16 bits). */
export function pcmToWav(pcm: Buffer, format: PcmFormat): Buffer {
  const header = Buffer.alloc(44);
  const blockAlign = format.channels * 2;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.sampleRate, 24);
  header.writeUInt32LE(format.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

/** Gemini audio bytes in the format the client asked for (`wav` or raw `pcm`). */
export function encodeAudio(data: Buffer, mimeType: string, format: 'wav' | 'pcm'): Buffer {
  if (!isRawPcm(mimeType)) return data;
  return format === 'pcm' ? data : pcmToWav(data, readPcmFormat(mimeType));
}
