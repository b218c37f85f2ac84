/* The smallest `_generated` convex-test needs to find this app's root. */
export { actionGeneric as action, mutationGeneric as mutation, queryGeneric as query } from "convex/server";
