// Easel shim (not part of the react-dom package): react-dom/client from the ES-module wrapper.
import ReactDOM from "https://cdn.jsdelivr.net/npm/react-dom@18.3.1/+esm";
export const createRoot = ReactDOM.createRoot;
export const hydrateRoot = ReactDOM.hydrateRoot;
export default { createRoot, hydrateRoot };
