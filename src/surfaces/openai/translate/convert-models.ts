import { z } from 'zod';
import { type AppError, errors } from '../../../errors/app-error.ts';
import { normalizeModel } from '../../../gemini/model-name.ts';

export interface OpenAIModel {
  id: string;
  object: 'model';
  /** Gemini publishes no creation date; 0 keeps the field numeric as clients expect. */
  created: number;
  owned_by: 'google';
}

const geminiModelSchema = z.looseObject({ name: z.string().min(1) });
const geminiModelListSchema = z.looseObject({ models: z.array(geminiModelSchema).nullish() });

/** One Gemini model resource (`{name:"models/gemini-2.5-flash",…}`) → an OpenAI model object. */
export function convertModel(model: unknown): OpenAIModel {
  const parsed = geminiModelSchema.safeParse(model);
  if (!parsed.success) throw unreadable(parsed.error);
  return { id: normalizeModel(parsed.data.name), object: 'model', created: 0, owned_by: 'google' };
}

/**
 * Gemini `GET /v1beta/models` page → OpenAI `{object:"list",data}`. Every model is listed, whatever
 * its methods, as the native list does; following `nextPageToken` is the route's job.
 */
export function convertModelList(list: unknown): { object: 'list'; data: OpenAIModel[] } {
  const parsed = geminiModelListSchema.safeParse(list);
  if (!parsed.success) throw unreadable(parsed.error);
  return { object: 'list', data: (parsed.data.models ?? []).map(convertModel) };
}

function unreadable(cause: unknown): AppError {
  return errors.upstreamUnreadable('a model list', cause);
}
