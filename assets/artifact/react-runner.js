/* Easel: runs one React component artifact. The component's source arrives as JSON in
 * <script type="application/json" id="easel-source">; it is compiled with @babel/standalone
 * (TypeScript + JSX, ES modules to CommonJS) and rendered into #root with React 18. */
(function () {
  "use strict";
  var GLOBALS = ["React", "ReactDOM", "useState", "useEffect", "useLayoutEffect", "useRef",
    "useMemo", "useCallback", "useContext", "useReducer", "useId", "useTransition",
    "useDeferredValue", "useImperativeHandle", "useDebugValue", "useSyncExternalStore",
    "useInsertionEffect", "createContext", "forwardRef", "memo", "lazy", "Suspense",
    "Fragment", "StrictMode", "Children", "createElement", "cloneElement", "isValidElement"];
  var DECLARED = /^(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|class|const|let|var)\s+([A-Z][A-Za-z0-9_$]*)/gm;

  function showError(title, error) {
    var box = document.getElementById("easel-error");
    var detail = error && (error.stack || error.message) ? (error.stack || error.message) : String(error);
    box.textContent = title + "\n\n" + detail;
    box.hidden = false;
    console.error(title + ": " + (error && error.message ? error.message : String(error)));
  }

  function requireModule(name) {
    if (name === "react") return React;
    if (name === "react-dom" || name === "react-dom/client") return ReactDOM;
    if (/\.(css|scss|less)$/.test(name)) return {};
    throw new Error("The module \"" + name + "\" is not available in Easel: a React artifact " +
      "can import only react and react-dom (lucide-react, recharts, shadcn/ui and other " +
      "packages are not bundled). Use plain elements, inline SVG and Tailwind classes instead.");
  }

  function compile(source) {
    return Babel.transform(source, {
      filename: "artifact.tsx",
      presets: [["typescript", { isTSX: true, allExtensions: true }], ["react", { runtime: "classic" }]],
      plugins: ["transform-modules-commonjs"]
    }).code;
  }

  function findComponent(source, code) {
    var names = [], match;
    while ((match = DECLARED.exec(source)) !== null) names.push(match[1]);
    var tail = "\n;module.easelCandidates = [" + names.map(function (n) {
      return "typeof " + n + " === \"undefined\" ? undefined : " + n;
    }).join(", ") + "];";
    var factory = new Function(GLOBALS.join(", "),
      "return function (require, module, exports) {\n" + code + tail + "\n};");
    var values = GLOBALS.map(function (g) { return g === "React" ? React : g === "ReactDOM" ? ReactDOM : React[g]; });
    var module = { exports: {} };
    factory.apply(null, values)(requireModule, module, module.exports);
    var exported = module.exports;
    if (exported && typeof exported.default === "function") return exported.default;
    if (typeof exported === "function") return exported;
    var found = module.easelCandidates.filter(function (c) { return typeof c === "function"; });
    return found.length ? found[found.length - 1] : null;
  }

  function Boundary(props) { React.Component.call(this, props); this.state = { error: null }; }
  Boundary.prototype = Object.create(React.Component.prototype);
  Boundary.prototype.constructor = Boundary;
  Boundary.getDerivedStateFromError = function (error) { return { error: error }; };
  Boundary.prototype.componentDidCatch = function (error) { showError("The component failed while rendering", error); };
  Boundary.prototype.render = function () { return this.state.error ? null : this.props.children; };

  function run() {
    if (typeof React === "undefined" || typeof ReactDOM === "undefined" || typeof Babel === "undefined") {
      showError("React, ReactDOM or Babel could not be loaded", new Error("a library script did not load"));
      return;
    }
    var source = JSON.parse(document.getElementById("easel-source").textContent);
    var code, Component;
    try { code = compile(source); } catch (error) { showError("The component does not compile", error); return; }
    try { Component = findComponent(source, code); } catch (error) { showError("The component failed to load", error); return; }
    if (!Component) {
      showError("No React component found", new Error("export one, e.g. export default function App() { ... }"));
      return;
    }
    var root = ReactDOM.createRoot(document.getElementById("root"));
    root.render(React.createElement(Boundary, null, React.createElement(Component)));
  }

  window.addEventListener("error", function (event) { showError("Uncaught error", event.error || event.message); });
  window.addEventListener("unhandledrejection", function (event) { showError("Unhandled promise rejection", event.reason); });
  run();
})();
