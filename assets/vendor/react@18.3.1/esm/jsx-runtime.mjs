// Easel shim (not part of the react package): react/jsx-runtime on top of React.createElement.
import React from "https://cdn.jsdelivr.net/npm/react@18.3.1/+esm";
export const Fragment = React.Fragment;
export function jsx(type, props, key) {
  return React.createElement(type, key === undefined ? props : { ...props, key });
}
export const jsxs = jsx;
export const jsxDEV = jsx;
