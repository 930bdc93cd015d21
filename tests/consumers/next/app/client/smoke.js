"use client";
// A client component: runs the runtime smoke test in the browser, against the mock at `baseUrl`, and
// leaves what it saw in window.__result.
import { useEffect } from "react";
import * as gistWasm from "gist-wasm";
import { runtimeSmoke } from "../../../../js/runtime-smoke.mjs";

export default function Smoke({ baseUrl }) {
  useEffect(() => {
    runtimeSmoke(gistWasm, baseUrl).then(
      (seen) => { window.__result = { seen }; },
      (error) => { window.__result = { error: `${error.name}: ${error.code ?? ""} ${error.message}` }; },
    );
  }, [baseUrl]);
  return <p>running the smoke test</p>;
}
