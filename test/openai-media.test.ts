import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { clientToken } from './helpers/secrets.ts';
import { useMockAndService } from './helpers/with-service.ts';
import type { ReceivedRequest } from './mock-upstream/mock-gemini.ts';

/*
 * The image and audio endpoints end to end with the official openai SDK. Gemini's answers here are
 * written after Google's documented shapes (image parts as inlineData, TTS audio as 24 kHz L16 PCM,
 * Imagen's `predictions[].bytesBase64Encoded`): no recording of them is public.
 */

/** A 1×1 PNG. */
const pixel = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
/** 480 samples (20 ms at 24 kHz) of a ramp, as Gemini's TTS would send them. */
const samples = Buffer.alloc(960);
for (let index = 0; index < 480; index++) samples.writeInt16LE(index * 64 - 15_000, index * 2);

const segments = [
  { start: 0, end: 2.5, text: 'Hello there.' },
  { start: 2.5, end: 61.25, text: 'This is a test.' },
];

function answer(response: ServerResponse, body: unknown): true {
  response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  response.end(JSON.stringify(body));
  return true;
}

function candidate(parts: unknown[]) {
  return { candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }] };
}

function mediaAnswers(request: ReceivedRequest, response: ServerResponse): boolean {
  if (request.url.includes('imagen-4.0-generate-001:predict')) {
    const count = (JSON.parse(request.body.toString('utf8')) as { parameters: { sampleCount: number } })
      .parameters.sampleCount;
    const predictions = Array.from({ length: count }, () => ({
      bytesBase64Encoded: pixel,
      mimeType: 'image/png',
    }));
    return answer(response, { predictions });
  }
  if (request.url.includes('-image:generateContent')) {
    return answer(
      response,
      candidate([{ text: 'A red pixel.' }, { inlineData: { mimeType: 'image/png', data: pixel } }]),
    );
  }
  if (request.url.includes('-tts:generateContent')) {
    const audio = {
      inlineData: { mimeType: 'audio/L16;codec=pcm;rate=24000', data: samples.toString('base64') },
    };
    return answer(response, candidate([audio]));
  }
  if (
    request.url.includes('gemini-2.5-flash:generateContent') &&
    request.body.includes('Transcribe this audio')
  ) {
    return answer(response, candidate([{ text: JSON.stringify({ language: 'en', segments }) }]));
  }
  return false;
}

type Body = Record<string, unknown> & {
  contents: Array<{ parts: Array<Record<string, unknown>> }>;
  generationConfig: Record<string, unknown>;
};

describe('images and audio through the openai SDK', () => {
  const bed = useMockAndService({ override: mediaAnswers });
  const client = () => new OpenAI({ apiKey: clientToken, baseURL: `${bed.service.url}/v1`, maxRetries: 0 });
  const lastBody = (pathPart: string): Body => {
    const request = bed.mock.requestsTo(pathPart).at(-1);
    assert.ok(request, `the upstream saw ${pathPart}`);
    return JSON.parse(request.body.toString('utf8')) as Body;
  };

  test('images.generate with a Gemini image model: one call per image, size as aspect ratio, b64_json', async () => {
    const before = bed.mock.requestsTo('gemini-2.5-flash-image:generateContent').length;
    const result = await client().images.generate({
      model: 'dall-e-3',
      prompt: 'A red pixel',
      n: 2,
      size: '1792x1024',
    });
    assert.equal(result.data?.length, 2);
    assert.equal(result.data?.[0]?.b64_json, pixel);
    assert.equal(result.data?.[0]?.revised_prompt, 'A red pixel.');
    assert.equal(bed.mock.requestsTo('gemini-2.5-flash-image:generateContent').length - before, 2);
    const body = lastBody('gemini-2.5-flash-image:generateContent');
    assert.deepEqual(body.generationConfig, {
      responseModalities: ['TEXT', 'IMAGE'],
      imageConfig: { aspectRatio: '16:9' },
    });
    assert.deepEqual(body.contents[0]?.parts, [{ text: 'A red pixel' }]);
  });

  test('images.generate with Imagen: n in one :predict call', async () => {
    const result = await client().images.generate({
      model: 'imagen-4.0-generate-001',
      prompt: 'Pixels',
      n: 3,
      size: '1024x1024',
    });
    assert.equal(result.data?.length, 3);
    assert.ok(result.data?.every((image) => image.b64_json === pixel));
    const body = lastBody('imagen-4.0-generate-001:predict');
    assert.deepEqual(body, {
      instances: [{ prompt: 'Pixels' }],
      parameters: { sampleCount: 3, aspectRatio: '1:1' },
    });
  });

  test('images.edit sends the uploaded images (multipart) to the Gemini image model', async () => {
    const image = await toFile(Buffer.from(pixel, 'base64'), 'pixel.png', { type: 'image/png' });
    const result = await client().images.edit({
      model: 'gemini-2.5-flash-image',
      image,
      prompt: 'Make it blue',
    });
    assert.equal(result.data?.[0]?.b64_json, pixel);
    const body = lastBody('gemini-2.5-flash-image:generateContent');
    assert.deepEqual(body.contents[0]?.parts, [
      { text: 'Make it blue' },
      { inlineData: { mimeType: 'image/png', data: pixel } },
    ]);
  });

  test('images.edit without an image, and a bad size, are 400s naming the parameter', async () => {
    await assert.rejects(
      client().images.generate({ model: 'gemini-2.5-flash-image', prompt: 'x', size: 'huge' as '1024x1024' }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'size',
    );
    const form = new FormData();
    form.set('prompt', 'x');
    const response = await fetch(`${bed.service.url}/v1/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientToken}` },
      body: form,
    });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { param: string } }).error.param, 'image');
  });

  test('audio.speech.create answers a WAV of Gemini’s PCM with the mapped voice', async () => {
    const response = await client().audio.speech.create({
      model: 'gpt-4o-mini-tts',
      voice: 'nova',
      input: 'Hello there.',
      response_format: 'wav',
      instructions: 'Cheerfully.',
    });
    assert.equal(response.headers.get('content-type'), 'audio/wav');
    const wav = Buffer.from(await response.arrayBuffer());
    assert.equal(wav.subarray(0, 4).toString('latin1'), 'RIFF');
    assert.equal(wav.subarray(8, 12).toString('latin1'), 'WAVE');
    assert.equal(wav.readUInt16LE(20), 1, 'PCM');
    assert.equal(wav.readUInt16LE(22), 1, 'mono');
    assert.equal(wav.readUInt32LE(24), 24_000, 'sample rate');
    assert.equal(wav.readUInt16LE(34), 16, 'bits per sample');
    assert.equal(wav.subarray(36, 40).toString('latin1'), 'data');
    assert.equal(wav.readUInt32LE(40), samples.length);
    assert.ok(wav.subarray(44).equals(samples), 'the samples are Gemini’s, unchanged');
    const body = lastBody('gemini-2.5-flash-preview-tts:generateContent');
    assert.deepEqual(body.generationConfig, {
      responseModalities: ['AUDIO'],
      speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Leda' } } },
    });
    assert.deepEqual(body.contents[0]?.parts, [{ text: 'Cheerfully.\n\nHello there.' }]);
  });

  test('audio.speech.create: pcm is the raw samples; mp3 is a 400 naming the formats that work', async () => {
    const pcm = await client().audio.speech.create({
      model: 'tts-1',
      voice: 'Kore',
      input: 'Hi',
      response_format: 'pcm',
    });
    assert.ok(Buffer.from(await pcm.arrayBuffer()).equals(samples));
    await assert.rejects(
      client().audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hi', response_format: 'mp3' }),
      (error: unknown) =>
        error instanceof OpenAI.BadRequestError &&
        error.param === 'response_format' &&
        /'wav' or 'pcm'/.test(error.message),
    );
  });

  test('audio.transcriptions.create: json, text, srt and vtt from Gemini’s timed segments', async () => {
    const file = await toFile(samples, 'speech.wav', { type: 'application/octet-stream' });
    const json = await client().audio.transcriptions.create({ model: 'whisper-1', file, language: 'en' });
    assert.equal(json.text, 'Hello there. This is a test.');
    const body = lastBody('gemini-2.5-flash:generateContent');
    assert.deepEqual(body.contents[0]?.parts[1], {
      inlineData: { mimeType: 'audio/wav', data: samples.toString('base64') },
    });
    assert.match(String(body.contents[0]?.parts[0]?.text), /ISO-639-1 code 'en'/);
    const text = await client().audio.transcriptions.create({
      model: 'whisper-1',
      file,
      response_format: 'text',
    });
    assert.equal(String(text).trim(), 'Hello there. This is a test.');
    const srt = await client().audio.transcriptions.create({
      model: 'whisper-1',
      file,
      response_format: 'srt',
    });
    assert.equal(
      String(srt),
      '1\n00:00:00,000 --> 00:00:02,500\nHello there.\n\n2\n00:00:02,500 --> 00:01:01,250\nThis is a test.\n',
    );
    const vtt = await client().audio.transcriptions.create({
      model: 'whisper-1',
      file,
      response_format: 'vtt',
    });
    assert.ok(String(vtt).startsWith('WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nHello there.\n'));
  });
});
