// Stand-ins for the chat app's Convex functions, for the fake server's
// --functions flag: messages kept in memory, so the seed's convex/http.ts runs
// without a Convex backend.
//
//   npx convex-storage-emulator --http examples/chat/convex/http.ts --functions examples/chat/dev-functions.ts
type Ref = Record<symbol, unknown> | string;
interface Message {
  _id: string;
  _creationTime: number;
  author: string;
  body: string;
  format: "text" | "image";
}

const messages: Message[] = [];
const nameOf = (ref: Ref) => (typeof ref === "string" ? ref : String(ref[Symbol.for("functionName")]));

export async function mutation(ref: Ref, args: Record<string, string>): Promise<null> {
  const name = nameOf(ref);
  const insert = (body: string, format: Message["format"]) =>
    messages.push({
      _id: String(messages.length + 1),
      _creationTime: Date.now(),
      author: args.author ?? "",
      body,
      format,
    });
  if (name === "messages:sendImage") insert(args.storageId!, "image");
  else if (name === "messages:sendMessage") insert(args.body!, "text");
  else throw new Error(`dev-functions: no mutation ${name}`);
  return null;
}

export async function query(ref: Ref): Promise<Message[]> {
  if (nameOf(ref) === "messages:list") return messages;
  throw new Error(`dev-functions: no query ${nameOf(ref)}`);
}
