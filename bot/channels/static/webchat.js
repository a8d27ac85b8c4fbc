/*
 * Willkommenslotse web chat: plain JavaScript, no build step, no external requests.
 *
 * Embed on any website with one tag:
 *   <script src="https://assistant.example/webhooks/webchat/webchat.js" data-language="de" defer></script>
 * Optional attributes: data-language (first language of the widget), data-privacy-url
 * (a page with the full privacy statement), data-mode="page" with data-target="<id>"
 * (the full-page chat at /chat fills that element instead of showing a floating button).
 *
 * The assistant's address is taken from this script's own URL. The browser keeps a
 * random conversation id (web-<32 hex digits>) in localStorage; it is the only key to
 * the conversation, so it is sent in request bodies only, never in URLs.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__willkommenslotseChat) return; // embedded twice: one chat is enough
  window.__willkommenslotseChat = true;

  var BASE = new URL(".", script.src).href; // .../webhooks/webchat/
  var MODE = script.getAttribute("data-mode") === "page" ? "page" : "widget";
  var PRIVACY_URL = script.getAttribute("data-privacy-url");
  var MAX_LENGTH = 2000;
  var REQUEST_TIMEOUT_MS = 90000; // a reply that needs a translation can take a while
  var OFFICE_POLL_MS = 4000; // how often the page asks for the coordination office's messages
  var MAX_RETRY_DELAY_MS = 30000;
  var RTL = ["ar", "fa", "prs", "ps", "ckb", "ur"];
  var KEYS = {
    sender: "willkommenslotse.sender",
    language: "willkommenslotse.language",
    pending: "willkommenslotse.pending",
    open: "willkommenslotse.open",
  };

  // Filled in by the server each time it sends this script (bot/channels/webchat.py):
  // the languages served now ({code, name, rtl}), the widget's words in each of them
  // (widget.* in data/texts.yml, curated or machine translated, else English) and,
  // for languages whose words are machine translated, the line that says so.
  var SERVED = /*@server-data*/ {};
  var TEXTS = SERVED.texts || {};
  var MARKERS = SERVED.markers || {};

  // --- storage (may be unavailable, e.g. blocked cookies: then memory only) ---

  var memory = {};
  function load(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null;
    }
  }
  function save(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) {
      if (value === null) delete memory[key];
      else memory[key] = value;
    }
  }

  function randomHex(length) {
    var bytes = new Uint8Array(length);
    window.crypto.getRandomValues(bytes);
    var hex = "";
    for (var i = 0; i < bytes.length; i++) hex += (bytes[i] + 256).toString(16).slice(1);
    return hex;
  }
  function newSenderId() {
    return "web-" + randomHex(16);
  }
  // Sent with every try of one message: the assistant answers a retry whose
  // first try did arrive (the reply was lost) without handling it twice.
  function newMessageId() {
    return randomHex(12);
  }
  function senderId() {
    var id = load(KEYS.sender);
    if (!id || !/^web-[0-9a-f]{32}$/.test(id)) {
      id = newSenderId();
      save(KEYS.sender, id);
    }
    return id;
  }

  // --- state ----------------------------------------------------------------

  var languages = (SERVED.languages || []).slice();
  var chosenLanguage = load(KEYS.language); // set only by the picker
  var uiLanguage = chosenLanguage || script.getAttribute("data-language") || browserLanguage();
  var queue = []; // messages waiting to be sent, oldest first: {text, payload, bubble}
  var busy = false;
  var wakeUp = null; // ends the wait before the next retry early
  var historyLoaded = false;
  // The coordination office's messages come without a message of the user's:
  // the widget asks for those after the last one it has (ids it showed, never twice).
  var officeLast = 0;
  var officeShown = {};
  var officePolling = false;

  function browserLanguage() {
    var tag = (navigator.languages && navigator.languages[0]) || navigator.language || "de";
    var code = tag.toLowerCase().split("-")[0];
    return TEXTS[code] ? code : "de";
  }
  function baseCode(code) {
    return String(code || "").toLowerCase().split("-")[0];
  }
  function isRtl(code) {
    var known = languages.filter(function (l) {
      return l.code === baseCode(code);
    })[0];
    return known ? !!known.rtl : RTL.indexOf(baseCode(code)) >= 0;
  }
  function t(key, values) {
    var english = TEXTS.en || {};
    var table = TEXTS[baseCode(uiLanguage)] || english;
    var text = table[key] || english[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.replace("{" + name + "}", String(values[name]));
    });
    return text;
  }

  // --- building the interface -------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else if (name === "className") node.className = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  var ui = {};

  function build() {
    var uid = "wl-" + Math.random().toString(36).slice(2, 8);
    ui.title = el("h1", { className: "wl-title", id: uid + "-title" });
    ui.languageToggle = el("button", {
      type: "button",
      className: "wl-header-button wl-language-toggle",
      "aria-expanded": "false",
      "aria-controls": uid + "-languages",
    });
    var headerChildren = [ui.title, ui.languageToggle];
    if (MODE === "widget") {
      ui.close = el("button", { type: "button", className: "wl-header-button wl-close" });
      headerChildren.push(ui.close);
    }
    ui.languageList = el("ul");
    ui.languagePanel = el(
      "div",
      { className: "wl-languages", id: uid + "-languages", role: "group", hidden: "" },
      [ui.languageList],
    );
    // "Automatically translated", once for the widget's words (not for each of them).
    ui.translated = el("p", { className: "wl-machine-translated", hidden: "" });
    ui.privacyText = el("p", { className: "wl-privacy-text" });
    ui.privacyLink = PRIVACY_URL
      ? el("a", { href: PRIVACY_URL, target: "_blank", rel: "noopener noreferrer" })
      : null;
    ui.deleteButton = el("button", { type: "button", className: "wl-link-button wl-delete" });
    ui.privacy = el("div", { className: "wl-privacy", role: "note" }, [
      ui.translated,
      ui.privacyText,
      ui.privacyLink ? el("p", {}, [ui.privacyLink]) : null,
      ui.deleteButton,
    ]);
    ui.log = el("div", {
      className: "wl-log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      tabindex: "0",
    });
    ui.status = el("p", { className: "wl-status", role: "status", "aria-live": "polite" });
    ui.inputLabel = el("label", { className: "wl-vh", for: uid + "-input" });
    ui.input = el("input", {
      type: "text",
      id: uid + "-input",
      className: "wl-input",
      maxlength: String(MAX_LENGTH),
      autocomplete: "off",
      dir: "auto",
    });
    ui.send = el("button", { type: "submit", className: "wl-send" });
    ui.form = el("form", { className: "wl-form" }, [ui.inputLabel, ui.input, ui.send]);
    ui.chat = el(
      "section",
      { className: "wl-chat wl-root", "aria-labelledby": uid + "-title" },
      [
        el("div", { className: "wl-header" }, headerChildren),
        ui.languagePanel,
        ui.privacy,
        ui.log,
        ui.status,
        ui.form,
      ],
    );

    if (MODE === "page") {
      var target = document.getElementById(script.getAttribute("data-target") || "") || document.body;
      target.appendChild(ui.chat);
    } else {
      ensureStylesheet();
      ui.title = replaceTag(ui.title, "h2"); // a widget must not add a second h1 to the host page
      ui.launcher = el("button", {
        type: "button",
        className: "wl-launcher wl-root",
        "aria-expanded": "false",
        "aria-controls": uid + "-panel",
      });
      ui.panel = el("div", { className: "wl-panel", id: uid + "-panel", hidden: "" }, [ui.chat]);
      document.body.appendChild(ui.launcher);
      document.body.appendChild(ui.panel);
      ui.launcher.addEventListener("click", function () {
        setOpen(ui.panel.hidden);
      });
      ui.close.addEventListener("click", function () {
        setOpen(false);
      });
      ui.panel.addEventListener("keydown", function (event) {
        if (event.key === "Escape") setOpen(false);
      });
    }

    ui.languageToggle.addEventListener("click", function () {
      toggleLanguages(ui.languagePanel.hidden);
    });
    ui.languagePanel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.stopPropagation();
        toggleLanguages(false);
        ui.languageToggle.focus();
      }
    });
    ui.deleteButton.addEventListener("click", function () {
      submit(t("delete_conversation"), "/delete_data");
    });
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = ui.input.value.trim();
      if (!text) return;
      if (text.length > MAX_LENGTH) {
        setStatus(t("too_long", { max: MAX_LENGTH }), true);
        return;
      }
      ui.input.value = "";
      submit(text, text);
    });
    window.addEventListener("online", function () {
      if (wakeUp) wakeUp();
    });
  }

  function replaceTag(node, tag) {
    var copy = el(tag, { className: node.className, id: node.id });
    node.parentNode.replaceChild(copy, node);
    return copy;
  }

  function ensureStylesheet() {
    var href = BASE + "webchat.css";
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) if (links[i].href === href) return;
    document.head.appendChild(el("link", { rel: "stylesheet", href: href }));
  }

  function setOpen(open) {
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", open ? "true" : "false");
    save(KEYS.open, open ? "1" : null);
    if (open) {
      start();
      ui.input.focus();
    } else {
      ui.launcher.focus();
    }
  }

  function toggleLanguages(open) {
    ui.languagePanel.hidden = !open;
    ui.languageToggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      var current = ui.languageList.querySelector('[aria-pressed="true"]');
      (current || ui.languageList.querySelector("button")).focus();
    }
  }

  function renderLanguages() {
    ui.languageList.textContent = "";
    var current = baseCode(uiLanguage);
    languages.forEach(function (language) {
      var button = el("button", {
        type: "button",
        className: "wl-choice",
        lang: language.code,
        dir: language.rtl ? "rtl" : "ltr",
        "data-language": language.code,
        "aria-pressed": language.code === current ? "true" : "false",
        text: language.name,
      });
      button.addEventListener("click", function () {
        chooseLanguage(language.code);
      });
      ui.languageList.appendChild(el("li", {}, [button]));
    });
    var more = el("button", { type: "button", className: "wl-choice wl-more-languages" });
    more.textContent = t("more_languages");
    more.addEventListener("click", function () {
      toggleLanguages(false);
      // The assistant's own menu: every language it knows, as buttons in the chat.
      submit(t("choose_language"), "/change_language");
    });
    ui.languageList.appendChild(el("li", {}, [more]));
  }

  function chooseLanguage(code) {
    chosenLanguage = code;
    save(KEYS.language, code);
    uiLanguage = code;
    applyLanguage();
    toggleLanguages(false);
    // The assistant switches too; the choice shows in its confirmation, not as a user bubble.
    submit(null, '/change_language{"language": "' + code + '"}');
    ui.input.focus();
  }

  function languageName(code) {
    var match = languages.filter(function (l) {
      return l.code === baseCode(code);
    })[0];
    return match ? match.name : code;
  }

  function applyLanguage() {
    var dir = isRtl(uiLanguage) ? "rtl" : "ltr";
    ui.chat.setAttribute("lang", uiLanguage);
    ui.chat.setAttribute("dir", dir);
    if (ui.panel) ui.panel.setAttribute("dir", dir);
    if (MODE === "page") {
      document.documentElement.setAttribute("lang", uiLanguage);
      document.documentElement.setAttribute("dir", dir);
    }
    ui.title.textContent = t("title");
    ui.languageToggle.textContent = t("language") + ": " + languageName(uiLanguage);
    if (ui.close) ui.close.textContent = t("close");
    if (ui.launcher) {
      ui.launcher.textContent = t("open");
      ui.launcher.setAttribute("lang", uiLanguage);
      ui.launcher.setAttribute("dir", dir);
    }
    ui.languagePanel.setAttribute("aria-label", t("choose_language"));
    var marker = MARKERS[baseCode(uiLanguage)];
    ui.translated.textContent = marker || "";
    ui.translated.hidden = !marker;
    ui.privacyText.textContent = t("privacy");
    if (ui.privacyLink) ui.privacyLink.textContent = t("privacy_more");
    ui.deleteButton.textContent = t("delete_conversation");
    ui.log.setAttribute("aria-label", t("conversation"));
    ui.inputLabel.textContent = t("input");
    ui.send.textContent = t("send");
    var groups = ui.log.querySelectorAll(".wl-buttons");
    for (var i = 0; i < groups.length; i++) groups[i].setAttribute("aria-label", t("answers"));
    renderLanguages();
  }

  // --- messages -------------------------------------------------------------------

  // Web addresses in the assistant's texts become links (text nodes only: no HTML is parsed).
  var URL_PATTERN = /(https?:\/\/[^\s<>"')\]]+[^\s<>"')\].,;:!?])/g;
  function textWithLinks(text) {
    var paragraph = el("p", { dir: "auto" });
    var last = 0;
    String(text).replace(URL_PATTERN, function (url, _group, offset) {
      paragraph.appendChild(document.createTextNode(text.slice(last, offset)));
      paragraph.appendChild(
        el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: url }),
      );
      last = offset + url.length;
      return url;
    });
    paragraph.appendChild(document.createTextNode(text.slice(last)));
    return paragraph;
  }

  function addUserMessage(text) {
    var bubble = el("div", { className: "wl-msg wl-user", dir: "auto" }, [
      el("span", { className: "wl-vh", text: t("you") + " " }),
      el("p", { dir: "auto", text: text }),
    ]);
    ui.log.appendChild(bubble);
    scrollDown();
    return bubble;
  }

  function addBotMessage(message) {
    var label = message.office
      ? el("span", { className: "wl-office-label", text: t("office") })
      : el("span", { className: "wl-vh", text: t("assistant") + " " });
    var className = "wl-msg wl-bot" + (message.office ? " wl-office" : "");
    var bubble = el("div", { className: className, dir: "auto" }, [
      label,
      message.text ? textWithLinks(message.text) : null,
    ]);
    var buttons = message.buttons || [];
    if (buttons.length) {
      var group = el("div", { className: "wl-buttons", role: "group", "aria-label": t("answers") });
      buttons.forEach(function (button) {
        var node = el("button", {
          type: "button",
          className: "wl-choice",
          dir: "auto",
          "data-payload": button.payload,
          text: button.title,
        });
        node.addEventListener("click", function () {
          submit(button.title, button.payload);
        });
        group.appendChild(node);
      });
      bubble.appendChild(group);
    }
    if (message.feedback && message.feedback.token) {
      bubble.appendChild(feedbackButtons(message.feedback.token));
    }
    ui.log.appendChild(bubble);
    scrollDown();
    return bubble;
  }

  // "Helpful / not helpful" under an answer: the vote carries the answer's token
  // and the language shown, never who votes; one vote per answer.
  function feedbackButtons(token) {
    var group = el("div", { className: "wl-feedback", role: "group" });
    [true, false].forEach(function (helpful) {
      var node = el("button", {
        type: "button",
        className: "wl-feedback-button",
        dir: "auto",
        text: t(helpful ? "feedback_helpful" : "feedback_not_helpful"),
      });
      node.addEventListener("click", function () {
        var buttons = group.querySelectorAll("button");
        for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
        post("feedback", { token: token, helpful: helpful, language: baseCode(uiLanguage) })
          .then(function (response) {
            if (!response.ok) throw new RequestError(t("feedback_thanks"));
            while (group.firstChild) group.removeChild(group.firstChild);
            group.appendChild(el("p", { className: "wl-feedback-thanks", dir: "auto", text: t("feedback_thanks") }));
          })
          .catch(function () {
            for (var i = 0; i < buttons.length; i++) buttons[i].disabled = false;
          });
      });
      group.appendChild(node);
    });
    return group;
  }

  function removeOpenButtons() {
    var groups = ui.log.querySelectorAll(".wl-buttons");
    for (var i = 0; i < groups.length; i++) groups[i].parentNode.removeChild(groups[i]);
  }

  function scrollDown() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function setStatus(text, isError, action) {
    ui.status.textContent = text || "";
    ui.status.className = "wl-status" + (isError ? " wl-error" : "");
    if (action) {
      var button = el("button", { type: "button", className: "wl-link-button", text: action.label });
      button.addEventListener("click", action.run);
      ui.status.appendChild(button);
    }
  }

  function showTyping(on) {
    if (on && !ui.typing) {
      ui.typing = el("div", { className: "wl-typing", "aria-hidden": "true" }, [
        el("span"),
        el("span"),
        el("span"),
      ]);
      ui.log.appendChild(ui.typing);
      scrollDown();
      ui.chat.setAttribute("aria-busy", "true");
      setStatus(t("typing"));
    } else if (!on && ui.typing) {
      ui.typing.parentNode.removeChild(ui.typing);
      ui.typing = null;
      ui.chat.removeAttribute("aria-busy");
      if (ui.status.textContent === t("typing")) setStatus("");
    }
  }

  // --- talking to the assistant --------------------------------------------------

  function RequestError(message) {
    this.message = message;
  }

  function post(path, body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller
      ? setTimeout(function () {
          controller.abort();
        }, REQUEST_TIMEOUT_MS)
      : null;
    return fetch(BASE + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
    }).finally(function () {
      if (timer) clearTimeout(timer);
    });
  }

  // Posts until the assistant answers. Network errors, timeouts and 5xx/429 are
  // retried with growing pauses (1 s … 30 s); a 4xx means the message itself is wrong.
  function postWithRetry(path, body) {
    var delay = 1000;
    var failed = false;
    var slowed = false;
    function attempt() {
      return post(path, body).then(
        function (response) {
          if (response.ok) {
            if (failed) setStatus(t("reconnected"));
            else if (slowed) setStatus("");
            return response.json();
          }
          // 429: this conversation sent too much at once; the server is fine.
          if (response.status === 429) return retry(true);
          if (response.status >= 500 || response.status === 408) {
            return retry();
          }
          return response
            .json()
            .catch(function () {
              return {};
            })
            .then(function (data) {
              throw new RequestError(data.error || "HTTP " + response.status);
            });
        },
        function () {
          return retry();
        },
      );
    }
    function retry(slowDown) {
      if (slowDown) slowed = true;
      else failed = true;
      var seconds = Math.round(delay / 1000);
      setStatus(t(slowDown ? "slow_down" : "reconnecting", { seconds: seconds }), true, {
        label: t("retry_now"),
        run: function () {
          if (wakeUp) wakeUp();
        },
      });
      return new Promise(function (resolve) {
        var timer = setTimeout(resolve, delay);
        wakeUp = function () {
          clearTimeout(timer);
          resolve();
        };
      }).then(function () {
        wakeUp = null;
        delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
        return attempt();
      });
    }
    return attempt();
  }

  function savePending() {
    var pending = queue.map(function (item) {
      return { text: item.text, payload: item.payload, id: item.id };
    });
    save(KEYS.pending, pending.length ? JSON.stringify(pending) : null);
  }

  // A user message: ``text`` is shown (null: nothing shown), ``payload`` is sent.
  function submit(text, payload, id) {
    removeOpenButtons();
    var bubble = text ? addUserMessage(text) : null;
    if (bubble) bubble.classList.add("wl-pending");
    var messageId = typeof id === "string" && /^[0-9a-f]{24}$/.test(id) ? id : newMessageId();
    queue.push({ text: text, payload: payload, bubble: bubble, id: messageId });
    savePending();
    pump();
  }

  // The picker's choice, else the website's language (data-language), else the browser's.
  function languageHint() {
    if (chosenLanguage) return chosenLanguage;
    if (script.getAttribute("data-language")) return script.getAttribute("data-language");
    return (navigator.languages && navigator.languages[0]) || navigator.language || "";
  }

  function pump() {
    if (busy || !queue.length) return;
    busy = true;
    var item = queue[0];
    var active = document.activeElement;
    var focusWasOnChoice =
      !active ||
      active === document.body ||
      active === ui.deleteButton ||
      ui.log.contains(active) ||
      ui.languagePanel.contains(active);
    showTyping(true);
    var body = { sender: senderId(), message: item.payload, message_id: item.id, metadata: {} };
    var hint = languageHint();
    if (hint) body.metadata.language_hint = hint;
    postWithRetry("webhook", body)
      .then(
        function (replies) {
          if (item.bubble) item.bubble.classList.remove("wl-pending");
          queue.shift();
          savePending();
          showTyping(false);
          var deleted = false;
          (replies || []).forEach(function (reply) {
            if (reply.conversation_deleted) deleted = true;
            if (reply.text || (reply.buttons && reply.buttons.length)) addBotMessage(reply);
          });
          if (deleted) forgetConversation();
          moveFocusAfterReply(focusWasOnChoice);
        },
        function (error) {
          queue.shift();
          savePending();
          showTyping(false);
          if (item.bubble) {
            item.bubble.classList.remove("wl-pending");
            item.bubble.classList.add("wl-failed");
          }
          if (item.text && item.text === item.payload) ui.input.value = item.text; // to shorten it
          setStatus(t("not_sent", { reason: error.message || String(error) }), true);
        },
      )
      .finally(function () {
        busy = false;
        pump();
      });
  }

  // Typing users keep typing; users answering with buttons go on to the new buttons.
  function moveFocusAfterReply(focusWasOnChoice) {
    if (!focusWasOnChoice) return;
    var buttons = ui.log.querySelectorAll(".wl-buttons button");
    var target = buttons.length ? buttons[0] : ui.input;
    target.focus();
  }

  function forgetConversation() {
    // Everything this browser knew goes: the id, the unsent messages, the shown texts
    // (except the assistant's confirmation, which was the last message added).
    save(KEYS.sender, null);
    save(KEYS.pending, null);
    officeLast = 0;
    officeShown = {};
    var last = ui.log.lastElementChild;
    ui.log.textContent = "";
    if (last) ui.log.appendChild(last);
    setStatus(t("deleted"));
  }

  function loadLanguages() {
    return fetch(BASE + "languages", { credentials: "omit" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (list) {
        if (Array.isArray(list) && list.length) {
          languages = list.filter(function (l) {
            return l && typeof l.code === "string" && typeof l.name === "string";
          });
          applyLanguage();
        }
      })
      .catch(function () {
        /* the native languages are built in */
      });
  }

  function addOfficeMessage(message) {
    if (!message || typeof message.id !== "number" || officeShown[message.id]) return;
    officeShown[message.id] = true;
    addBotMessage({ text: String(message.text || ""), buttons: [], office: true });
  }

  // Asks for the office's new messages; quietly tries again next time when it fails.
  function pollOffice() {
    var id = load(KEYS.sender);
    if (!id || officePolling) return;
    officePolling = true;
    post("updates", { sender: id, after: officeLast })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data || load(KEYS.sender) !== id) return; // the conversation was deleted meanwhile
        (data.messages || []).forEach(addOfficeMessage);
        if (typeof data.last === "number" && data.last > officeLast) officeLast = data.last;
      })
      .catch(function () {
        /* offline for a moment: the next poll asks again */
      })
      .finally(function () {
        officePolling = false;
      });
  }

  function startOfficePolling() {
    pollOffice();
    setInterval(function () {
      if (!document.hidden) pollOffice();
    }, OFFICE_POLL_MS);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) pollOffice();
    });
  }

  function loadHistory() {
    var id = load(KEYS.sender);
    var pending = [];
    try {
      pending = JSON.parse(load(KEYS.pending) || "[]");
    } catch (e) {
      pending = [];
    }
    var request = id
      ? postWithRetry("history", { sender: id }).catch(function () {
          return { messages: [] };
        })
      : Promise.resolve({ messages: [] });
    return request.then(function (data) {
      var messages = (data && data.messages) || [];
      if (data && typeof data.office_last === "number") officeLast = data.office_last;
      messages.forEach(function (message) {
        if (typeof message.id === "number") officeShown[message.id] = true;
        if (message.sender === "user") addUserMessage(message.text);
        else addBotMessage(message);
      });
      if (!messages.length && !pending.length) {
        // The widget's own greeting: not part of the stored conversation.
        addBotMessage({
          text: t("welcome"),
          buttons: [{ title: t("topics"), payload: "/help" }],
        }).classList.add("wl-welcome");
      }
      pending.forEach(function (item) {
        if (item && typeof item.payload === "string") submit(item.text, item.payload, item.id);
      });
    });
  }

  function start() {
    if (historyLoaded) return;
    historyLoaded = true;
    loadLanguages();
    loadHistory().then(startOfficePolling, startOfficePolling);
  }

  function init() {
    build();
    applyLanguage();
    if (MODE === "page" || load(KEYS.open)) {
      if (ui.panel) {
        ui.panel.hidden = false;
        ui.launcher.setAttribute("aria-expanded", "true");
      }
      start();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
