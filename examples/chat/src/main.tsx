// The chat example's page: the docs' two components under one ConvexReactClient, set up as
// a Vite app's src/main.tsx does. import.meta.env is what index.html sets (see bundle.ts).
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ConvexProvider, ConvexReactClient } from "convex/react";
import UrlApp from "./UrlApp";
import ActionApp from "./ActionApp";

const convex = new ConvexReactClient(import.meta.env.VITE_CONVEX_URL);

for (const [id, App] of [
  ["url-app", UrlApp],
  ["action-app", ActionApp],
] as const) {
  createRoot(document.getElementById(id)!).render(
    <StrictMode>
      <ConvexProvider client={convex}>
        <App />
      </ConvexProvider>
    </StrictMode>,
  );
}
