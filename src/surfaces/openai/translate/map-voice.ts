import { errors } from '../../../errors/app-error.ts';

/** Gemini's prebuilt TTS voices (speech-generation documentation). */
export const geminiVoices = [
  'Zephyr',
  'Puck',
  'Charon',
  'Kore',
  'Fenrir',
  'Leda',
  'Orus',
  'Aoede',
  'Callirrhoe',
  'Autonoe',
  'Enceladus',
  'Iapetus',
  'Umbriel',
  'Algieba',
  'Despina',
  'Erinome',
  'Algenib',
  'Rasalgethi',
  'Laomedeia',
  'Achernar',
  'Alnilam',
  'Schedar',
  'Gacrux',
  'Pulcherrima',
  'Achird',
  'Zubenelgenubi',
  'Vindemiatrix',
  'Sadachbia',
  'Sadaltager',
  'Sulafat',
] as const;

/** OpenAI's voices → a Gemini voice of a similar character (Google describes each in one word). */
const openaiVoices: Record<string, string> = {
  alloy: 'Kore',
  ash: 'Orus',
  ballad: 'Enceladus',
  coral: 'Aoede',
  echo: 'Charon',
  fable: 'Callirrhoe',
  onyx: 'Fenrir',
  nova: 'Leda',
  sage: 'Iapetus',
  shimmer: 'Zephyr',
  verse: 'Puck',
  marin: 'Despina',
  cedar: 'Algieba',
};

/** An OpenAI voice name, or a Gemini voice name in any case, → the Gemini voice; else a 400 naming both lists. */
export function mapVoice(voice: string, param: string): string {
  const lower = voice.toLowerCase();
  const mapped = openaiVoices[lower] ?? geminiVoices.find((name) => name.toLowerCase() === lower);
  if (mapped !== undefined) return mapped;
  throw errors.invalidArgument(
    `Unknown voice '${voice}'. Use an OpenAI voice (${Object.keys(openaiVoices).join(', ')}) or a Gemini voice (${geminiVoices.join(', ')}).`,
    param,
  );
}
