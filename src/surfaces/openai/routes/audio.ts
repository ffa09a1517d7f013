import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientAbortSignal } from '../../../dispatch/client-abort-signal.ts';
import type { Dispatcher } from '../../../dispatch/dispatcher.ts';
import { errors } from '../../../errors/app-error.ts';
import { parseWith, speechSchema, transcriptionSchema } from '../schema/media-request-schemas.ts';
import { convertSpeechRequest, readSpeech, speechContentTypes } from '../translate/convert-speech.ts';
import {
  audioMimeType,
  formatTranscript,
  readTranscript,
  transcriptionBody,
  transcriptionModel,
} from '../translate/convert-transcription.ts';
import { callGeminiAnswer } from './call-gemini-answer.ts';
import { readForm } from './read-form.ts';

/** `POST /v1/audio/speech` through a Gemini TTS model; answers the audio file itself. */
export async function createSpeech(
  request: FastifyRequest,
  reply: FastifyReply,
  dispatcher: Dispatcher,
): Promise<FastifyReply> {
  const speech = parseWith(speechSchema, request.body);
  const converted = convertSpeechRequest(speech);
  const call = {
    method: 'POST',
    path: `/v1beta/models/${encodeURIComponent(converted.model)}:generateContent`,
    model: converted.model,
    requestedModel: speech.model,
    body: converted.body,
    signal: clientAbortSignal(reply),
  } as const;
  const audio = readSpeech(await callGeminiAnswer(dispatcher, call, request), converted.format);
  return reply.type(speechContentTypes[converted.format]).send(audio);
}

/**
 * `POST /v1/audio/transcriptions` (multipart `file`, `model`, …) through generateContent with the
 * audio inline; json, text, srt, vtt and verbose_json answers.
 */
export async function createTranscription(
  request: FastifyRequest,
  reply: FastifyReply,
  dispatcher: Dispatcher,
): Promise<FastifyReply> {
  const form = await readForm(request);
  const transcription = parseWith(transcriptionSchema, form.fields);
  const file = form.files.get('file')?.[0];
  if (file === undefined || file.bytes.length === 0)
    throw errors.invalidArgument('Send the audio as file.', 'file');
  const model = transcriptionModel(transcription.model);
  const audio = { mimeType: audioMimeType(file.mimeType, file.name), data: file.bytes.toString('base64') };
  const call = {
    method: 'POST',
    path: `/v1beta/models/${encodeURIComponent(model)}:generateContent`,
    model,
    requestedModel: transcription.model,
    body: transcriptionBody(transcription, audio),
    signal: clientAbortSignal(reply),
  } as const;
  const transcript = readTranscript(await callGeminiAnswer(dispatcher, call, request));
  const formatted = formatTranscript(transcript, transcription.response_format ?? 'json');
  return reply.type(formatted.contentType).send(formatted.body);
}
