import { errors } from '../../../errors/app-error.ts';
import { geminiResponseSchema } from '../../../gemini/response-schema.ts';
import type { GeminiGenerateContentRequest } from '../../../gemini/types.ts';
import type { SpeechRequest } from '../schema/media-request-schemas.ts';
import { mapVoice } from './map-voice.ts';
import { encodeAudio } from './pcm-audio.ts';

/** The TTS model `/v1/audio/speech` uses for OpenAI model names (`tts-1`, `gpt-4o-mini-tts`…). */
export const defaultSpeechModel = 'gemini-2.5-flash-preview-tts';

export type SpeechFormat = 'wav' | 'pcm';

/** Content types of the formats we answer with. */
export const speechContentTypes: Record<SpeechFormat, string> = {
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

export type ConvertedSpeech = { model: string; body: GeminiGenerateContentRequest; format: SpeechFormat };

/**
 * An OpenAI speech request → a generateContent call to a Gemini TTS model. Gemini speaks 24 kHz
 * 16-bit PCM: `wav` and `pcm` are exact and `wav` is the default (OpenAI's default, mp3, would need an
 * encoder, so mp3/opus/aac/flac are a 400 naming what works). `instructions` lead the text, as
 * Gemini's TTS takes its style from the prompt; `speed` is said the same way.
 */
export function convertSpeechRequest(request: SpeechRequest): ConvertedSpeech {
  const format = request.response_format ?? 'wav';
  if (format !== 'wav' && format !== 'pcm') {
    throw errors.invalidArgument(
      `response_format '${format}' is not available: Gemini speaks PCM, served as 'wav' or 'pcm'.`,
      'response_format',
    );
  }
  const model = /^gemini-/.test(request.model) ? request.model : defaultSpeechModel;
  const voice = mapVoice(typeof request.voice === 'string' ? request.voice : request.voice.id, 'voice');
  const style = [request.instructions ?? '', speedInstruction(request.speed)].filter((line) => line !== '');
  const text = style.length > 0 ? `${style.join(' ')}\n\n${request.input}` : request.input;
  return {
    model,
    format,
    body: {
      contents: [{ role: 'user', parts: [{ text }] }],
      generationConfig: {
        responseModalities: ['AUDIO'],
        speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: voice } } },
      },
    },
  };
}

function speedInstruction(speed: number | null | undefined): string {
  if (speed === undefined || speed === null || speed === 1) return '';
  return speed > 1
    ? `Speak fast (about ${speed} times normal speed):`
    : `Speak slowly (about ${speed} times normal speed):`;
}

/** The audio of a TTS answer, in the asked format; a 502 when the answer holds no audio. */
export function readSpeech(answer: unknown, format: SpeechFormat): Buffer {
  const parsed = geminiResponseSchema.safeParse(answer);
  if (!parsed.success) throw errors.upstreamUnreadable('a speech answer', parsed.error);
  const parts = (parsed.data.candidates?.[0]?.content?.parts ?? []).flatMap((part) =>
    part.inlineData?.mimeType.startsWith('audio/') === true ? [part.inlineData] : [],
  );
  const first = parts[0];
  if (first === undefined) throw errors.upstreamUnreadable('a speech answer without audio, which');
  const samples = Buffer.concat(parts.map((part) => Buffer.from(part.data, 'base64')));
  return encodeAudio(samples, first.mimeType, format);
}
