/* Easel: renders one Mermaid diagram artifact. The diagram source arrives as JSON in
 * <script type="application/json" id="easel-source">; errors are shown as text. */
(function () {
  "use strict";
  function showError(title, error) {
    var box = document.getElementById("easel-error");
    box.textContent = title + "\n\n" + (error && error.message ? error.message : String(error));
    box.hidden = false;
    console.error(title + ": " + (error && error.message ? error.message : String(error)));
  }
  if (typeof mermaid === "undefined") {
    showError("Mermaid could not be loaded", new Error("the mermaid script did not load"));
    return;
  }
  var source = JSON.parse(document.getElementById("easel-source").textContent);
  var target = document.getElementById("diagram");
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "default" });
  mermaid.render("easel-diagram", source).then(function (result) {
    target.innerHTML = result.svg;
    if (result.bindFunctions) result.bindFunctions(target);
    document.body.setAttribute("data-easel-rendered", "true");
  }).catch(function (error) {
    var stray = document.getElementById("deasel-diagram");
    if (stray) stray.remove();
    showError("The diagram could not be rendered", error);
  });
})();
