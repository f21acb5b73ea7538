/** Concord SDK entry point. */
export * from "./codec.js";
export * from "./metadata.js";
