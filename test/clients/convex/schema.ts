import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// The chat of the Convex docs page "Serving Files", and a counter for the protocol tests.
export default defineSchema({
  messages: defineTable({
    author: v.string(),
    body: v.union(v.string(), v.id("_storage")),
    format: v.union(v.literal("text"), v.literal("image")),
  }),
  counters: defineTable({ name: v.string(), value: v.int64() }),
});
