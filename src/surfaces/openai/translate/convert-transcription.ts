import { z } from 'zod';
import { errors } from '../../../errors/app-error.ts';
import { geminiResponseSchema } from '../../../gemini/response-schema.ts';
import type { GeminiGenerateContentRequest } from '../../../gemini/types.ts';
import { parseJsonOrUndefined } from '../../../json/lenient-json.ts';
import type { TranscriptionRequest } from '../schema/media-request-schemas.ts';

/** The model `/v1/audio/transcriptions` uses for OpenAI names (`whisper-1`, `gpt-4o-transcribe`…). */
export const defaultTranscriptionModel = 'gemini-2.5-flash';

export type Segment = { start: number; end: number; text: string };
export type Transcript = { text: string; language: string | undefined; segments: Segment[] };

/** Audio types Gemini reads, by file extension, for uploads sent as application/octet-stream. */
const audioTypes: Record<string, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mp3',
  mpeg: 'audio/mpeg',
  mpga: 'audio/mpeg',
  m4a: 'audio/aac',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  aiff: 'audio/aiff',
  webm: 'audio/webm',
  mp4: 'audio/mp4',
};

export function transcriptionModel(requested: string): string {
  return /^gemini-/.test(requested) ? requested : defaultTranscriptionModel;
}

/** The upload's audio type: its own when it names audio, else from the file name; a 400 otherwise. */
export function audioMimeType(declared: string, fileName: string): string {
  if (declared.startsWith('audio/') || declared === 'video/mp4' || declared === 'video/webm') return declared;
  const extension = fileName.split('.').pop()?.toLowerCase() ?? '';
  const mimeType = audioTypes[extension];
  if (mimeType === undefined) {
    throw errors.invalidArgument(
      `The file is not audio Gemini reads (${Object.keys(audioTypes).join(', ')}).`,
      'file',
    );
  }
  return mimeType;
}

/**
 * The generateContent body: the audio inline and an instruction to transcribe verbatim into timed
 * segments, answered as JSON (so srt/vtt have times). `prompt` and `language` go into the instruction.
 */
export function transcriptionBody(
  request: TranscriptionRequest,
  audio: { mimeType: string; data: string },
): GeminiGenerateContentRequest {
  const lines = [
    'Transcribe this audio verbatim. Split it into segments of at most about ten seconds, each with its start and end time in seconds.',
  ];
  if (typeof request.language === 'string')
    lines.push(`The audio is in the language with ISO-639-1 code '${request.language}'.`);
  if (typeof request.prompt === 'string' && request.prompt !== '')
    lines.push(`Context and spellings: ${request.prompt}`);
  const generationConfig: GeminiGenerateContentRequest['generationConfig'] = {
    responseMimeType: 'application/json',
    responseSchema: {
      type: 'OBJECT',
      properties: {
        language: { type: 'STRING' },
        segments: {
          type: 'ARRAY',
          items: {
            type: 'OBJECT',
            properties: { start: { type: 'NUMBER' }, end: { type: 'NUMBER' }, text: { type: 'STRING' } },
            required: ['start', 'end', 'text'],
          },
        },
      },
      required: ['segments'],
    },
  };
  if (typeof request.temperature === 'number') generationConfig.temperature = request.temperature;
  return {
    contents: [{ role: 'user', parts: [{ text: lines.join(' ') }, { inlineData: audio }] }],
    generationConfig,
  };
}

const transcriptSchema = z.looseObject({
  language: z.string().nullish(),
  segments: z.array(z.looseObject({ start: z.number(), end: z.number(), text: z.string() })),
});

/** Gemini's answer → the transcript; an answer that is not the asked JSON becomes one untimed segment. */
export function readTranscript(answer: unknown): Transcript {
  const parsed = geminiResponseSchema.safeParse(answer);
  if (!parsed.success) throw errors.upstreamUnreadable('a transcription answer', parsed.error);
  const text = (parsed.data.candidates?.[0]?.content?.parts ?? [])
    .flatMap((part) => (typeof part.text === 'string' && part.thought !== true ? [part.text] : []))
    .join('');
  const structured = transcriptSchema.safeParse(parseJsonOrUndefined(text));
  if (!structured.success)
    return { text: text.trim(), language: undefined, segments: [{ start: 0, end: 0, text: text.trim() }] };
  const segments = structured.data.segments.map((segment) => ({ ...segment, text: segment.text.trim() }));
  return {
    text: segments.map((segment) => segment.text).join(' '),
    language: structured.data.language ?? undefined,
    segments,
  };
}

/** The transcript in OpenAI's `response_format`: its body and content type. */
export function formatTranscript(
  transcript: Transcript,
  format: NonNullable<TranscriptionRequest['response_format']>,
): { body: string; contentType: string } {
  switch (format) {
    case 'text':
      return { body: `${transcript.text}\n`, contentType: 'text/plain; charset=utf-8' };
    case 'srt':
      return {
        body: toSubtitles(transcript.segments, 'srt'),
        contentType: 'application/x-subrip; charset=utf-8',
      };
    case 'vtt':
      return {
        body: `WEBVTT\n\n${toSubtitles(transcript.segments, 'vtt')}`,
        contentType: 'text/vtt; charset=utf-8',
      };
    case 'verbose_json':
      return { body: JSON.stringify(verbose(transcript)), contentType: 'application/json; charset=utf-8' };
    default:
      return {
        body: JSON.stringify({ text: transcript.text }),
        contentType: 'application/json; charset=utf-8',
      };
  }
}

function verbose(transcript: Transcript) {
  return {
    task: 'transcribe',
    language: transcript.language ?? 'unknown',
    duration: transcript.segments.at(-1)?.end ?? 0,
    text: transcript.text,
    segments: transcript.segments.map((segment, id) => ({
      id,
      seek: 0,
      ...segment,
      tokens: [],
      temperature: 0,
    })),
  };
}

function toSubtitles(segments: readonly Segment[], style: 'srt' | 'vtt'): string {
  return segments
    .map((segment, index) => {
      const times = `${timestamp(segment.start, style)} --> ${timestamp(segment.end, style)}`;
      return style === 'srt' ? `${index + 1}\n${times}\n${segment.text}\n` : `${times}\n${segment.text}\n`;
    })
    .join('\n');
}

/** Seconds → `HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` (VTT). */
export function timestamp(seconds: number, style: 'srt' | 'vtt'): string {
  const milliseconds = Math.max(0, Math.round(seconds * 1000));
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const hours = Math.floor(milliseconds / 3_600_000);
  const minutes = Math.floor(milliseconds / 60_000) % 60;
  const secs = Math.floor(milliseconds / 1000) % 60;
  return `${pad(hours)}:${pad(minutes)}:${pad(secs)}${style === 'srt' ? ',' : '.'}${pad(milliseconds % 1000, 3)}`;
}
