import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imageModel, sizeToAspectRatio } from './convert-images.ts';
import { formatTranscript, readTranscript, timestamp } from './convert-transcription.ts';
import { mapVoice } from './map-voice.ts';
import { pcmToWav } from './pcm-audio.ts';

describe('image, voice and audio conversions', () => {
  it('maps sizes to the nearest aspect ratio the model takes', () => {
    assert.equal(sizeToAspectRatio('1024x1024', 'gemini-2.5-flash-image'), '1:1');
    assert.equal(sizeToAspectRatio('1536x1024', 'gemini-2.5-flash-image'), '3:2');
    assert.equal(sizeToAspectRatio('1536x1024', 'imagen-4.0-generate-001'), '4:3');
    assert.equal(sizeToAspectRatio('1024x1792', 'gemini-2.5-flash-image'), '9:16');
    assert.equal(sizeToAspectRatio('auto', 'gemini-2.5-flash-image'), undefined);
    assert.throws(() => sizeToAspectRatio('big', 'gemini-2.5-flash-image'), /WIDTHxHEIGHT/);
  });

  it('sends OpenAI image model names to the default Gemini image model', () => {
    assert.equal(imageModel('dall-e-3'), 'gemini-2.5-flash-image');
    assert.equal(imageModel('models/imagen-4.0-generate-001'), 'imagen-4.0-generate-001');
    assert.equal(imageModel(undefined), 'gemini-2.5-flash-image');
  });

  it('maps OpenAI voices, accepts Gemini voices in any case, and names both lists otherwise', () => {
    assert.equal(mapVoice('alloy', 'voice'), 'Kore');
    assert.equal(mapVoice('puck', 'voice'), 'Puck');
    assert.throws(() => mapVoice('robot', 'voice'), /alloy.*Zephyr/);
  });

  it('wraps PCM in a 44-byte WAV header', () => {
    const wav = pcmToWav(Buffer.alloc(10), { sampleRate: 16_000, channels: 2 });
    assert.equal(wav.length, 54);
    assert.equal(wav.readUInt32LE(4), 46);
    assert.equal(wav.readUInt32LE(28), 64_000, 'byte rate');
    assert.equal(wav.readUInt16LE(32), 4, 'block align');
  });

  it('formats timestamps and keeps an untimed answer as one segment', () => {
    assert.equal(timestamp(3725.5, 'srt'), '01:02:05,500');
    assert.equal(timestamp(0.0004, 'vtt'), '00:00:00.000');
    const transcript = readTranscript({ candidates: [{ content: { parts: [{ text: 'Just words.' }] } }] });
    assert.deepEqual(transcript.segments, [{ start: 0, end: 0, text: 'Just words.' }]);
    assert.equal(formatTranscript(transcript, 'text').body, 'Just words.\n');
    assert.match(formatTranscript(transcript, 'verbose_json').body, /"task":"transcribe"/);
  });
});
