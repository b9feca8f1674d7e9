// Easel shim (not part of the mermaid package): Mermaid's ES-module entry point needs ~100
// chunk files; this module loads the vendored single-file build next to it instead and
// exports the same default object, so `import mermaid from ".../mermaid.esm.min.mjs"` works.
const url = new URL("./mermaid.min.js", import.meta.url).href;
if (!globalThis.mermaid) {
  await new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.onload = resolve;
    script.onerror = () => reject(new Error("could not load " + url));
    document.head.appendChild(script);
  });
}
export default globalThis.mermaid;
