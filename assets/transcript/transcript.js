// The chat transcript page. Python sends batches of operations to easel.apply(ops); the page
// sends actions back by navigating to its own URL with
// ?action=ACTION&message=KEY&arg=ARG&nonce=NONCE, which the view intercepts and refuses (there is
// no bridge object). The nonce is a secret Python hands over once, through easel.init, before
// anything else: it lives only in this closure, never in the DOM, so a link in the model's text
// cannot carry it and its "?action=..." does nothing. Only buttons this script made (kept in a
// WeakSet, not marked by an attribute Markdown could imitate) and the renderer's code buttons
// act. Model text arrives as HTML already escaped by the Markdown renderer, or as plain text
// that only ever goes through textContent.
"use strict";

(() => {
  const root = document.getElementById("messages");
  const empty = document.getElementById("empty");
  const messages = new Map();
  // Nodes this script made that may ask for an action; nothing from innerHTML is in here.
  const own = new WeakSet();
  let nonce = null;
  // The page's own words in the window's language, handed over by easel.init (English source
  // text -> translation, from widgets/transcript_strings.py); t() falls back to the English.
  let strings = {};
  let stick = true; // follow new content unless the user scrolled up

  const TYPE_LABELS = {
    "text/html": "HTML",
    "image/svg+xml": "SVG",
    "text/markdown": "Document",
    "application/vnd.react": "React",
    "application/vnd.mermaid": "Diagram",
  };
  const STATE_LABELS = { streaming: "Writing…", incomplete: "Incomplete", failed: "Failed" };
  const ICONS = {
    code: "M8 7l-5 5 5 5M16 7l5 5-5 5",
    image: "M4 5h16v14H4zM4 16l5-5 4 4 3-3 4 4",
    doc: "M6 3h9l4 4v14H6zM14 3v5h5M9 12h7M9 16h7",
    chart: "M4 20V10M10 20V4M16 20v-7M22 20H2",
  };
  const TYPE_ICONS = {
    "image/svg+xml": "image",
    "text/markdown": "doc",
    "application/vnd.mermaid": "chart",
  };

  function t(text) {
    return Object.prototype.hasOwnProperty.call(strings, text) ? strings[text] : text;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function icon(name) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name] || ICONS.code);
    svg.appendChild(path);
    return svg;
  }

  // The first call wins: Python makes it before sending anything else.
  function init(value, texts, language) {
    if (nonce !== null || typeof value !== "string" || !value) return;
    nonce = value;
    if (texts && typeof texts === "object") strings = texts;
    // Han characters take the right (Simplified Chinese) glyphs only when the page says so.
    if (typeof language === "string" && language) document.documentElement.lang = language;
  }

  function act(action, key, arg) {
    if (nonce === null) return;
    const url = new URL(location.href);
    url.hash = "";
    // encodeURIComponent, not URLSearchParams: Qt's query decoding keeps a "+" as "+".
    const fields = { action, message: key, arg: arg || "", nonce };
    url.search = Object.entries(fields)
      .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
      .join("&");
    const link = document.createElement("a");
    link.href = url.href;
    link.click();
  }

  function button(label, action, arg) {
    const node = el("button", "btn", label);
    node.type = "button";
    node.dataset.action = action;
    node.dataset.arg = arg || "";
    own.add(node);
    return node;
  }

  function updateEmpty() {
    document.body.classList.toggle("has-messages", messages.size > 0);
  }

  // One message: <article> with header, reasoning, body (prose, cards, notices), footer.
  // before: the key of a shown message to place it before (older messages shown later).
  function addMessage(key, role, header, before) {
    const article = el("article", "msg " + role);
    article.dataset.key = key;
    article.dataset.state = "complete";
    if (header) article.appendChild(el("div", "msg-header", header));
    const body = el("div", "msg-body");
    article.appendChild(body);
    article.appendChild(el("div", "typing")).append(el("span"), el("span"), el("span"));
    const actions = el("div", "msg-actions");
    actions.appendChild(button(t("Copy"), "copy", ""));
    article.appendChild(actions);
    article.appendChild(el("div", "msg-footer"));
    const next = before ? messages.get(before) : null;
    if (next) root.insertBefore(article, next);
    else root.appendChild(article);
    messages.set(key, article);
    updateEmpty();
  }

  function body(article) {
    return article.querySelector(":scope > .msg-body");
  }

  function prose(article, seg) {
    let block = article.querySelector(`.prose[data-seg="${seg}"]`);
    if (!block) {
      block = el("div", "prose");
      block.dataset.seg = String(seg);
      block.append(el("div", "stable"), el("div", "tail"));
      body(article).appendChild(block);
    }
    return block;
  }

  function userText(article, text) {
    let block = body(article).querySelector(":scope > .user-text");
    if (!block) block = body(article).appendChild(el("div", "user-text"));
    block.appendChild(document.createTextNode(text));
    if (!block.classList.contains("long")) foldWatch.observe(block);
  }

  // The files sent with a user message, above its text: names only, always as text.
  function files(article, items) {
    let row = body(article).querySelector(":scope > .msg-files");
    if (!row) row = body(article).insertBefore(el("div", "msg-files"), body(article).firstChild);
    for (const [label, kind] of items) {
      const chip = row.appendChild(el("span", "file-chip"));
      chip.dataset.kind = String(kind);
      chip.title = String(label);
      chip.appendChild(el("span", "file-chip-name", String(label)));
    }
  }
  // A user text is measured for folding when it comes near the screen, where the page is laid
  // out anyway. Measuring each as it arrived forced a layout per message: opening 2,000
  // messages kept the page busy for seconds (200 user texts took 3.4 s; now 0.05 s).
  const foldWatch = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const block = entry.target;
      foldWatch.unobserve(block);
      if (!block.classList.contains("long") && block.scrollHeight > 260) fold(block);
    }
  }, { rootMargin: "400px 0px" });

  // A long message (a pasted document, a Fix request with its code) folds to a few lines;
  // "Show more" unfolds it. Only the view changes: the text is all there for copying.
  function fold(block) {
    block.classList.add("long");
    const toggle = el("button", "fold-toggle", t("Show more"));
    toggle.type = "button";
    toggle.addEventListener("click", () => {
      const open = block.classList.toggle("unfolded");
      toggle.textContent = open ? t("Show less") : t("Show more");
    });
    block.after(toggle);
  }

  function reasoning(article) {
    let details = article.querySelector(":scope > details.reasoning");
    if (!details) {
      details = el("details", "reasoning");
      details.open = true;
      details.appendChild(el("summary", "", t("Thinking…")));
      details.appendChild(el("div", "reasoning-body"));
      article.insertBefore(details, body(article));
    }
    return details;
  }

  function card(article, identifier, title, type, version, state) {
    const node = el("div", "card");
    node.setAttribute("role", "button");
    node.tabIndex = 0;
    node.dataset.identifier = identifier;
    node.dataset.type = type;
    own.add(node);
    const badge = el("div", "card-icon");
    badge.appendChild(icon(TYPE_ICONS[type] || "code"));
    const text = el("div", "card-text");
    text.append(el("div", "card-title", title || identifier), el("div", "card-sub"));
    node.append(badge, text, el("div", "card-state"));
    body(article).appendChild(node);
    setCard(node, { state, version, progress: "" });
  }

  function setCard(node, { state, version, progress }) {
    if (state !== null && state !== undefined) node.dataset.state = state;
    if (version !== null && version !== undefined) node.dataset.version = String(version);
    if (progress !== undefined) node.dataset.progress = progress;
    const label = t(TYPE_LABELS[node.dataset.type] || node.dataset.type);
    node.querySelector(".card-sub").textContent = `v${node.dataset.version} · ${label}`;
    const stateText = t(STATE_LABELS[node.dataset.state] || "");
    const extra = node.dataset.state === "streaming" && node.dataset.progress ? ` ${node.dataset.progress}` : "";
    node.querySelector(".card-state").textContent = stateText + extra;
  }

  function findCard(article, identifier) {
    const cards = article.querySelectorAll(".card");
    for (let i = cards.length - 1; i >= 0; i--) {
      if (cards[i].dataset.identifier === identifier) return cards[i];
    }
    return null;
  }

  function notice(article, text, kind, actions) {
    const node = el("div", "notice " + kind);
    node.appendChild(el("span", "notice-text", text));
    for (const [action, label] of actions) node.appendChild(button(label, action, ""));
    body(article).appendChild(node);
  }

  // A tool call: a compact <details> card, in place in the message's flow. Everything in it
  // (tool, server, arguments, result) is plain text through textContent: a hostile result
  // cannot add markup, links or buttons. The approval buttons are made here and kept in `own`.
  const TOOL_STATES = {
    waiting: "Waiting…",
    approval: "Waiting for your approval",
    running: "Running…",
    done: "Done",
    failed: "Failed",
    denied: "Denied",
    stopped: "Stopped",
  };
  const APPROVALS = [
    ["once", "Allow once"],
    ["conversation", "Allow for this conversation"],
    ["always", "Always allow"],
    ["deny", "Deny"],
  ];

  function findTool(article, id) {
    for (const node of article.querySelectorAll("details.tool")) {
      if (node.dataset.toolId === String(id)) return node;
    }
    return null;
  }

  function toolCard(article, id, name, server, args) {
    if (findTool(article, id)) return;
    const node = el("details", "tool");
    node.dataset.toolId = String(id);
    const summary = el("summary", "tool-summary");
    summary.append(
      el("span", "tool-name", name),
      el("span", "tool-server", server ? `· ${server}` : ""),
      el("span", "tool-state"),
      el("span", "tool-time"),
    );
    const detail = el("div", "tool-body");
    detail.append(el("div", "tool-label", t("Arguments")), el("pre", "tool-args", args || "{}"));
    detail.append(el("div", "tool-label tool-result-label", t("Result")), el("pre", "tool-result"));
    node.append(summary, detail, el("div", "tool-approval"));
    body(article).appendChild(node);
  }

  function toolUpdate(article, id, state, result, seconds) {
    const node = findTool(article, id);
    if (!node) return;
    node.dataset.state = state;
    node.querySelector(".tool-state").textContent = t(TOOL_STATES[state] || state);
    node.querySelector(".tool-time").textContent =
      typeof seconds === "number" ? t("{seconds} s").replace("{seconds}", seconds.toFixed(1)) : "";
    if (typeof result === "string") node.querySelector(".tool-result").textContent = result;
    const approval = node.querySelector(".tool-approval");
    approval.replaceChildren();
    if (state === "approval") {
      node.open = true; // the user must see the full arguments to decide
      for (const [answer, label] of APPROVALS) {
        approval.appendChild(button(t(label), "tool-approve", `${id}:${answer}`));
      }
    }
  }

  // A button of the app's own (Edit, Regenerate) among the message's actions, once.
  function addAction(article, action, label) {
    const bar = article.querySelector(":scope > .msg-actions");
    for (const node of bar.querySelectorAll("button[data-action]")) {
      if (node.dataset.action === action) return;
    }
    bar.appendChild(button(label, action, ""));
  }

  // The "‹ 2/3 ›" switcher of a message that has siblings; always visible, unlike the actions.
  function branch(article, index, count, previousLabel, nextLabel) {
    let node = article.querySelector(":scope > .branch-switch");
    if (!node) {
      node = el("div", "branch-switch");
      article.insertBefore(node, article.querySelector(":scope > .msg-actions"));
    }
    const previous = button("‹", "switch", "previous");
    previous.title = previousLabel;
    previous.disabled = index <= 0;
    const next = button("›", "switch", "next");
    next.title = nextLabel;
    next.disabled = index >= count - 1;
    node.replaceChildren(previous, el("span", "branch-label", `${index + 1}/${count}`), next);
  }

  function endReasoning(article, seconds) {
    const details = article.querySelector(":scope > details.reasoning");
    if (!details) return;
    details.open = false;
    details.querySelector("summary").textContent =
      seconds < 1
        ? t("Thought for a moment")
        : t("Thought for {seconds} s").replace("{seconds}", String(Math.round(seconds)));
  }

  // The typing dots and a streaming card's icon pulse on a slow beat set from here, a few
  // times a second. A CSS animation made the page paint 60 frames a second for as long as a
  // reply streamed: measured per second of streaming ~100 ms of the window's GUI thread,
  // ~45 ms of its Chromium threads and ~45 ms of the web engine (now ~5, ~5 and ~5).
  const BEAT_MS = 400;
  const streaming = new Set(); // articles whose state is "streaming"
  let beat = 0;
  let beatTimer = null;

  function pulse() {
    beat = (beat + 1) % 3;
    for (const article of streaming) {
      article.querySelector(":scope > .typing").dataset.beat = String(beat);
      for (const node of article.querySelectorAll('.card[data-state="streaming"] .card-icon')) {
        node.dataset.beat = String(beat % 2);
      }
    }
  }

  // The beat runs only while a message streams: an idle page stays at 0 % CPU.
  function keepBeat() {
    if (streaming.size && beatTimer === null) beatTimer = setInterval(pulse, BEAT_MS);
    if (!streaming.size && beatTimer !== null) {
      clearInterval(beatTimer);
      beatTimer = null;
    }
  }

  function setState(article, state) {
    article.dataset.state = state;
    if (state === "streaming") streaming.add(article);
    else streaming.delete(article);
    keepBeat();
  }

  function forget(article) {
    streaming.delete(article);
    keepBeat();
  }

  const OPS = {
    clear() {
      root.replaceChildren();
      messages.clear();
      streaming.clear();
      keepBeat();
      updateEmpty();
    },
    empty(html) {
      empty.innerHTML = html; // trusted: written by the app, never by a model
    },
    add(key, role, header, before) {
      if (messages.has(key)) {
        forget(messages.get(key));
        messages.get(key).remove();
      }
      addMessage(key, role, header, before);
    },
    // reset: rendered again from the start (the Markdown worker gave it up), the old is void.
    prose(article, seg, stable, tail, reset) {
      const block = prose(article, seg);
      if (reset) block.firstChild.replaceChildren();
      if (stable) block.firstChild.insertAdjacentHTML("beforeend", stable);
      block.lastChild.innerHTML = tail;
    },
    userText,
    files,
    // A code block first shown plain (start-up defers compiling lexers) gets its highlighting.
    code(article, index, html) {
      const node = article.querySelector(`.code-block[data-code-index="${index}"] pre code`);
      if (node) node.innerHTML = html;
    },
    reasoning(article, text) {
      reasoning(article).lastChild.appendChild(document.createTextNode(text));
    },
    reasoningDone: endReasoning,
    card,
    cardUpdate(article, identifier, state, version, progress) {
      const node = findCard(article, identifier);
      if (node) setCard(node, { state, version, progress });
    },
    notice,
    action: addAction,
    branch,
    toolCard,
    toolUpdate,
    state: setState,
    footer(article, text) {
      article.querySelector(":scope > .msg-footer").textContent = text;
    },
    rekey(article, key) {
      messages.delete(article.dataset.key);
      article.dataset.key = key;
      messages.set(key, article);
    },
    remove(article) {
      forget(article);
      messages.delete(article.dataset.key);
      article.remove();
      updateEmpty();
    },
    scroll() {
      stick = true;
    },
    // A search hit: bring the message into view and mark it for a moment.
    reveal(article) {
      stick = false;
      article.scrollIntoView({ block: "center" });
      article.classList.remove("revealed");
      void article.offsetWidth; // restart the animation when revealed twice
      article.classList.add("revealed");
      setTimeout(() => article.classList.remove("revealed"), 2000);
    },
    dropActions(action) {
      for (const node of root.querySelectorAll("button[data-action]")) {
        if (node.dataset.action === action) node.remove();
      }
    },
  };
  // Operations whose first argument is not a message key.
  const GLOBAL = new Set(["clear", "empty", "add", "scroll", "dropActions"]);

  // The first message at least partly on screen (messages are stacked in order).
  function firstOnScreen() {
    const shown = root.children;
    let low = 0;
    let high = shown.length - 1;
    let found = null;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (shown[middle].getBoundingClientRect().bottom > 0) {
        found = shown[middle];
        high = middle - 1;
      } else {
        low = middle + 1;
      }
    }
    return found;
  }

  function apply(ops) {
    // Older messages placed above what the reader looks at (a long conversation still arriving
    // while they read a search hit) must not move it. The engine's scroll anchoring does that,
    // except at the very top of the page, where the reader of the oldest message shown is.
    let anchor = null;
    let top = 0;
    for (const [name, ...args] of ops) {
      if (name === "add" && args[3] && !stick && anchor === null) {
        anchor = firstOnScreen(); // where the reader is before the first older message
        top = anchor ? anchor.getBoundingClientRect().top : 0;
      }
      if (GLOBAL.has(name)) {
        OPS[name](...args);
      } else {
        const article = messages.get(args[0]);
        if (article) OPS[name](article, ...args.slice(1));
      }
    }
    if (stick) {
      window.scrollTo(0, document.documentElement.scrollHeight);
    } else if (anchor && anchor.isConnected) {
      const moved = anchor.getBoundingClientRect().top - top;
      if (Math.abs(moved) >= 1) window.scrollBy(0, moved);
    }
    return ops.length;
  }

  function copied(node) {
    node.textContent = t("Copied");
    setTimeout(() => { node.textContent = t("Copy"); }, 1500);
  }

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    // The welcome page's examples: trusted HTML from the app, never from a model.
    const example = target && target.closest("#empty [data-prompt]");
    if (example) {
      act("prompt", "", example.dataset.prompt);
      return;
    }
    const article = target && target.closest("article.msg");
    if (!article) return;
    const key = article.dataset.key;
    const codeButton = target.closest(".code-copy, .code-open");
    if (codeButton) {
      const copy = codeButton.classList.contains("code-copy");
      act(copy ? "copy" : "open-code-as-artifact", key, codeButton.dataset.codeIndex);
      if (copy) copied(codeButton);
      return;
    }
    const actionButton = target.closest("button[data-action]");
    if (actionButton && own.has(actionButton)) {
      act(actionButton.dataset.action, key, actionButton.dataset.arg);
      if (actionButton.dataset.action === "copy") copied(actionButton);
      return;
    }
    const cardNode = target.closest(".card");
    if (cardNode && own.has(cardNode)) act("open-artifact", key, `${cardNode.dataset.identifier}@${cardNode.dataset.version}`);
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (target && target.classList.contains("card") && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      target.click();
    }
  });

  // Blocks are laid out late (content-visibility: auto: 120 px each until first shown), so the
  // page grows after apply() scrolled it to the end, and the engine's scroll anchoring keeps
  // the grown block's top in place: a conversation whose last message is long opened at that
  // message's start, no longer following. While following, follow that growth too (this runs
  // after layout, before the scroll event that would have ended the following).
  new ResizeObserver(() => {
    if (stick) window.scrollTo(0, document.documentElement.scrollHeight);
  }).observe(root);

  // Near the bottom means "follow"; scrolling up means "let me read".
  window.addEventListener("scroll", () => {
    const doc = document.documentElement;
    stick = doc.scrollHeight - window.scrollY - window.innerHeight < 48;
  }, { passive: true });

  window.easel = Object.freeze({ apply, init });
})();
