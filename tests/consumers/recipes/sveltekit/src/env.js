// src/env.js: the environment the server reads, from $app/env/private. Optional here, as `vite build`
// runs the app without them: src/lib/server/gist.js reads them at the first request.
import { defineEnvVars } from "@sveltejs/kit/env";

const optional = (value) => value;

export const variables = defineEnvVars({
  GIST_API_KEY: { schema: optional },
  GIST_WEBHOOK_SECRET: { schema: optional },
  GIST_BASE_URL: { schema: optional }, // unset: Gist's own API
});
