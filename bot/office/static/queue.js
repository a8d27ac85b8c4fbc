// The queue refreshes itself; a request's page says who else has it open, fills
// the reply from a template and previews it. Everything works without this file.
"use strict";

const QUEUE_REFRESH_SECONDS = 10;
const PRESENCE_REFRESH_SECONDS = 15;

function seconds(element, fallback) {
  const value = Number.parseFloat(element.dataset.refreshSeconds);
  return (Number.isFinite(value) && value > 0 ? value : fallback) * 1000;
}

function refreshQueue(results) {
  const url = results.dataset.refreshUrl;
  fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then((response) => (response.ok && !response.redirected ? response.text() : null))
    .then((html) => {
      if (html !== null) {
        results.innerHTML = html;
      }
    })
    .catch(() => {}); // offline for a moment: try again next time
}

function reportPresence(element) {
  const body = new FormData();
  body.append("csrf_token", element.dataset.csrf);
  fetch(element.dataset.url, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { "X-CSRFToken": element.dataset.csrf, Accept: "application/json" },
  })
    .then((response) => (response.ok ? response.json() : null))
    .then((data) => {
      if (data) {
        element.textContent = data.others.length
          ? "Ebenfalls geöffnet von: " + data.others.join(", ")
          : "";
      }
    })
    .catch(() => {});
}

function addText(parent, tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) {
    node.className = className;
  }
  parent.appendChild(node);
  return node;
}

function showPreview(form, box) {
  const body = new FormData(form);
  body.delete("action");
  fetch(form.dataset.previewUrl, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
    .then((response) => response.json())
    .then((data) => {
      box.replaceChildren();
      if (data.error) {
        addText(box, "p", data.error, "notice notice--error");
        return;
      }
      addText(box, "h3", "Vorschau: So liest die Person die Antwort");
      if (data.untranslated) {
        addText(
          box,
          "p",
          "Für " + data.language + " ist kein Übersetzungsmodell installiert: Die Antwort geht " +
            "auf Deutsch hinaus, mit einem kurzen Hinweis in der Sprache der Person.",
          "notice notice--warning",
        );
      } else if (data.machine_translated) {
        addText(addText(box, "p", ""), "span", "maschinell übersetzt", "badge badge--warn");
      }
      addText(box, "pre", data.message, "original").dir = "auto";
      if (data.machine_translated) {
        addText(box, "h4", "Rückübersetzung ins Deutsche (zur Kontrolle)");
        if (data.back_to_german) {
          addText(box, "p", data.back_to_german, "original");
        } else {
          addText(box, "p", "keine Rückübersetzung möglich", "hint");
        }
      }
    })
    .catch(() => form.submit());
}

document.addEventListener("DOMContentLoaded", () => {
  const results = document.getElementById("queue-results");
  if (results) {
    window.setInterval(() => {
      if (!document.hidden) {
        refreshQueue(results);
      }
    }, seconds(results, QUEUE_REFRESH_SECONDS));
  }

  const presence = document.getElementById("presence");
  if (presence) {
    window.setInterval(() => reportPresence(presence), seconds(presence, PRESENCE_REFRESH_SECONDS));
  }

  const picker = document.getElementById("template");
  if (picker) {
    picker.addEventListener("change", () => {
      const option = picker.selectedOptions[0];
      const target = document.getElementById(picker.dataset.target);
      if (option && option.dataset.body !== undefined && target) {
        target.value = option.dataset.body;
        target.focus();
      }
    });
  }

  const form = document.getElementById("reply-form");
  const previewButton = document.getElementById("preview-button");
  const previewBox = document.getElementById("reply-preview");
  if (form && previewButton && previewBox) {
    previewButton.addEventListener("click", (event) => {
      event.preventDefault();
      showPreview(form, previewBox);
    });
  }
});
