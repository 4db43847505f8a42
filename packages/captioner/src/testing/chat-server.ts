import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sniffImageMime } from '../images/image-bytes';

/**
 * A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions schema, for tests and
 * benchmarks of the HTTP backend (and for users testing their own pipelines without a GPU).
 * It validates each request (model, messages, an `image_url` part holding a base64 data URL of a
 * PNG/JPEG/WebP/GIF, a text part, max tokens), counts requests in flight, and answers with a
 * caption derived from the image bytes: `an image with digest <first 12 hex of sha1>`.
 * A `plan` hook can answer a request differently (errors, delays, hangs, malformed bodies).
 */

export interface ChatRequestInfo {
  /** 0-based arrival order. */
  index: number;
  model: string;
  prompt: string;
  maxTokens: number | undefined;
  imageMime: string;
  imageBytes: Buffer;
  imageDigest: string;
  authorization: string | undefined;
  /** Requests in flight when this one arrived (itself included). */
  inFlightAtArrival: number;
}

export type PlanAction =
  | { kind: 'ok'; delayMs?: number; caption?: string }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  | { kind: 'malformed'; delayMs?: number; body?: string }
  | { kind: 'hang' }
  | { kind: 'destroy' };

export interface ChatServerOptions {
  /** Model name the server accepts (others get 404 like vLLM). Default 'test-vlm'. */
  model?: string;
  /** Required bearer key; when set, requests without it get 401. */
  apiKey?: string;
  /** Decides the answer to each valid request (default: ok). */
  plan?: (req: ChatRequestInfo) => PlanAction;
  /** Delay of every ok answer, ms (default 0). */
  delayMs?: number;
}

export interface ChatServer {
  /** http://127.0.0.1:<port>/v1 */
  baseUrl: string;
  requests: ChatRequestInfo[];
  /** Valid requests rejected before planning (bad body), with the reason. */
  rejected: { status: number; reason: string }[];
  readonly inFlight: number;
  readonly maxInFlight: number;
  close(): Promise<void>;
}

/** The caption the test server gives an image: tests compute it independently from the file. */
export function digestCaption(imageBytes: Uint8Array): string {
  return `an image with digest ${createHash('sha1').update(imageBytes).digest('hex').slice(0, 12)}`;
}

export async function startChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  const model = options.model ?? 'test-vlm';
  const requests: ChatRequestInfo[] = [];
  const rejected: { status: number; reason: string }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const hanging = new Set<ServerResponse>();

  const reject = (res: ServerResponse, status: number, reason: string): void => {
    rejected.push({ status, reason });
    sendJson(res, status, { error: { message: reason, type: 'invalid_request_error', code: status } });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      reject(res, 404, `no route ${req.method} ${req.url}`);
      return;
    }
    const raw = await readBody(req);
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      reject(res, 401, 'invalid api key');
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      reject(res, 400, 'body is not JSON');
      return;
    }
    const parsed = parseRequest(body, model);
    if ('error' in parsed) {
      reject(res, parsed.status, parsed.error);
      return;
    }
    const info: ChatRequestInfo = {
      index: requests.length,
      ...parsed,
      authorization: req.headers.authorization,
      inFlightAtArrival: inFlight,
    };
    requests.push(info);
    const action = options.plan?.(info) ?? { kind: 'ok' };
    if (action.kind === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      await new Promise<void>((resolve) => res.on('close', () => resolve()));
      return;
    }
    if (action.kind === 'destroy') {
      req.socket.destroy();
      return;
    }
    const delay = action.delayMs ?? (action.kind === 'ok' ? options.delayMs ?? 0 : 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (res.destroyed) return;
    if (action.kind === 'status') {
      res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
      res.end(action.body ?? JSON.stringify({ error: { message: `planned ${action.status}`, code: action.status } }));
      return;
    }
    if (action.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(action.body ?? '{"id": "chatcmpl-1", "choices": [ {"message": ');
      return;
    }
    const caption = action.caption ?? digestCaption(info.imageBytes);
    sendJson(res, 200, {
      id: `chatcmpl-${info.index}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: caption }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: caption.split(' ').length, total_tokens: 10 + caption.split(' ').length },
    });
  };

  const server: Server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finish = (): void => {
      if (!done) {
        done = true;
        inFlight--;
      }
    };
    res.on('close', finish);
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(e) } });
      finish();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    rejected,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

type ParsedRequest = Omit<ChatRequestInfo, 'index' | 'authorization' | 'inFlightAtArrival'>;

/** Checks a body against the chat-completions request schema, as a strict server would. */
function parseRequest(body: Record<string, unknown>, model: string): ParsedRequest | { status: number; error: string } {
  if (typeof body.model !== 'string') return { status: 400, error: 'model must be a string' };
  if (body.model !== model) return { status: 404, error: `The model \`${body.model}\` does not exist.` };
  if (!Array.isArray(body.messages) || body.messages.length === 0) return { status: 400, error: 'messages must be a non-empty array' };
  const user = body.messages.find((m: unknown) => (m as { role?: unknown }).role === 'user') as { content?: unknown } | undefined;
  if (!user) return { status: 400, error: 'no user message' };
  if (!Array.isArray(user.content)) return { status: 400, error: 'user content must be an array of parts' };
  let prompt: string | undefined;
  let url: string | undefined;
  for (const part of user.content as Record<string, unknown>[]) {
    if (part.type === 'text' && typeof part.text === 'string') prompt = part.text;
    else if (part.type === 'image_url') {
      const iu = part.image_url as { url?: unknown } | undefined;
      if (!iu || typeof iu.url !== 'string') return { status: 400, error: 'image_url.url must be a string' };
      url = iu.url;
    } else return { status: 400, error: `unknown content part type ${String(part.type)}` };
  }
  if (prompt === undefined) return { status: 400, error: 'no text part' };
  if (url === undefined) return { status: 400, error: 'no image_url part' };
  const m = /^data:(image\/[a-z+.-]+);base64,([A-Za-z0-9+/]+={0,2})$/.exec(url);
  if (!m) return { status: 400, error: 'image_url.url is not a base64 data URL' };
  const imageBytes = Buffer.from(m[2]!, 'base64');
  const sniffed = sniffImageMime(imageBytes);
  if (sniffed !== m[1]) return { status: 400, error: `data URL says ${m[1]} but the bytes are ${sniffed ?? 'not an image'}` };
  const maxTokens = (body.max_tokens ?? body.max_completion_tokens) as unknown;
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && (maxTokens as number) > 0)) {
    return { status: 400, error: 'max_tokens must be a positive integer' };
  }
  return {
    model: body.model,
    prompt,
    maxTokens: maxTokens as number | undefined,
    imageMime: m[1]!,
    imageBytes,
    imageDigest: createHash('sha1').update(imageBytes).digest('hex'),
  };
}
