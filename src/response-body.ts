// A handler's Response body as the backend sees it: a string, bytes, Blob, FormData or
// URLSearchParams body is one piece with a known length; a ReadableStream is chunks.
//
// Fetch has no public way to ask which a Response was built from. Every one-piece body
// is exposed as a byte stream (getReader({ mode: "byob" }) accepts it) and a plain
// `new ReadableStream({ ... })` is not; so a byte stream is read whole before the head goes
// out, and its length declared. (A byte stream a handler builds itself, or a fetch()
// body passed through, is treated as one piece too.)

/** What the limiter reads: chunks, then done; cancel() stops the source. */
interface ChunkSource {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(reason?: unknown): Promise<void>;
}

export interface ResponseBody {
  /** The length the response declares: its Content-Length, else a one-piece body's size. */
  declared: number | undefined;
  chunks: ChunkSource;
}

/** Reads a one-piece body whole (it may throw: the handler's body failed before the head went out). */
export async function responseBody(response: Response & { body: ReadableStream<Uint8Array> }): Promise<ResponseBody> {
  const header = Number(response.headers.get("content-length") ?? NaN);
  const stated = Number.isSafeInteger(header) && header >= 0 ? header : undefined;
  if (!isByteStream(response.body)) return { declared: stated, chunks: response.body.getReader() };
  const whole = new Uint8Array(await response.arrayBuffer());
  return { declared: stated ?? whole.byteLength, chunks: onePiece(whole) };
}

function isByteStream(stream: ReadableStream<Uint8Array>): boolean {
  try {
    stream.getReader({ mode: "byob" }).releaseLock();
    return true;
  } catch {
    return false;
  }
}

function onePiece(bytes: Uint8Array): ChunkSource {
  let given = false;
  return {
    async read() {
      if (given || bytes.byteLength === 0) return { done: true, value: undefined };
      given = true;
      return { done: false, value: bytes };
    },
    async cancel() {
      given = true;
    },
  };
}
