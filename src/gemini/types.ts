/**
 * The Gemini request shapes we build, as plain JSON. Only the fields the OpenAI surface can produce;
 * the native surface never parses bodies, so it needs none of this.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type GeminiPart =
  | { text: string; thoughtSignature?: string }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { fileUri: string; mimeType?: string } }
  | { functionCall: { name: string; args: JsonObject }; thoughtSignature?: string }
  | { functionResponse: { name: string; response: JsonObject } };

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parameters?: JsonObject;
}

/** One Gemini tool: function declarations, or one of Google's own tools (`googleSearch`, `urlContext`, `codeExecution`…). */
export type GeminiTool = { functionDeclarations: GeminiFunctionDeclaration[] } | JsonObject;

export interface GeminiToolConfig {
  functionCallingConfig: { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] };
}

export interface GeminiGenerateContentRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  generationConfig?: JsonObject;
  safetySettings?: JsonValue[];
  cachedContent?: string;
  /** `standard`, `flex` or `priority` (Gemini's inference tiers). */
  serviceTier?: string;
}
