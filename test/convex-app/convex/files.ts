// Functions for the convex-test interop tests: storage calls in mutations and actions,
// each with a variant that throws after its storage call (to see what is rolled back).
import { makeFunctionReference } from "convex/server";
import { v } from "convex/values";
import { action, mutation } from "./_generated/server";

export const storeThenMaybeThrow = mutation({
  args: { text: v.string(), fail: v.boolean(), type: v.optional(v.string()) },
  handler: async (ctx, { text, fail, type }) => {
    const id = await ctx.storage.store(new Blob([text], { type: type ?? "" }));
    if (fail) throw new Error("after store");
    return id;
  },
});

export const deleteThenMaybeThrow = mutation({
  args: { id: v.id("_storage"), fail: v.boolean() },
  handler: async (ctx, { id, fail }) => {
    await ctx.storage.delete(id);
    // Inside the same transaction the file is already gone.
    const after = await ctx.storage.getUrl(id);
    if (fail) throw new Error(`after delete (getUrl: ${String(after)})`);
    return after;
  },
});

export const storeMany = mutation({
  args: { count: v.number() },
  handler: async (ctx, { count }) => {
    for (let i = 0; i < count; i++) await ctx.storage.store(new Blob([`file ${i}`]));
    return await ctx.meta.getTransactionMetrics();
  },
});

export const readAll = mutation({
  args: { ids: v.array(v.id("_storage")) },
  handler: async (ctx, { ids }) => {
    for (const id of ids) await ctx.storage.get(id);
    return await ctx.meta.getTransactionMetrics();
  },
});

export const deleteInActionThenThrow = action({
  args: { id: v.id("_storage") },
  handler: async (ctx, { id }) => {
    await ctx.storage.delete(id);
    throw new Error("after delete in an action");
  },
});

export const storeViaMutationThenThrow = action({
  args: {},
  handler: async (ctx) => {
    const id: string = await ctx.runMutation(makeFunctionReference<"mutation">("files:storeThenMaybeThrow"), {
      text: "from action",
      fail: false,
    });
    throw new Error(`after runMutation ${id}`);
  },
});

export const storeViaFailingMutation = action({
  args: {},
  handler: async (ctx) => {
    const store = makeFunctionReference<"mutation">("files:storeThenMaybeThrow");
    // The mutation's store is rolled back; the action goes on.
    const error = await ctx.runMutation(store, { text: "rolled back", fail: true }).then(
      () => null,
      (e: unknown) => String(e),
    );
    return error;
  },
});

export const storeViaFailingNestedMutation = mutation({
  args: {},
  handler: async (ctx) => {
    const store = makeFunctionReference<"mutation">("files:storeThenMaybeThrow");
    // The nested mutation's store is rolled back; this one commits, with a store of its own.
    await ctx.runMutation(store, { text: "rolled back", fail: true }).catch(() => null);
    return await ctx.storage.store(new Blob(["kept"]));
  },
});

export const storeThenDelete = mutation({
  args: {},
  handler: async (ctx) => {
    const id = await ctx.storage.store(new Blob(["gone"]));
    await ctx.storage.delete(id);
    return id;
  },
});

export const scheduleStore = mutation({
  args: { fail: v.boolean() },
  handler: async (ctx, { fail }) => {
    await ctx.scheduler.runAfter(0, makeFunctionReference<"mutation">("files:storeThenMaybeThrow"), {
      text: "scheduled",
      fail,
    });
    return await ctx.storage.store(new Blob(["scheduler"]));
  },
});
