// The longest delay a Node timer keeps: setTimeout and setInterval turn anything
// longer into 1 ms (with only a warning), so every configurable delay is held to it.
export const MAX_TIMER_MS = 2 ** 31 - 1;
