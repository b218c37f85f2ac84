import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// The chat app of the Convex docs page "Serving Files": a message is text, or
// an image whose body is the Id<"_storage"> of the uploaded file.
export default defineSchema({
  messages: defineTable({
    author: v.string(),
    body: v.union(v.string(), v.id("_storage")),
    format: v.union(v.literal("text"), v.literal("image")),
  }),
});
