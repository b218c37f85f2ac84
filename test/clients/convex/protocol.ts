// Functions the client-protocol tests call: values of every kind, failures, identity, actions.
import { ConvexError, v } from "convex/values";
import { anyApi } from "convex/server";
import { action, internalMutation, internalQuery, mutation, query } from "./_generated/server";

export const echo = query({
  args: { value: v.any() },
  handler: async (_ctx, { value }) => value,
});

export const count = query({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    const row = await ctx.db
      .query("counters")
      .filter((q) => q.eq(q.field("name"), name))
      .first();
    return row?.value ?? 0n;
  },
});

export const increment = mutation({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    const row = await ctx.db
      .query("counters")
      .filter((q) => q.eq(q.field("name"), name))
      .first();
    if (row === null) {
      await ctx.db.insert("counters", { name, value: 1n });
      return 1n;
    }
    await ctx.db.patch(row._id, { value: row.value + 1n });
    return row.value + 1n;
  },
});

/** Two writes, each in a tick of its own. */
export const incrementPair = mutation({
  args: { first: v.string(), second: v.string() },
  handler: async (ctx, { first, second }) => {
    await ctx.db.insert("counters", { name: first, value: 1n });
    await ctx.db.insert("counters", { name: second, value: 1n });
    return null;
  },
});

export const incrementTwice = action({
  args: { name: v.string() },
  handler: async (ctx, { name }): Promise<bigint> => {
    await ctx.runMutation(anyApi.protocol!.increment!, { name });
    return await ctx.runMutation(anyApi.protocol!.increment!, { name });
  },
});

export const whoami = query({
  args: {},
  handler: async (ctx) => await ctx.auth.getUserIdentity(),
});

export const fail = mutation({
  args: {},
  handler: async () => {
    throw new Error("boom");
  },
});

export const failQuery = query({
  args: {},
  handler: async () => {
    throw new Error("query boom");
  },
});

export const refuse = mutation({
  args: {},
  handler: async () => {
    throw new ConvexError({ code: "NOPE", limit: 3n });
  },
});

export const refuseAction = action({
  args: {},
  handler: async () => {
    throw new ConvexError("no such thing");
  },
});

export const hidden = internalQuery({
  args: {},
  handler: async () => "secret",
});

export const hiddenWrite = internalMutation({
  args: {},
  handler: async () => null,
});

export const scheduleIncrement = mutation({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    await ctx.scheduler.runAfter(0, anyApi.protocol!.increment!, { name });
  },
});

export const storedFiles = query({
  args: {},
  handler: async (ctx) => (await ctx.db.system.query("_storage").collect()).map((f) => ({ id: f._id, size: f.size })),
});

export const big = query({
  args: { name: v.string(), bytes: v.number() },
  handler: async (ctx, { name, bytes }) => {
    const row = await ctx.db
      .query("counters")
      .filter((q) => q.eq(q.field("name"), name))
      .first();
    return `${row?.value ?? 0n}:${"x".repeat(bytes)}`;
  },
});
