// The app the client benches run in convex-test: one counter document per name, a mutation that
// bumps it and a query that reads it, as a module map (no schema: convex-test takes any table).
import { makeFunctionReference, mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

const counterOf = (ctx, name) =>
  ctx.db
    .query("counters")
    .filter((q) => q.eq(q.field("name"), name))
    .first();

const bench = {
  bump: mutationGeneric({
    args: { name: v.string() },
    handler: async (ctx, { name }) => {
      const row = await counterOf(ctx, name);
      if (row === null) return (await ctx.db.insert("counters", { name, value: 1 }), 1);
      await ctx.db.patch(row._id, { value: row.value + 1 });
      return row.value + 1;
    },
  }),
  get: queryGeneric({
    args: { name: v.string() },
    handler: async (ctx, { name }) => (await counterOf(ctx, name))?.value ?? 0,
  }),
};

export const modules = { "./_generated/api.js": async () => ({}), "./bench.js": async () => bench };
export const bump = makeFunctionReference("bench:bump");
export const get = makeFunctionReference("bench:get");
