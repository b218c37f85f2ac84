// The functions of the Convex docs page "Serving Files": the chat example's own module, so the
// protocol tests run the very code the docs show (this app's schema adds a table for them).
export { generateUploadUrl, list, sendImage, sendMessage } from "../../../examples/chat/convex/messages";
