import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientAbortSignal } from '../../../dispatch/client-abort-signal.ts';
import type { ModelCatalog } from './model-catalog.ts';

export type ModelParams = { Params: { model: string } };

export async function listModels(request: FastifyRequest, reply: FastifyReply, catalog: ModelCatalog) {
  return reply.send(await catalog.list(request, clientAbortSignal(reply)));
}

export async function retrieveModel(
  request: FastifyRequest<ModelParams>,
  reply: FastifyReply,
  catalog: ModelCatalog,
) {
  return reply.send(await catalog.retrieve(request, request.params.model, clientAbortSignal(reply)));
}
