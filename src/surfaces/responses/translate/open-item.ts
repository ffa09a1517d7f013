import type { MessageOutput, ReasoningOutput, StreamEvent } from '../schema/response-types.ts';
import { convertAnnotations } from './convert-annotations.ts';

type EventContext = { event: (type: string, fields: Record<string, unknown>) => StreamEvent };

/**
 * A reasoning or message item while its text streams: `begin` announces it (item added, then its
 * summary or content part), `append` sends a delta, `end` sends the done events with the whole text.
 * The item object is the one in the response's output, completed in place at `end`.
 */
export class OpenItem {
  readonly kind: 'reasoning' | 'message';
  readonly item: ReasoningOutput | MessageOutput;
  readonly #index: number;
  #text = '';

  constructor(kind: 'reasoning' | 'message', id: string, index: number) {
    this.kind = kind;
    this.#index = index;
    this.item =
      kind === 'reasoning'
        ? { type: 'reasoning', id, summary: [] }
        : { type: 'message', id, status: 'in_progress', role: 'assistant', content: [] };
  }

  begin(context: EventContext): StreamEvent[] {
    const added = context.event('response.output_item.added', {
      output_index: this.#index,
      item: structuredClone(this.item),
    });
    const part =
      this.kind === 'reasoning'
        ? context.event('response.reasoning_summary_part.added', {
            ...this.#where(),
            summary_index: 0,
            part: { type: 'summary_text', text: '' },
          })
        : context.event('response.content_part.added', {
            ...this.#where(),
            content_index: 0,
            part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
          });
    return [added, part];
  }

  append(delta: string, context: EventContext): StreamEvent[] {
    this.#text += delta;
    if (this.kind === 'reasoning')
      return [
        context.event('response.reasoning_summary_text.delta', { ...this.#where(), summary_index: 0, delta }),
      ];
    return [
      context.event('response.output_text.delta', {
        ...this.#where(),
        content_index: 0,
        delta,
        logprobs: [],
      }),
    ];
  }

  /** For a reasoning item: the thought signatures it carries. */
  setEncrypted(encrypted: string | undefined): void {
    if (this.item.type === 'reasoning') this.item.encrypted_content = encrypted ?? null;
  }

  end(context: EventContext, grounding: unknown): StreamEvent[] {
    return this.item.type === 'reasoning'
      ? this.#endReasoning(this.item, context)
      : this.#endMessage(this.item, context, grounding);
  }

  #endReasoning(item: ReasoningOutput, context: EventContext): StreamEvent[] {
    const part = { type: 'summary_text' as const, text: this.#text };
    item.summary = [part];
    const where = { ...this.#where(), summary_index: 0 };
    return [
      context.event('response.reasoning_summary_text.done', { ...where, text: this.#text }),
      context.event('response.reasoning_summary_part.done', { ...where, part }),
      context.event('response.output_item.done', { output_index: this.#index, item: structuredClone(item) }),
    ];
  }

  #endMessage(item: MessageOutput, context: EventContext, grounding: unknown): StreamEvent[] {
    const annotations = convertAnnotations(grounding, this.#text);
    const part = { type: 'output_text' as const, text: this.#text, annotations, logprobs: [] as [] };
    item.content = [part];
    item.status = 'completed';
    const where = { ...this.#where(), content_index: 0 };
    return [
      ...annotations.map((annotation, annotationIndex) =>
        context.event('response.output_text.annotation.added', {
          ...where,
          annotation_index: annotationIndex,
          annotation,
        }),
      ),
      context.event('response.output_text.done', { ...where, text: this.#text, logprobs: [] }),
      context.event('response.content_part.done', { ...where, part }),
      context.event('response.output_item.done', { output_index: this.#index, item: structuredClone(item) }),
    ];
  }

  #where() {
    return { item_id: this.item.id, output_index: this.#index };
  }
}
